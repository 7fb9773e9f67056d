"""Paths shared by the settings and by code that runs before Django is configured (the CLI)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TESSERA_VAR_DIR") or BASE_DIR / "var").resolve()
