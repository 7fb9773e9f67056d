"""Small things the object designers share: the object from the URL, names for new definitions
(an administrator never types an api_name), the UI languages labels are asked in."""

from __future__ import annotations

from collections.abc import Container

from django.conf import settings
from django.http import Http404

from metadata.cache import get_meta
from metadata.labels import ui_languages
from metadata.meta import ObjectMeta


def object_for_setup(object_name: str) -> ObjectMeta:
    obj = get_meta().object(object_name)
    if obj is None:
        raise Http404(object_name)
    return obj


def new_api_name(prefix: str, taken: Container[str]) -> str:
    """`<prefix>_<n>`, the first free one (stable, never shown; labels are what people read)."""
    n = 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"


def languages() -> list[tuple[str, str]]:
    """(code, name) of the UI languages, in their order."""
    names = dict(settings.LANGUAGES)
    return [(code, names.get(code, code)) for code in ui_languages()]
