"""The vendored front-end files are the versions package.json pins (someone who bumps a version
in package.json and forgets `make assets` ships the old file)."""

import json
import re
from pathlib import Path

from ui_builder.vendor_assets import FILES, VENDOR

ROOT = Path(__file__).resolve().parents[2]


def test_vendored_files_match_the_pinned_versions():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    versions = (VENDOR / "VERSIONS").read_text().splitlines()
    recorded = {line.split()[0]: line.split()[1] for line in versions}
    assert recorded == pinned
    for package, (folder, files, _licence) in FILES.items():
        for name in files:
            assert (VENDOR / folder / Path(name).name).stat().st_size > 0, (package, name)
        assert (VENDOR / folder / "LICENSE").exists(), package


def test_lock_file_pins_the_same_versions():
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    for package, version in pinned.items():
        assert lock[f"node_modules/{package}"]["version"] == version


def test_every_static_file_a_template_names_exists():
    """A `{% static '…' %}` naming a file that is not there is a silent 404 in the browser (a
    designer once loaded a stylesheet under a name the vendored package does not use)."""
    root = ROOT / "ui_builder"
    named = {(template.relative_to(root), path) for template in (root / "templates").rglob("*.html")
             for path in re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]""", template.read_text())}
    assert named, "no template names a static file: the pattern is wrong"
    missing = sorted((str(t), p) for t, p in named if not (root / "static" / p).is_file())
    assert missing == []
