"""The app shell's navigation: the tenant's objects the user may read, in the tenant's order."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from metadata.meta import ObjectMeta, TenantMeta
from tessera.security.access import RecordAccess

#: Colours for objects that have none of their own (picked by api_name, stable across requests).
PALETTE = ("#2455c3", "#0e9384", "#c4320a", "#7a5af8", "#dd2590", "#1570ef", "#b54708", "#099250")


@dataclass(frozen=True)
class NavEntry:
    api_name: str
    label: str
    url: str
    icon: str
    color: str
    initial: str


def object_color(obj: ObjectMeta) -> str:
    return obj.spec.get("color") or PALETTE[sum(map(ord, obj.api_name)) % len(PALETTE)]


def nav_entries(tenant: TenantMeta, access: RecordAccess, language: str | None) -> list[NavEntry]:
    """Objects shown in navigation (`in_navigation`, default yes) that the user may read, ordered by
    `nav_order` then label."""
    shown = [obj for obj in tenant.objects.values()
             if obj.spec.get("in_navigation", True) and access.can(obj, "read")]
    shown.sort(key=lambda obj: (obj.spec.get("nav_order", 1000), obj.label(language, plural=True)))
    return [NavEntry(api_name=obj.api_name, label=obj.label(language, plural=True),
                     url=reverse("app:list", kwargs={"object_name": obj.api_name}), icon=obj.icon,
                     color=object_color(obj), initial=(obj.label(language) or obj.api_name)[:1].upper())
            for obj in shown]
