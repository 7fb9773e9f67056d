"""Where a field or an object is used, for the administrator to read before deleting it.

Two lists: what would break and so blocks the delete (formulas, roll-ups, cascades, rules, lookups
from other objects: `dependents`), and what the delete takes the field or object off by itself
(layouts, list views, categories, related lists, sharing rules' criteria are listed for the
administrator to review).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from metadata.cache import get_meta
from metadata.meta import FieldMeta, ObjectMeta, TenantMeta, pick_label
from tessera.security.access import require_customise
from tessera.security.actor import Actor
from tessera.security.models import SharingRule

from .common import get_object
from .fields import active_field, dependents, field_users


@dataclass
class Usage:
    #: What refers to it and would break: the delete is refused while any is left.
    blocking: list[str] = field(default_factory=list)
    #: Definitions the delete takes it off (layouts, list views, categories, related lists).
    removed_from: list[str] = field(default_factory=list)
    #: What uses it without depending on it (reports, through the `field_users` registry): they
    #: lose it as a missing column.
    used_by: list[str] = field(default_factory=list)


def field_usage(object_api_name: str, field_api_name: str, actor: Actor, *, language: str | None = None) -> Usage:
    require_customise(actor)
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    target = active_field(obj, field_api_name)
    usage = Usage(blocking=dependents(tenant, obj, target))
    usage.removed_from = _definitions_naming(tenant, obj, target, language)
    for users in field_users.all().values():
        usage.used_by += users(obj, target)
    for rule in SharingRule.objects.filter(object_id=obj.id).only("name", "filters"):
        if any(str(key).partition("__")[0].split(".")[0] == target.api_name for key in _filter_keys(rule.filters)):
            usage.blocking.append(_("the sharing rule “%(name)s”") % {"name": rule.name})
    return usage


def object_usage(object_api_name: str, actor: Actor, *, language: str | None = None) -> Usage:
    """What refers to an object from elsewhere: lookups and roll-ups of other objects block; related
    lists showing it on other objects' layouts are taken off."""
    require_customise(actor)
    tenant = get_meta()
    obj = get_object(object_api_name, tenant)
    usage = Usage()
    for other in tenant.objects.values():
        if other is obj:
            continue
        for f in other.fields:
            if f.type.target(f) == obj.api_name:
                usage.blocking.append(_("the lookup “%(field)s” of %(object)s")
                                      % {"field": f.label(language), "object": other.label(language)})
            elif any(name == obj.api_name for name, _field in f.type.depends_on(f)):
                usage.blocking.append(_("the roll-up “%(field)s” of %(object)s")
                                      % {"field": f.label(language), "object": other.label(language)})
        for layout in other.layouts.values():
            if any(r.object == obj.api_name for r in layout.related_lists):
                usage.removed_from.append(_("the related list on the layout “%(layout)s” of %(object)s")
                                          % {"layout": pick_label(layout.labels, language) or layout.api_name,
                                             "object": other.label(language)})
    return usage


def _definitions_naming(tenant: TenantMeta, obj: ObjectMeta, target: FieldMeta, language: str | None) -> list[str]:
    found = []
    for layout in obj.layouts.values():
        if any(item.field == target.api_name for section in layout.sections for item in section.items):
            found.append(_("the layout “%(name)s”") % {"name": pick_label(layout.labels, language) or layout.api_name})
    for view in obj.list_views:
        if target.api_name in view.columns or any(t.lstrip("-") == target.api_name for t in view.sort):
            found.append(_("the list view “%(name)s”") % {"name": pick_label(view.labels, language) or view.api_name})
    for category in obj.categories.values():
        if target.api_name in category.fields or target.api_name in category.required_fields:
            found.append(_("the category “%(name)s”") % {"name": category.label(language)})
    for other in tenant.objects.values():
        for layout in other.layouts.values():
            for related in layout.related_lists:
                if related.object == obj.api_name and target.api_name in related.columns:
                    found.append(_("the related list on the layout “%(layout)s” of %(object)s")
                                 % {"layout": pick_label(layout.labels, language) or layout.api_name,
                                    "object": other.label(language)})
    return found


def _filter_keys(filters: object) -> list[str]:
    """The field paths a sharing rule's criteria name (a mapping or a list of [key, value] pairs)."""
    if isinstance(filters, dict):
        return list(filters)
    if isinstance(filters, list):
        return [item[0] for item in filters if isinstance(item, list | tuple) and item]
    return []
