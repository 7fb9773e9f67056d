"""The setup shell's navigation: its sections (left) and an object's designer tabs.

A designer adds itself by naming its URL here (`url_name`, in the `setup` namespace); an entry whose
URL does not exist yet is shown greyed out, so the shell can list every section before each
designer lands.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    url_name: str
    icon: str


#: The sections of /setup/, in the order the left navigation shows them.
SECTIONS = (
    Section("home", _("Setup home"), "setup:home", "⌂"),
    Section("organization", _("Organisation"), "setup:organization", "◧"),
    Section("objects", _("Objects"), "setup:objects", "▦"),
    Section("users", _("Users"), "setup:users", "☺"),
    Section("departments", _("Departments"), "setup:departments", "⋔"),
    Section("roles", _("Roles"), "setup:roles", "⇅"),
    Section("profiles", _("Profiles"), "setup:profiles", "✓"),
    Section("sharing", pgettext_lazy("setup section", "Sharing"), "setup:sharing", "⇄"),
    Section("history", _("History"), "setup:history", "↺"),
)

#: The tabs of an object's designer pages (/setup/objects/<object>/…); their views take `object_name`.
OBJECT_TABS = (
    Section("details", _("Details"), "setup:object", ""),
    Section("fields", _("Fields"), "setup:fields", ""),
    Section("categories", _("Categories"), "setup:categories", ""),
    Section("layouts", _("Layouts"), "setup:layouts", ""),
    Section("list_views", _("List views"), "setup:list_views", ""),
    Section("rules", _("Rules"), "setup:rules", ""),
    Section("links", _("Custom links"), "setup:custom_links", ""),
)


def _url(url_name: str, **kwargs) -> str | None:
    try:
        return reverse(url_name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def section_links(active: str) -> list[dict]:
    return [{"key": s.key, "label": s.label, "icon": s.icon, "url": _url(s.url_name), "active": s.key == active}
            for s in SECTIONS]


def object_tabs(object_name: str, active: str) -> list[dict]:
    return [{"key": t.key, "label": t.label, "url": _url(t.url_name, object_name=object_name),
             "active": t.key == active} for t in OBJECT_TABS]
