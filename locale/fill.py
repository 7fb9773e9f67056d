"""Fill locale/zh_Hans/LC_MESSAGES/django.po from zh_hans_translations.py and report what is
missing. Run by `make messages` after makemessages; then msgfmt compiles the .mo (committed, so a
machine without gettext still shows Chinese)."""

import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from zh_hans_translations import ZH_HANS  # noqa: E402

PO = HERE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'(msgid ((?:"(?:[^"\\]|\\.)*"\n)+))msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)')


def _join(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def main() -> int:
    text = PO.read_text(encoding="utf-8")
    missing = []

    def fill(match):
        msgid = _join(match.group(2))
        if not msgid:
            return match.group(0)
        translated = ZH_HANS.get(msgid)
        if translated is None:
            missing.append(msgid)
            return match.group(0)
        return f'{match.group(1)}msgstr "{translated}"\n'

    text = ENTRY.sub(fill, text)
    # Every translation comes from ZH_HANS, so makemessages' guesses (fuzzy, which msgfmt would
    # skip, and the previous msgid it guessed from) are dropped.
    text = text.replace("#, fuzzy\n", "")
    text = re.sub(r"^#, fuzzy, ", "#, ", text, flags=re.MULTILINE)
    text = re.sub(r"^#\| .*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r'"Language: \\n"', '"Language: zh_Hans\\\\n"', text)
    PO.write_text(text, encoding="utf-8")
    for msgid in missing:
        print(f"missing zh-Hans translation: {msgid}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
