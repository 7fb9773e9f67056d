"""Two kinds of labels, kept apart.

Tenant metadata labels (an object's, a field's, a picklist value's) are written by tenants and stored
as per-language JSON, `{"zh-hans": "客户", "en": "Account"}`, validated by `common.json#/$defs/labels`.
Built-in labels (a field type's name, the system fields', the default layouts') are UI strings:
marked in code with `gettext_lazy` / `pgettext_lazy` and translated in the .po files like every other
message. Where a built-in label becomes tenant metadata or is served next to it, `in_every_language`
evaluates it once per UI language, so both read the same.

The UI languages are `settings.LANGUAGES`: adding one is adding its .po file and a line there.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


def ui_languages() -> tuple[str, ...]:
    """The codes of settings.LANGUAGES, in their order (the first is shown first)."""
    return tuple(code for code, _name in settings.LANGUAGES)


def in_every_language(text: Promise | str) -> dict[str, str]:
    """A marked (lazy) UI string as per-language labels: `{code: text in that language}` for each UI
    language. A message not translated in a language reads as in the default language
    (LANGUAGE_CODE), then as its msgid (English): Django's gettext fallback."""
    labels = {}
    for code in ui_languages():
        with translation.override(code):
            labels[code] = str(text)
    return labels


def with_language_properties(node: Any) -> Any:
    """A JSON Schema whose per-language objects (tenant labels and texts) get one property per UI
    language: `{"x-each-language": S, …}` becomes `{"properties": {code: S for each language}, …}`."""
    if isinstance(node, list):
        return [with_language_properties(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: with_language_properties(value) for key, value in node.items()}
    if "x-each-language" in node:
        each = node.pop("x-each-language")
        node["properties"] = {code: dict(each) for code in ui_languages()}
    return node
