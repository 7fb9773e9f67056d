"""A list page's state lives in its URL: reading filters from it and making links that change one part."""

from __future__ import annotations

from urllib.parse import urlencode

#: Filters in the URL are `f.<field>__<op>=<value>` (the records API's filter syntax, prefixed so
#: they never collide with the page's own parameters).
FILTER_PREFIX = "f."


def url_filters(params) -> list[tuple[str, str]]:
    return [(key[len(FILTER_PREFIX):], value) for key in params if key.startswith(FILTER_PREFIX)
            for value in params.getlist(key) if value != ""]


def with_changes(params, **changes) -> str:
    """`?…` of `params` with some keys replaced (a value) or removed (None)."""
    merged = {key: params.getlist(key) for key in params}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = [value]
    return "?" + urlencode([(k, v) for k, values in merged.items() for v in values])
