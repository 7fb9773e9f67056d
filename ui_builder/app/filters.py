"""The filter builder: choose a field, then a condition that fits its type (choices of a picklist,
a period or range of dates, a number range, a record by search, me / my team / anyone, empty or
not), and the list's URL gets `f.<field>__<op>=<value>` — the records API's own filter syntax, so a
list, a shared link, a saved view and (later) a report or sharing rule mean the same thing.

The builder's form sends `fb_*` parameters; the list turns them into a filter and redirects, so the
URL only ever holds filters. Words such as `me`, `my_team` and periods (`this_quarter`,
`last_n_days:30`) stay in the URL as written: a saved view stays relative.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from metadata.meta import FieldMeta, ObjectMeta, TenantMeta
from tessera.records import service
from tessera.security.access import RecordAccess

from .pages import object_or_404
from .query_string import FILTER_PREFIX
from .widgets import filter_widget_for

#: Periods offered for dates (the records API's relative periods).
PERIODS = [
    ("today", _("Today")), ("yesterday", _("Yesterday")), ("tomorrow", _("Tomorrow")),
    ("this_week", _("This week")), ("last_week", _("Last week")), ("next_week", _("Next week")),
    ("last_n_days:7", _("Last 7 days")), ("last_n_days:30", _("Last 30 days")), ("next_n_days:30", _("Next 30 days")),
    ("this_month", _("This month")), ("last_month", _("Last month")), ("next_month", _("Next month")),
    ("this_quarter", _("This quarter")), ("last_quarter", _("Last quarter")), ("next_quarter", _("Next quarter")),
    ("this_year", _("This year")), ("last_year", _("Last year")),
]
#: Fiscal periods (the organisation's fiscal-year start, setup): offered only when the fiscal year does
#: not start in January, where they would repeat the calendar ones.
FISCAL_PERIODS = [
    ("this_fiscal_quarter", _("This fiscal quarter")), ("last_fiscal_quarter", _("Last fiscal quarter")),
    ("next_fiscal_quarter", _("Next fiscal quarter")),
    ("this_fiscal_year", _("This fiscal year")), ("last_fiscal_year", _("Last fiscal year")),
]


def periods_for(tenant: TenantMeta) -> list[tuple[str, str]]:
    """The relative periods a date condition offers in this tenant."""
    return PERIODS + FISCAL_PERIODS if tenant.fiscal_year_start_month != 1 else PERIODS
TEXT_OPS = [("contains", _("contains")), ("startswith", _("starts with")), ("eq", _("is"))]
#: Words for the current user and their team in an owner/user filter.
ME, MY_TEAM = "me", "my_team"


def filterable_fields(obj: ObjectMeta, access: RecordAccess) -> list[FieldMeta]:
    return [f for f in service.readable_fields(obj, access) if f.type.value_type(f).filter_ops]


def condition_from(params, obj: ObjectMeta, access: RecordAccess) -> tuple[str, str] | None:
    """The builder's fb_* parameters → (`f.<field>__<op>`, value), or None when incomplete."""
    field = next((f for f in filterable_fields(obj, access) if f.api_name == params.get("fb_field")), None)
    if field is None:
        return None
    name, op = field.api_name, params.get("fb_op", "")
    ops = field.type.value_type(field).filter_ops
    mode = params.get("fb_mode", "match")
    if mode in ("empty", "not_empty") and "isnull" in ops:
        return f"{FILTER_PREFIX}{name}__isnull", "true" if mode == "empty" else "false"
    if op == "isnull":
        return f"{FILTER_PREFIX}{name}__isnull", params.get("fb_value", "true")
    if op == "range":
        period = params.get("fb_period", "")
        if period:
            return f"{FILTER_PREFIX}{name}__range", period
        low, high = params.get("fb_low", "").strip(), params.get("fb_high", "").strip()
        return (f"{FILTER_PREFIX}{name}__range", f"{low},{high}") if low or high else None
    values = [v for v in params.getlist("fb_value") if v != ""]
    if not values:
        return None
    if op == "in" and "in" in ops:
        return f"{FILTER_PREFIX}{name}__in", ",".join(values)
    if values[0] in (ME, MY_TEAM) and "in" in ops:  # words are resolved per viewer, into a list of ids
        return f"{FILTER_PREFIX}{name}__in", values[0]
    if op in ops:
        return f"{FILTER_PREFIX}{name}__{op}" if op != "eq" else f"{FILTER_PREFIX}{name}", values[0]
    return None


def resolve_words(filters: list[tuple[str, str]], access: RecordAccess) -> list[tuple[str, object]]:
    """`me` and `my_team` in a user filter → the ids they mean for the viewer now."""
    resolved: list[tuple[str, object]] = []
    for key, value in filters:
        if value == ME:
            resolved.append((key, access.user_id))
        elif value == MY_TEAM:
            name = key.rpartition("__")[0] or key
            resolved.append((f"{name}__in", ",".join(str(i) for i in access.owner_ids) or "0"))
        else:
            resolved.append((key, value))
    return resolved


@login_required
def condition_inputs(request, object_name: str):
    """The condition inputs for one field (htmx, when the builder's field changes)."""
    language = get_language()
    tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    field = next((f for f in filterable_fields(obj, access) if f.api_name == request.GET.get("fb_field")), None)
    if field is None:
        raise Http404(request.GET.get("fb_field", ""))
    value_type = field.type.value_type(field)
    widget = filter_widget_for(field)
    context = {"field": field, "label": field.label(language), "ops": value_type.filter_ops, "object": obj,
               "periods": periods_for(tenant), "text_ops": [(op, label) for op, label in TEXT_OPS if op in value_type.filter_ops]}
    context.update(widget.filter_context(field, language))
    return render(request, f"ui_builder/filters/{widget.filter_kind}.html", context)
