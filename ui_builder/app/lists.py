"""List pages (`/app/<object>/`): columns from the object's list views, sort by header, filters in
the query string, keyset paging, a count of what the user may see.

The view's whole state lives in the URL (`view`, `sort`, `q`, `f.<field>__<op>`, `cursor`), so a
list can be bookmarked, shared and reloaded as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.fieldtypes import FieldValueError
from metadata.meta import FieldMeta, ListViewMeta, ObjectMeta, pick_label
from metadata.services.list_views import visible_list_views
from tessera.errors import TesseraError, ValidationFailed
from tessera.records import service, sort_indexes
from tessera.records.filters import split_key

from ..messages import error_messages
from .cells import rows
from .filters import FISCAL_PERIODS, ME, MY_TEAM, PERIODS, condition_from, filterable_fields, resolve_words
from .kanban import board_fields
from .pages import object_or_404, render_page
from .query_string import FILTER_PREFIX, url_filters, with_changes
from .widgets import filter_widget_for

PAGE_SIZE = 50
DEFAULT_COLUMNS = 6


#: Column widths a person may drag to, in CSS pixels (list_view.json's bounds).
MIN_WIDTH, MAX_WIDTH = 40, 1200


@dataclass(frozen=True)
class Column:
    field: FieldMeta
    label: str
    sort_url: str
    sorted: str  # "", "asc" or "desc"
    width: int | None = None  # CSS pixels, when resized


def parse_widths(text: str) -> dict[str, int]:
    """`name:240,amount:96` (the URL's `widths`) → {column: width}; what is not a width is dropped."""
    widths = {}
    for part in text.split(","):
        name, _sep, value = part.partition(":")
        if name and value.isdigit():
            widths[name] = min(MAX_WIDTH, max(MIN_WIDTH, int(value)))
    return widths


def format_widths(widths: dict[str, int]) -> str:
    return ",".join(f"{name}:{width}" for name, width in widths.items())


def default_columns(obj: ObjectMeta, readable: list[FieldMeta]) -> list[FieldMeta]:
    """Without a list view: the name, then the first stored fields a person types, then the owner."""
    names = [obj.name_field]
    names += [f.api_name for f in readable
              if f.writable and f.api_name != obj.name_field][:DEFAULT_COLUMNS - 2]
    names.append("owner")
    by_name = {f.api_name: f for f in readable}
    return [by_name[n] for n in dict.fromkeys(names) if n in by_name]


def count_text(page: service.Page | None) -> str:
    """A list's count as shown: exact, or "10,000+" past the service's COUNT_LIMIT."""
    if page is None or page.total is None:
        return ""
    return f"{page.total:,}+" if page.count_capped else f"{page.total:,}"


def chosen_view(views: list[ListViewMeta], name: str | None) -> ListViewMeta | None:
    if name:
        found = next((v for v in views if v.api_name == name), None)
        if found is not None:
            return found
    return views[0] if views and not name else None


@login_required
def object_list(request, object_name: str):
    language = get_language()
    tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    if "fb_field" in request.GET:
        return _apply_builder(request, obj, access)
    readable = service.readable_fields(obj, access)
    by_name = {f.api_name: f for f in readable}
    views = visible_list_views(obj, request.user.pk)
    view = chosen_view(views, request.GET.get("view"))
    if "col" in request.GET:  # the column chooser: checked fields in the order shown
        return HttpResponseRedirect(request.path + with_changes(
            request.GET, col=None, cursor=None, columns=",".join(request.GET.getlist("col")) or None))
    if request.GET.get("columns"):
        column_fields = [by_name[n] for n in request.GET["columns"].split(",") if n in by_name]
    elif view is not None and view.columns:
        column_fields = [by_name[n] for n in view.columns if n in by_name]
    else:
        column_fields = default_columns(obj, readable)
    sort = request.GET.get("sort") or (",".join(view.sort) if view is not None and view.sort else "-created_at")
    filters = resolve_words([(key, value) for key, value in (view.filters.items() if view is not None else ())], access)
    filters += resolve_words(url_filters(request.GET), access)
    search = request.GET.get("q", "").strip()
    expand = [f.api_name for f in column_fields if f.type.target(f)]
    errors: dict[str, list[str]] = {}
    index_offers: list[sort_indexes.IndexOffer] = []
    page = None
    try:
        page = service.list_records(
            object_name, request.user, filters=filters, sort=[s for s in sort.split(",") if s],
            limit=PAGE_SIZE, cursor=request.GET.get("cursor") or None,
            fields=list(dict.fromkeys([obj.name_field, *[f.api_name for f in column_fields]])),
            expand=expand, count=True, guard_sort=True, name_prefix=search)
    except ValidationFailed as exc:
        errors = {name: [str(d.message) for d in details] for name, details in exc.field_errors.items()}
        errors.update({"": [str(d.message) for d in exc.non_field_errors]} if exc.non_field_errors else {})
        if any(d.code == "sort_needs_index" for d in exc.field_errors.get("sort", ())):
            index_offers = sort_indexes.sort_index_offers(object_name, [s for s in sort.split(",") if s])

    sort_terms = [s for s in sort.split(",") if s]
    first = sort_terms[0] if sort_terms else ""
    shown_names = {f.api_name for f in column_fields}
    widths = {name: width for name, width in (parse_widths(request.GET["widths"]) if "widths" in request.GET
                                              else dict(view.widths) if view is not None else {}).items()
              if name in shown_names}
    columns = []
    for f in column_fields:
        state = "asc" if first == f.api_name else "desc" if first == f"-{f.api_name}" else ""
        next_sort = f"-{f.api_name}" if state == "asc" else f.api_name
        sortable = f.type.value_type(f).sortable
        columns.append(Column(f, f.label(language), with_changes(request.GET, sort=next_sort, cursor=None) if sortable else "",
                              state, widths.get(f.api_name)))
    chips = [{"label": chip_label(by_name, key, value, language), "remove": with_changes(request.GET, **{FILTER_PREFIX + key: None})}
             for key, value in url_filters(request.GET)]
    total = page.total if page is not None else None
    editable = frozenset(f.api_name for f in column_fields
                         if access.can(obj, "edit") and f.writable and access.editable(obj, f))
    context = {
        "object": obj,
        "label_plural": obj.label(language, plural=True),
        "views": [{"api_name": v.api_name, "label": pick_label(v.labels, language) or v.api_name,
                   "personal": v.owner_id is not None} for v in views],
        "view": view,
        "columns": columns,
        "rows": rows(page.records, column_fields, language, request.user, editable) if page is not None else [],
        "total": total,
        "total_text": count_text(page),
        "next_url": with_changes(request.GET, cursor=page.next_cursor) if page is not None and page.next_cursor else None,
        "first_url": with_changes(request.GET, cursor=None) if request.GET.get("cursor") else None,
        "search": search,
        "chips": chips,
        "errors": errors,
        "can_create": access.can(obj, "create"),
        "filter_fields": [{"api_name": f.api_name, "label": f.label(language)} for f in filterable_fields(obj, access)],
        "kanban_url": reverse("app:kanban", kwargs={"object_name": obj.api_name}) if board_fields(obj, readable) else None,
        "sort": sort,
        "column_names": ",".join(f.api_name for f in column_fields),
        "widths": format_widths(widths),
        "column_choices": [{"api_name": f.api_name, "label": f.label(language), "shown": True} for f in column_fields]
        + [{"api_name": f.api_name, "label": f.label(language), "shown": False}
           for f in readable if f not in column_fields],
        "state": request.GET.urlencode(),
        "can_share": access.has_right("customize"),
        "can_customize": access.has_right("customize"),
        "bulk_fields": [{"api_name": f.api_name, "label": f.label(language)} for f in readable
                        if f.writable and access.editable(obj, f) and f.api_name != "owner"],
        "can_edit": access.can(obj, "edit"), "can_delete": access.can(obj, "delete"),
        "can_import": access.can_import(obj), "can_export": access.can_export(obj),
        "query": "?" + request.GET.urlencode() if request.GET else "",
        "problem": request.GET.get("problem", ""),
        "index_offers": [{"api_name": o.field.api_name, "label": o.field.label(language), "progress": o.progress,
                          "indexable": o.indexable} for o in index_offers],
    }
    template = "ui_builder/app/list_rows.html" if request.headers.get("HX-Target") == "list-body" else \
        "ui_builder/app/list.html"
    return render_page(request, template, context, obj=obj, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def index_field(request, object_name: str):
    """POST: index a field a refused list would sort on (administrators: the customise right), then
    back to the list, which shows the build's progress. GET: that progress (an htmx partial the
    list polls; once the index is ready it reloads the list, now sorted)."""
    language = get_language()
    object_or_404(object_name, request)
    name = request.POST.get("field") or request.GET.get("field", "")
    if request.method == "POST":
        back = request.POST.get("back", "")
        back = back if back.startswith("?") else ""
        try:
            sort_indexes.index_for_sorting(object_name, name, request.user)
        except TesseraError as exc:
            return HttpResponseRedirect(reverse("app:list", kwargs={"object_name": object_name}) + with_changes(
                QueryDict(back[1:]), problem=" ".join(error_messages(exc))))
        return HttpResponseRedirect(reverse("app:list", kwargs={"object_name": object_name}) + back)
    progress = sort_indexes.sort_index_progress(object_name, name)
    if progress.state == "ready":
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    _tenant, obj = service.get_object_meta(object_name)
    field = obj.field(name)
    return render(request, "ui_builder/app/index_progress.html", {
        "object": obj, "offer": {"api_name": name, "label": field.label(language) if field else name,
                                 "progress": progress, "indexable": True},
        "can_customize": service.access_for(request.user).has_right("customize"), "back": ""})


def _apply_builder(request, obj: ObjectMeta, access):
    """The filter builder's fb_* parameters become one `f.` filter in the URL (post/redirect/get)."""
    kept = request.GET.copy()
    for key in [k for k in kept if k.startswith("fb_") or k == "cursor"]:
        del kept[key]
    condition = condition_from(request.GET, obj, access)
    if condition is not None:
        kept.appendlist(*condition)
    return HttpResponseRedirect(request.path + ("?" + kept.urlencode() if kept else ""))


def chip_label(readable: dict[str, FieldMeta], key: str, value: str, language: str | None) -> str:
    """A filter of the URL as a person reads it: labels of fields, choices and periods, not keys,
    and values as the list's cells show them ("Amount ≥ ¥40,000.00", not "amount__gte=40000"), only
    of fields the user may read: any other is shown as typed, and refused by the list."""
    name, op = split_key(key)
    field = readable.get(name.split(".")[0])
    label = field.label(language) if field is not None else name
    words = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "in": _("is one of"),
             "contains": _("contains"), "startswith": _("starts with")}
    if op == "isnull":
        return f"{label} {_('is empty') if value == 'true' else _('is not empty')}"
    low, comma, high = value.partition(",")
    if op == "range" and comma and not (low and high):  # one bound: "Amount ≥ 40000", not "Amount : 40000 –"
        op, value = ("gte", low) if low else ("lte", high)
    shown = value
    if field is not None:
        value_type = field.type.value_type(field)
        choices = {c["value"]: c["label"] for c in value_type.choices(field, language)} \
            if value_type.choice_keys(field) is not None else {}
        periods = dict(PERIODS + FISCAL_PERIODS)
        words_for = {ME: _("me"), MY_TEAM: _("my team")}
        parts = value.split(",") if op in ("in", "range") else [value]
        compared = field if "." not in name and op not in ("contains", "startswith") else None
        shown = (" – " if op == "range" else ", ").join(
            str(choices.get(p) or periods.get(p) or words_for.get(p) or _as_displayed(compared, p, language))
            for p in parts)
    if op == "range":  # "Amount: ¥1,000.00 – ¥40,000.50"
        return _("%(field)s: %(values)s") % {"field": label, "values": shown}
    return f"{label} {words.get(op, op)} {shown}"


def _as_displayed(field: FieldMeta | None, text: str, language: str | None) -> str:
    """A value typed in a filter as the list shows the field's values (`40000` → `¥40,000.00`); as
    typed when it is not one (the list refuses it, or it bounds finer than the field holds: never
    rounded into another value) or when the filter is not on `field`'s own values (a text search,
    a parent's field)."""
    if field is None:
        return text
    try:
        value = field.type.value_type(field).coerce(text, field)
    except FieldValueError:
        return text
    return text if value is None else filter_widget_for(field).display_text(field, value, language)
