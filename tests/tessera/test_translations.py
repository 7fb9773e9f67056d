"""Every message has its zh-Hans translation, and the compiled catalogue matches the .po file."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for msgid, msgstr in re.findall(r'msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)', text):
        join = lambda block: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))  # noqa: E731
        yield join(msgid), join(msgstr)


def test_every_message_is_translated():
    untranslated = [msgid for msgid, msgstr in _entries() if msgid and not msgstr]
    assert untranslated == []


def test_the_compiled_catalogue_is_current():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for msgid, msgstr in _entries():
        if msgid and "\\" not in msgid:
            assert catalogue.gettext(msgid) == msgstr, msgid
