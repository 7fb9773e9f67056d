"""Message catalogues for tests that add a UI language: a compiled (.mo) catalogue written in
Python (the GNU format Django reads), so no gettext tools are needed."""

from __future__ import annotations

import struct
from pathlib import Path

HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"


def write_catalogue(locale_dir: Path, language: str, messages: dict[str, str] | None = None) -> Path:
    """`<locale_dir>/<language>/LC_MESSAGES/django.po` (header only, plus `messages`) and its .mo;
    returns the LC_MESSAGES folder. An empty `messages` is a language nobody has translated yet."""
    folder = locale_dir / language / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    entries = {"": HEADER, **(messages or {})}
    po = [f'msgid "{key}"\nmsgstr "{value}"\n' for key, value in (messages or {}).items()]
    header = "".join(f'"{line}\\n"\n' for line in HEADER.splitlines())
    (folder / "django.po").write_text(f'msgid ""\nmsgstr ""\n{header}\n' + "\n".join(po), encoding="utf-8")
    (folder / "django.mo").write_bytes(_mo(entries))
    return folder


def _mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo layout: header, the tables of (length, offset) of keys and values, then the
    NUL-terminated strings; keys sorted, as gettext looks them up by binary search."""
    keys = sorted(entries)
    ids = strs = b""
    spans = []
    for key in keys:
        key_bytes, value_bytes = key.encode(), entries[key].encode()
        spans.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    count = len(keys)
    key_start = 7 * 4 + 16 * count
    value_start = key_start + len(ids)
    key_table = b"".join(struct.pack("<II", length, key_start + offset) for offset, length, _o, _l in spans)
    value_table = b"".join(struct.pack("<II", length, value_start + offset) for _o, _l, offset, length in spans)
    header = struct.pack("<Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    return header + key_table + value_table + ids + strs
