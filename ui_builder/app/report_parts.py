"""The report builder's parts that reach beyond the primary object's own fields: the field picker
that walks lookups (`account.parent.region`), cross filters ("accounts without activities"),
aggregated child columns ("count of activities"), bucket fields (values grouped into ranges or
lists) and sharing with roles or departments.

Each part reads its inputs from the builder's form, says its piece of the report definition, and
gives it back to the form from a saved definition, so the form keeps carrying the whole report
(see `reports_builder`). Errors the engine reports for a part (`cross_filters.0`, `columns.child1`,
`filter_logic`…) are shown beside that part: `error_slots` sorts them by where they belong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta, pick_label
from tessera.errors import TesseraError, ValidationFailed
from tessera.records import service
from tessera.security.access import RecordAccess

from .widgets import NumberWidget, filter_widget_for

FUNCTIONS = [("sum", gettext_lazy("Sum")), ("count", gettext_lazy("Count")), ("avg", gettext_lazy("Average")),
                   ("min", gettext_lazy("Minimum")), ("max", gettext_lazy("Maximum"))]
#: How deep the field picker walks (the schema allows six steps in a path; the last is a field).
MAX_WALK = 4
#: The schema's limits on each part.
MAX_CROSSES, MAX_CHILDREN, MAX_BUCKETS, MAX_CONDITIONS = 5, 10, 10, 10


@dataclass(frozen=True)
class FieldChoice:
    path: str
    label: str
    #: Dates group by a period (ask the widget: it filters by one).
    dated: bool
    numeric: bool
    #: The picklist values a bucket can list (value, label); empty for other fields.
    choices: tuple[tuple[str, str], ...] = ()


def choice_of(path: str, label: str, f: FieldMeta, language: str | None = None) -> FieldChoice:
    widget = filter_widget_for(f)
    choices: tuple[tuple[str, str], ...] = ()
    if widget.filter_kind == "choices":
        choices = tuple((str(c["value"]), str(c["label"])) for c in widget.filter_context(f, language)["choices"])
    return FieldChoice(path, label, dated=widget.filter_kind == "period", numeric=isinstance(widget, NumberWidget),
                       choices=choices)


def _readable_target(tenant: TenantMeta, f: FieldMeta, access: RecordAccess) -> ObjectMeta | None:
    target_name = f.type.target(f)
    target = tenant.object(target_name) if target_name else None
    return target if target is not None and access.can(target, "read") else None


def walk_chain(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, path: str) -> list[tuple[FieldMeta, ObjectMeta]]:
    """The lookups a path goes through with the object each reaches, as far as the viewer may
    follow them (an unknown or unreadable step ends the walk)."""
    chain: list[tuple[FieldMeta, ObjectMeta]] = []
    current = obj
    for step in [p for p in path.split(".") if p][:MAX_WALK]:
        f = current.field(step)
        if f is None or not access.readable(current, f):
            break
        target = _readable_target(tenant, f, access)
        if target is None:
            break
        chain.append((f, target))
        current = target
    return chain


def field_choices(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, language: str | None, walk: str = "") -> list[FieldChoice]:
    """The fields the picker offers: those of the object the walk reaches (the report's own object
    at first), then those of each object a lookup there points at — one step further. Walking
    through `account` then offers `account.parent.region`, and so on to any depth."""
    chain = walk_chain(tenant, obj, access, walk)
    here = chain[-1][1] if chain else obj
    prefix = "".join(f"{f.api_name}." for f, _o in chain)
    heading = "".join(f"{f.label(language)} › " for f, _o in chain)
    own = service.readable_fields(here, access)
    found = [choice_of(prefix + f.api_name, heading + f.label(language), f, language) for f in own]
    for lookup in own:
        target = _readable_target(tenant, lookup, access)
        if target is None:
            continue
        found += [choice_of(f"{prefix}{lookup.api_name}.{f.api_name}",
                            f"{heading}{lookup.label(language)} › {f.label(language)}", f, language)
                  for f in service.readable_fields(target, access)]
    return found


def walk_choices(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, language: str | None, walk: str) -> list[tuple[str, str]]:
    """Where the picker can take its fields from: the objects on the way to the current one, and
    each object a lookup of the current one points at."""
    chain = walk_chain(tenant, obj, access, walk)
    options = [("", obj.label(language))]
    path, heading = "", obj.label(language)
    for f, _target in chain:
        path, heading = f"{path}.{f.api_name}".lstrip("."), f"{heading} › {f.label(language)}"
        options.append((path, heading))
    if len(chain) < MAX_WALK:
        here = chain[-1][1] if chain else obj
        for f in service.readable_fields(here, access):
            if _readable_target(tenant, f, access) is not None:
                options.append((f"{path}.{f.api_name}".lstrip("."), f"{heading} › {f.label(language)}"))
    return options


def describe_path(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, language: str | None, path: str) -> FieldChoice | None:
    """A field path at any depth as the builder shows it ("Account › Parent account › Region"),
    or None when it no longer leads to a field the viewer may read."""
    *steps, last = path.split(".")
    chain = walk_chain(tenant, obj, access, ".".join(steps))
    if len(chain) != len(steps):
        return None
    here = chain[-1][1] if chain else obj
    f = here.field(last)
    if f is None or not access.readable(here, f):
        return None
    return choice_of(path, "".join(f"{s.label(language)} › " for s, _o in chain) + f.label(language), f, language)


# --- the child objects: cross filters and aggregated columns ------------------------------------
@dataclass
class Related:
    """A child object reached through its lookup to the report's object (`activity:account`),
    with conditions on the child records: a cross filter (with / without such children) or an
    aggregated column (count of them, sum of one of their fields)."""

    relation: str
    conditions: list[tuple[str, str]] = field(default_factory=list)
    with_: bool = True
    label: str = ""
    function: str = "count"
    field: str = ""

    @property
    def object(self) -> str:
        return self.relation.partition(":")[0]

    @property
    def via(self) -> str:
        return self.relation.partition(":")[2]


def relations(tenant: TenantMeta, obj: ObjectMeta, access: RecordAccess, language: str | None) -> list[tuple[str, str]]:
    """The child objects a report can look into: (`<object>:<lookup>`, label), one per lookup of
    a readable object that points at `obj`; the lookup is named when an object has several or
    points at itself (an account's child accounts through "Parent account")."""
    found = [(child, f) for child, f in service.lookups_to(tenant, obj)
             if access.can(child, "read") and access.readable(child, f)]
    counts: dict[str, int] = {}
    for child, _f in found:
        counts[child.api_name] = counts.get(child.api_name, 0) + 1
    return [(f"{child.api_name}:{f.api_name}",
             child.label(language, plural=True) + (f" ({f.label(language)})" if counts[child.api_name] > 1 or child is obj else ""))
            for child, f in found]


def child_object(tenant: TenantMeta, related: Related) -> ObjectMeta | None:
    return tenant.object(related.object)


def child_field_choices(tenant: TenantMeta, related: Related, access: RecordAccess, language: str | None) -> list[tuple[str, str]]:
    """The child's fields an aggregate can read: numbers (sum, average…) and dates (the latest)."""
    child = child_object(tenant, related)
    if child is None or not access.can(child, "read"):
        return []
    return [(c.path, c.label) for c in (choice_of(f.api_name, f.label(language), f)
                                        for f in service.readable_fields(child, access)) if c.numeric or c.dated]


def numbered_conditions(sent: list[str]) -> dict[int, list[tuple[str, str]]]:
    """Hidden inputs `<n>|<filter key>=<value>` → the conditions of part n."""
    found: dict[int, list[tuple[str, str]]] = {}
    for item in sent:
        number, _bar, condition = item.partition("|")
        key, _eq, value = condition.partition("=")
        if number.isdigit() and key:
            found.setdefault(int(number), []).append((key, value))
    return found


def crosses_from(post) -> list[Related]:
    conditions = numbered_conditions(post.getlist("cross_cond"))
    withs = post.getlist("cross_with")
    return [Related(relation, conditions.get(i, [])[:MAX_CONDITIONS], with_=(withs[i] != "0") if i < len(withs) else True)
            for i, relation in enumerate(post.getlist("cross_relation")[:MAX_CROSSES]) if relation]


def children_from(post) -> list[Related]:
    conditions = numbered_conditions(post.getlist("child_cond"))
    names = dict(FUNCTIONS)
    rows = zip(post.getlist("child_relation"), post.getlist("child_label"), post.getlist("child_function"),
               post.getlist("child_field"), strict=False)
    return [Related(relation, conditions.get(i, [])[:MAX_CONDITIONS], label=label.strip()[:100],
                    function=function if function in names else "count", field=f)
            for i, (relation, label, function, f) in enumerate(list(rows)[:MAX_CHILDREN]) if relation]


def child_key(index: int) -> str:
    return f"child{index + 1}"


def conditions_spec(conditions: list[tuple[str, str]], split_key) -> list[dict[str, Any]]:
    return [{"field": name, "op": op or "eq", "value": value} for name, op, value in
            ((*split_key(k), v) for k, v in conditions)]


def conditions_of(filters: list[dict]) -> list[tuple[str, str]]:
    """A definition's filters back into the form's `key=value` conditions."""
    return [(f"{f['field']}__{f.get('op', 'eq')}" if f.get("op", "eq") != "eq" else f["field"], _text(f.get("value", "")))
            for f in filters]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join("" if v is None else str(v) for v in value)
    return str(value)


def child_label(related: Related, relation_labels: dict[str, str]) -> str:
    """The column's name: as the user wrote it, else "Count: Activities"."""
    if related.label:
        return related.label
    what = relation_labels.get(related.relation, related.object)
    return f"{dict(FUNCTIONS).get(related.function, related.function)}: {what}"


def crosses_spec(crosses: list[Related], split_key) -> list[dict[str, Any]]:
    return [{"object": c.object, "via": c.via, "with": c.with_,
             **({"filters": conditions_spec(c.conditions, split_key)} if c.conditions else {})} for c in crosses]


def children_spec(children: list[Related], split_key, language: str | None,
                  relation_labels: dict[str, str]) -> list[dict[str, Any]]:
    return [{"key": child_key(i), "labels": {language or "en": child_label(c, relation_labels)},
             "child": {"object": c.object, "via": c.via, "function": c.function,
                       **({"field": c.field} if c.field and c.function != "count" else {}),
                       **({"filters": conditions_spec(c.conditions, split_key)} if c.conditions else {})}}
            for i, c in enumerate(children)]


def crosses_of(spec: dict) -> list[Related]:
    return [Related(f"{c['object']}:{c['via']}", conditions_of(c.get("filters", [])), with_=c.get("with", True))
            for c in spec.get("cross_filters", ())]


def children_of(spec: dict, language: str | None) -> list[Related]:
    return [Related(f"{c['child']['object']}:{c['child']['via']}", conditions_of(c["child"].get("filters", [])),
                    label=pick_label(c.get("labels") or {}, language), function=c["child"]["function"],
                    field=c["child"].get("field", ""))
            for c in spec.get("columns", ()) if "child" in c]


# --- buckets -------------------------------------------------------------------------------------
@dataclass
class Bucket:
    """A field's values grouped without changing the schema: ranges (numbers, dates: each holds
    the values below its bound) or lists (picklist or text values), the rest in "other"."""

    field: str
    label: str = ""
    ranges: list[tuple[str, str]] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    other: str = ""


def bucket_key(index: int) -> str:
    return f"bucket{index + 1}"


def buckets_from(post) -> list[Bucket]:
    found = []
    rows = zip(post.getlist("bucket_field"), post.getlist("bucket_label"), post.getlist("bucket_other"), strict=False)
    for n, (path, label, other) in enumerate(list(rows)[:MAX_BUCKETS]):
        ranges = list(zip(post.getlist(f"bk{n}_range_label"), post.getlist(f"bk{n}_range_below"), strict=False))
        lists = [(name, [v.strip() for sent in post.getlist(f"bk{n}_l{m}") for v in sent.split(",") if v.strip()])
                 for m, name in enumerate(post.getlist(f"bk{n}_list_label"))]
        found.append(Bucket(path, label.strip()[:100], [(a.strip()[:100], b.strip()) for a, b in ranges][:20],
                            [(a.strip()[:100], v) for a, v in lists][:50], other.strip()[:100]))
    return [b for b in found if b.field]


def bucket_spec(buckets: list[Bucket], language: str | None, ranged: set[str]) -> list[dict[str, Any]]:
    """The definition's buckets; `ranged` holds the paths of the fields bucketed by ranges."""
    found = []
    for i, b in enumerate(buckets):
        item: dict[str, Any] = {"key": bucket_key(i), "field": b.field, **({"labels": {language or "en": b.label}} if b.label else {})}
        if b.field in ranged:
            item["ranges"] = [{"label": label or _range_label(b.ranges, j), **({"below": below} if below else {})}
                              for j, (label, below) in enumerate(b.ranges) if label or below]
        else:
            item["lists"] = [{"label": label or ", ".join(values), "values": values} for label, values in b.lists if values]
        if b.other:
            item["other"] = b.other
        found.append(item)
    return found


def _range_label(ranges: list[tuple[str, str]], index: int) -> str:
    """A range without a name is called by its bounds: "< 1000", "1000 – 5000", "≥ 5000"."""
    below = ranges[index][1]
    previous = ranges[index - 1][1] if index else ""
    if below and previous:
        return f"{previous} – {below}"
    return f"< {below}" if below else f"≥ {previous}" if previous else _("Other")


def buckets_of(spec: dict, language: str | None) -> list[Bucket]:
    return [Bucket(b["field"], pick_label(b.get("labels") or {}, language),
                   [(r.get("label", ""), "" if r.get("below") is None else str(r["below"])) for r in b.get("ranges", ())],
                   [(item.get("label", ""), [str(v) for v in item.get("values", ())]) for item in b.get("lists", ())],
                   b.get("other", ""))
            for b in spec.get("buckets", ())]


# --- sharing ----------------------------------------------------------------------------------------
def ids_from(post, name: str) -> list[int]:
    return sorted({int(v) for v in post.getlist(name) if v.isdigit()})[:100]


def shared_spec(everyone: bool, roles: list[int], departments: list[int]) -> dict[str, Any] | None:
    if not (everyone or roles or departments):
        return None
    return {**({"everyone": True} if everyone else {}), **({"roles": roles} if roles else {}),
            **({"departments": departments} if departments else {})}


# --- errors in place -------------------------------------------------------------------------------
def slot_of(path: str) -> str:
    """Where an error of the definition is shown: beside the filter logic, a cross filter, a
    child column, a bucket; anything else above the preview."""
    head, _dot, rest = path.partition(".")
    number = rest.partition(".")[0]
    if head == "filter_logic":
        return "logic"
    if head in ("cross_filters", "buckets") and number.isdigit():
        return f"{'cross' if head == 'cross_filters' else 'bucket'}-{number}"
    if head == "columns" and number.startswith("child") and number[5:].isdigit():
        return f"child-{int(number[5:]) - 1}"
    if head in ("filters", "shared"):
        return head
    return ""


def error_slots(exc: TesseraError) -> dict[str, list[str]]:
    """The error's messages by the part of the form they belong to ("" for the rest)."""
    if not isinstance(exc, ValidationFailed):
        return {"": [str(exc.message)]}
    found: dict[str, list[str]] = {}
    for path, details in exc.field_errors.items():
        found.setdefault(slot_of(path), []).extend(str(d.message) for d in details)
    if exc.non_field_errors:
        found.setdefault("", []).extend(str(d.message) for d in exc.non_field_errors)
    return found
