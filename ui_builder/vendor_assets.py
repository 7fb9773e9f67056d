"""Copy the front-end packages' distribution files into `ui_builder/static/vendor/` (`make assets`).

The browser UI uses a few maintained libraries (htmx, Alpine's CSP build, SortableJS, Tom Select,
ECharts, gridstack, axe-core for accessibility tests). Their exact versions live in `package.json`
and `package-lock.json`; this script copies only the files pages load, with each package's licence,
and writes `VERSIONS`, so the copies are committed and a fresh machine needs only Python (no CDN,
no download at run time) - the way Django's admin vendors its JavaScript.

    npm ci && python -m ui_builder.vendor_assets
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"

#: package → (folder under static/vendor, files to copy relative to the package, licence file)
FILES: dict[str, tuple[str, list[str], str]] = {
    "htmx.org": ("htmx", ["dist/htmx.min.js"], "LICENSE"),
    "@alpinejs/csp": ("alpine", ["dist/cdn.min.js"], "LICENSE"),
    "sortablejs": ("sortable", ["Sortable.min.js"], "LICENSE"),
    "tom-select": ("tom-select", ["dist/js/tom-select.complete.min.js", "dist/css/tom-select.min.css"], "LICENSE"),
    "echarts": ("echarts", ["dist/echarts.min.js"], "LICENSE"),
    "gridstack": ("gridstack", ["dist/gridstack-all.js", "dist/gridstack.min.css"], "LICENSE"),
    "axe-core": ("axe", ["axe.min.js"], "LICENSE"),
}


def copy_assets() -> list[str]:
    """Copy every listed file; return the VERSIONS lines. Exits with a message when npm ci was not run."""
    if not NODE_MODULES.is_dir():
        sys.exit("node_modules is missing: run `npm ci` first")
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    versions = []
    for package, (folder, files, licence) in FILES.items():
        source = NODE_MODULES / package
        target = VENDOR / folder
        target.mkdir(parents=True)
        for name in files:
            shutil.copy2(source / name, target / Path(name).name)
        meta = json.loads((source / "package.json").read_text())
        version = meta["version"]
        if (source / licence).exists():
            shutil.copy2(source / licence, target / "LICENSE")
        else:  # some builds (Alpine's) ship no licence file: record the licence their package declares
            (target / "LICENSE").write_text(f"{package} {version}: {meta.get('license', 'see package.json')} licence\n")
        versions.append(f"{package} {version} -> static/vendor/{folder}/")
    (VENDOR / "VERSIONS").write_text("\n".join(versions) + "\n")
    return versions


if __name__ == "__main__":
    for line in copy_assets():
        print(line)
