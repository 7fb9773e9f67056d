"""Custom links: a URL template on an object, filled from the record a person looks at
(`https://map.example.com/?q={city}`, `tel:{mobile}`), shown on its record page.

Templates are metadata (the object's `custom_links`, validated by JSON Schema and here); placeholders
name fields of the object; every value is URL-encoded where it is put, and only safe schemes are
allowed (http, https, mailto, tel), so a link can never become `javascript:`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import quote, urlsplit

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


def scheme_is_safe(template: str) -> bool:
    """The scheme is in the template's fixed text (before any placeholder) and is a safe one."""
    head = PLACEHOLDER.split(template, maxsplit=1)[0]
    scheme = urlsplit(head).scheme.lower()
    return scheme in SAFE_SCHEMES and head.lower().startswith(scheme + ":")


def fill(template: str, value_of: Callable[[str], str | None]) -> str | None:
    """The link for one record, or None when the template is unsafe or a value it needs is
    missing (a link to half an address helps nobody). `value_of(name)` gives a field's text, or
    None for a blank or unreadable field."""
    if not scheme_is_safe(template):
        return None
    missing = False

    def replace(match: re.Match) -> str:
        nonlocal missing
        text = value_of(match.group(1))
        if text in (None, ""):
            missing = True
            return ""
        return quote(str(text), safe="")

    url = PLACEHOLDER.sub(replace, template)
    return None if missing else url


def check(links: list[Mapping], field_names: set[str], add_error: Callable[[str, str, str], None],
          messages: Mapping[str, str]) -> None:
    """Errors of an object's custom links (unknown placeholders, unsafe schemes, duplicate names)."""
    seen = set()
    for i, link in enumerate(links):
        if link["api_name"] in seen:
            add_error(f"custom_links.{i}.api_name", "duplicate", messages["duplicate"])
        seen.add(link["api_name"])
        if not scheme_is_safe(link["template"]):
            add_error(f"custom_links.{i}.template", "unsafe_scheme", messages["unsafe_scheme"])
        for name in placeholders(link["template"]):
            if name not in field_names:
                add_error(f"custom_links.{i}.template", "unknown_field", messages["unknown_field"] % {"name": name})
