"""Every message has its zh-Hans translation, and the compiled catalogue matches the .po file
(contexts and plural forms included)."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
STRING = r'((?:"(?:[^"\\]|\\.)*"\n)+)'
ENTRY = re.compile(rf'^(?:msgctxt {STRING})?msgid {STRING}(?:msgid_plural {STRING})?((?:msgstr(?:\[\d+\])? {STRING})+)',
                   re.MULTILINE)


def _join(block: str | None) -> str | None:
    return None if block is None else "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def _entries():
    """(context, msgid, msgid_plural, [msgstr, …]) of every entry of the .po file."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for match in ENTRY.finditer(text):
        context, msgid, plural, translations = match.group(1), match.group(2), match.group(3), match.group(4)
        msgstrs = [_join(block) for block in re.findall(rf'msgstr(?:\[\d+\])? {STRING}', translations)]
        yield _join(context), _join(msgid), _join(plural), msgstrs


def test_every_message_is_translated():
    untranslated = [msgid for _context, msgid, _plural, msgstrs in _entries() if msgid and not all(msgstrs)]
    assert untranslated == []


def test_the_compiled_catalogue_is_current():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for context, msgid, plural, msgstrs in _entries():
        if not msgid or "\\" in msgid:
            continue
        if plural is not None:
            translated = (catalogue.npgettext(context, msgid, plural, 2) if context
                          else catalogue.ngettext(msgid, plural, 2))
            assert translated == msgstrs[0], msgid
        elif context is not None:
            assert catalogue.pgettext(context, msgid) == msgstrs[0], msgid
        else:
            assert catalogue.gettext(msgid) == msgstrs[0], msgid
