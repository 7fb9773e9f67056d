"""Search over everything an administrator configures ("where is the field 信用度等级?"): objects,
fields, picklist values, layouts, list views, categories, rules, and the people side (users,
departments, roles, profiles); and the recent metadata changes.

The metadata part is an index built once per snapshot (labels in every language, api_names, the
pinyin of Chinese labels and its initials: "xyddj" finds 信用度等级) and scanned in memory: 100 objects
× 100 fields answer in a few milliseconds. The people part is a few indexed queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

from metadata.cache import get_meta
from metadata.meta import ObjectMeta, TenantMeta, pick_label
from metadata.models import MetadataChange
from tessera.security.access import require_customise
from tessera.security.actor import Actor
from tessera.security.models import Department, Profile, Role, User

MAX_HITS = 50


@dataclass(frozen=True)
class Hit:
    #: object, field, value, layout, list_view, category, rule, user, department, role, profile
    kind: str
    label: str
    #: Where it is: the object's label for what belongs to an object.
    where: str = ""
    object: str = ""
    name: str = ""


@dataclass(frozen=True)
class _Entry:
    haystack: str
    kind: str
    labels: tuple[tuple[str, str], ...]
    object: str
    name: str


def search_configuration(query: str, actor: Actor, *, language: str | None = None) -> list[Hit]:
    require_customise(actor)
    words = [w for w in query.casefold().split() if w]
    if not words:
        return []
    tenant = get_meta()
    hits = []
    for entry in _index(tenant):
        if all(w in entry.haystack for w in words):
            obj = tenant.objects.get(entry.object)
            hits.append(Hit(kind=entry.kind, label=pick_label(dict(entry.labels), language) or entry.name,
                            where=obj.label(language) if obj is not None and entry.kind != "object" else "",
                            object=entry.object, name=entry.name))
            if len(hits) >= MAX_HITS:
                return hits
    return hits + _people(query.strip(), MAX_HITS - len(hits))


def recent_changes(actor: Actor, *, limit: int = 20) -> list[MetadataChange]:
    require_customise(actor)
    return list(MetadataChange.objects.select_related("changed_by").order_by("-id")[:limit])


def _people(query: str, limit: int) -> list[Hit]:
    if limit <= 0 or not query:
        return []
    hits = [Hit(kind="user", label=str(u), where=u.email, name=str(u.pk))
            for u in User.objects.filter(Q(full_name__icontains=query) | Q(email__icontains=query))[:limit]]
    hits += [Hit(kind="department", label=d.name, name=str(d.pk))
             for d in Department.objects.filter(name__icontains=query)[:limit]]
    hits += [Hit(kind="role", label=r.name, name=str(r.pk)) for r in Role.objects.filter(name__icontains=query)[:limit]]
    hits += [Hit(kind="profile", label=p.api_name, name=p.api_name)
             for p in Profile.objects.filter(api_name__icontains=query)[:limit]]
    return hits[:limit]


@lru_cache(maxsize=64)
def _index(tenant: TenantMeta) -> tuple[_Entry, ...]:
    """Every configurable thing of the snapshot with the text it is found by."""
    entries = []
    for obj in tenant.objects.values():
        names = {lang: v.get("singular", "") for lang, v in obj.labels.items()}
        entries.append(_entry("object", names, obj, obj.api_name, extra=[v.get("plural", "") for v in obj.labels.values()]))
        for field in obj.fields:
            entries.append(_entry("field", field.labels, obj, field.api_name))
            for value in field.options.get("values", ()) if field.type.choice_keys(field) is not None else ():
                entries.append(_entry("value", value.get("labels", {}), obj, field.api_name,
                                      extra=[value.get("key", "")]))
        for layout in obj.layouts.values():
            entries.append(_entry("layout", layout.labels, obj, layout.api_name))
        for view in obj.list_views:
            entries.append(_entry("list_view", view.labels, obj, view.api_name))
        for category in obj.categories.values():
            entries.append(_entry("category", category.labels, obj, category.api_name))
        for rule in (*obj.spec.get("validation_rules", ()), *obj.spec.get("duplicate_rules", ())):
            entries.append(_entry("rule", rule.get("labels") or rule.get("message") or {}, obj, rule["api_name"]))
    return tuple(entries)


def _entry(kind: str, labels: Mapping[str, str], obj: ObjectMeta, name: str, *, extra: Iterable[str] = ()) -> _Entry:
    texts = [*labels.values(), name, *extra]
    found = []
    for text in texts:
        found.append(text.casefold())
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            found.append("".join(lazy_pinyin(text)))
            found.append("".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER)))
    return _Entry(haystack=" ".join(found), kind=kind, labels=tuple(labels.items()), object=obj.api_name, name=name)
