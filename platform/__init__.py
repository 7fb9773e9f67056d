"""Tessera's Django project and generic runtime, installed as the `tessera` package.

The folder is named `platform/` in the repository, but `platform` is a standard-library module, so
this package is only ever imported as `tessera` (see pyproject.toml and setup.py). When a tool run
from the repository root puts the root on sys.path first (`python -c`, `python -m`), an `import
platform` would land here: in that case this file loads and becomes the real standard-library
module instead, so nothing ever sees this folder under that name.
"""

if __name__ == "platform":
    import importlib.util as _util
    import sys as _sys
    import sysconfig as _sysconfig
    from pathlib import Path as _Path

    _spec = _util.spec_from_file_location("platform", _Path(_sysconfig.get_paths()["stdlib"]) / "platform.py")
    assert _spec is not None and _spec.loader is not None  # a file location gives both
    _module = _util.module_from_spec(_spec)
    _sys.modules["platform"] = _module
    _spec.loader.exec_module(_module)
    globals().update({k: v for k, v in vars(_module).items() if not k.startswith("__")})
else:
    from .celery import app as celery_app

    __all__ = ["celery_app"]
