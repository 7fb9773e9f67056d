"""The record page (`/app/<object>/<id>/`): the view layout's sections, a header with actions, the
related lists of the layout and the record's history; delete to the recycle bin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metadata import custom_links
from metadata.meta import LayoutMeta, ObjectMeta, pick_label
from tessera.errors import NotFound, PermissionDenied, TesseraError
from tessera.records import service
from tessera.records.record import Record
from tessera.security import services as security
from tessera.security.access import RecordAccess

from ..messages import error_messages
from . import recent
from .cells import display, expansions, plain_text, rows
from .lists import count_text, default_columns
from .pages import object_or_404, render_page
from .timeline import timeline
from .widgets import widget_for

RELATED_ROWS = 5
HISTORY_ROWS = 30


def _layout(obj: ObjectMeta, record: Record) -> LayoutMeta | None:
    return obj.default_layout("view", record.category) or obj.default_layout("edit", record.category)


def _sections(obj: ObjectMeta, layout: LayoutMeta | None, record: Record, access: RecordAccess, language):
    readable = {f.api_name: f for f in service.readable_fields(obj, access)}
    if layout is None:
        groups = [(obj.label(language), 2, list(readable.values()))]
    else:
        groups = [(pick_label(s.labels, language), s.columns, [readable[i.field] for i in s.items if i.field in readable])
                  for s in layout.sections]
    expanded = expansions([record], [f for _l, _c, fields in groups for f in fields], access.actor)
    return [{"label": label, "columns": columns,
             "fields": [{"label": f.label(language), "api_name": f.api_name,
                         "html": display(record, f, language, expanded[f.api_name].get(record.values.get(f.api_name)))}
                        for f in fields]}
            for label, columns, fields in groups if fields]


def _related(request, obj: ObjectMeta, layout: LayoutMeta | None, record: Record, language) -> list[dict]:
    if layout is None:
        return []
    access = service.access_for(request.user)
    found = []
    for related in layout.related_lists:
        try:
            _tenant, child = service.get_object_meta(related.object)
        except NotFound:
            continue
        if not access.can(child, "read"):
            continue
        readable = {f.api_name: f for f in service.readable_fields(child, access)}
        lookup = readable.get(related.field)
        if lookup is None:
            continue
        columns = [readable[c] for c in related.columns if c in readable] or default_columns(child, list(readable.values()))
        try:
            page = service.list_records(child.api_name, request.user, filters=[(related.field, record.id)],
                                        sort=list(related.sort) or ["-created_at"], limit=RELATED_ROWS,
                                        fields=list(dict.fromkeys([child.name_field, *[c.api_name for c in columns]])),
                                        expand=[c.api_name for c in columns if c.type.target(c) and c is not lookup],
                                        count=True)
        except TesseraError:
            continue
        found.append({
            "label": pick_label(related.labels, language) or child.label(language, plural=True),
            "object": child,
            "columns": [c.label(language) for c in columns],
            "rows": rows(page.records, columns, language, request.user),
            "total": page.total,
            "count": count_text(page),
            "new_url": (reverse("app:new", kwargs={"object_name": child.api_name}) + "?" +
                        urlencode({related.field: record.id})) if access.can(child, "create") else None,
            "all_url": reverse("app:list", kwargs={"object_name": child.api_name}) + "?" +
                       urlencode({f"f.{related.field}": record.id}),
        })
    return found


def _history(object_name: str, record: Record, request, obj: ObjectMeta, language) -> list[dict]:
    try:
        entries = service.record_history(object_name, record.id, request.user)
    except TesseraError:
        return []
    fields = {f.api_name: f for f in obj.fields}
    for entry in entries[:HISTORY_ROWS]:
        entry["changes_shown"] = [{"label": fields[c["field"]].label(language) if c["field"] in fields else c["field"],
                                   "old": _history_text(fields.get(c["field"]), c["old"], language, request.user),
                                   "new": _history_text(fields.get(c["field"]), c["new"], language, request.user)}
                                  for c in entry["changes"]]
    return entries[:HISTORY_ROWS]


def _path(obj: ObjectMeta, layout: LayoutMeta | None, record: Record, access: RecordAccess, language) -> dict | None:
    """The path bar: the layout's picklist as steps, the record's value marked, the next one offered."""
    field = obj.field(layout.path_field) if layout is not None and layout.path_field else None
    if field is None or not access.readable(obj, field):
        return None
    current = record.values.get(field.api_name)
    steps = [c for c in field.type.choices(field, language) if c.get("active", True)]
    keys = [c["value"] for c in steps]
    position = keys.index(current) if current in keys else -1
    return {"field": field, "label": field.label(language), "current": current,
            "editable": access.can(obj, "edit") and access.editable(obj, field),
            "steps": [{**c, "state": "done" if i < position else "current" if i == position else "todo"}
                      for i, c in enumerate(steps)],
            "next": steps[position + 1] if 0 <= position + 1 < len(steps) else None}


@login_required
@require_POST
def record_owner(request, object_name: str, record_id: int):
    """Give the record (and, when asked, its related records) to another user."""
    _tenant, obj = object_or_404(object_name, request)
    children = [child.api_name for child, _lookup in service.lookups_to(_tenant, obj)] \
        if request.POST.get("children") else []
    return _after(request, object_name, record_id, lambda: security.reassign_records(
        object_name, request.user, to=request.POST.get("to") or None, record_id=record_id, children=children))


@login_required
@require_POST
def record_share(request, object_name: str, record_id: int):
    """Share the record with a colleague, to read or to edit."""
    object_or_404(object_name, request)
    return _after(request, object_name, record_id, lambda: security.share_record(
        object_name, record_id, {"user": request.POST.get("user") or None,
                                 "access": request.POST.get("access", "read")}, request.user))


def _after(request, object_name: str, record_id: int, act):
    """Run one action on the record; back to its page, with the reason when it was refused."""
    target = reverse("app:record", kwargs={"object_name": object_name, "record_id": record_id})
    try:
        act()
    except NotFound:
        raise Http404(object_name) from None
    except TesseraError as exc:
        return HttpResponseRedirect(target + "?" + urlencode({"problem": " ".join(error_messages(exc))}))
    return HttpResponseRedirect(target)


@login_required
@require_POST
def record_path(request, object_name: str, record_id: int):
    """Move the record along its path bar (one click); a refused step comes back with its reason."""
    _tenant, obj = object_or_404(object_name, request)
    field_name, value = request.POST.get("field", ""), request.POST.get("value", "")
    return _after(request, object_name, record_id,
                  lambda: service.update_record(object_name, record_id, {field_name: value}, request.user))


def _custom_links(obj: ObjectMeta, record: Record, readable: dict, language) -> list[dict]:
    """The object's custom links filled from the record (only from fields the user may read)."""
    def value_of(name: str) -> str | None:
        field = readable.get(name)
        value = record.values.get(name) if field is not None else None
        return None if value is None else field.type.format_text(value, field, language)

    links = []
    for link in obj.spec.get("custom_links", ()):
        url = custom_links.fill(link["template"], value_of)
        if url is not None:
            links.append({"label": pick_label(link["labels"], language), "url": url,
                          "new_window": link.get("new_window", True)})
    return links


def _history_text(field, value, language, actor) -> str:
    """A value kept in the history (its API form) as the field shows it (labels, names, not keys)."""
    if field is None or value is None or isinstance(value, dict):
        return plain_text(value)
    if isinstance(value, int):
        referred = widget_for(field).expand(field, {value}, actor).get(value)
        if referred:
            return str(referred["name"])
    try:
        return field.type.format_text(field.type.coerce(value, field), field, language)
    except (ValueError, TypeError):
        return plain_text(value)


@login_required
def record_detail(request, object_name: str, record_id: int):
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    lookups = [f.api_name for f in service.readable_fields(obj, access) if f.type.target(f)]
    try:
        record = service.get_record(object_name, record_id, request.user, expand=lookups)
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None
    recent.remember(request, object_name, record.id, record.name)
    layout = _layout(obj, record)
    readable = {f.api_name: f for f in service.readable_fields(obj, access)}
    compact = [readable[n] for n in (layout.compact_fields if layout else ()) if n in readable]
    header_values = expansions([record], compact, request.user)
    return render_page(request, "ui_builder/app/record.html", {
        "object": obj,
        "record": record,
        "title": record.name or f"#{record.id}",
        "category": obj.categories[record.category].label(language) if record.category in obj.categories else None,
        "sections": _sections(obj, layout, record, access, language),
        "compact": [{"label": f.label(language),
                     "html": display(record, f, language, header_values[f.api_name].get(record.values.get(f.api_name)))}
                    for f in compact],
        "path": _path(obj, layout, record, access, language),
        "links": _custom_links(obj, record, readable, language),
        "problem": request.GET.get("problem", ""),
        "related": _related(request, obj, layout, record, language),
        "timeline": timeline(request, obj, record, _history(object_name, record, request, obj, language), language),
        "can_edit": access.can(obj, "edit"),
        "categories": [{"value": c.api_name, "label": c.label(language)} for c in obj.categories.values()
                       if c.active and c.api_name != record.category],
        "can_delete": access.can(obj, "delete"),
        "can_merge": access.can(obj, "edit") and access.can(obj, "delete"),
    }, obj=obj)


@login_required
@require_POST
def record_delete(request, object_name: str, record_id: int):
    object_or_404(object_name, request)
    try:
        service.delete_record(object_name, record_id, request.user)
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None
    recent.forget(request, object_name, record_id)
    target = reverse("app:list", kwargs={"object_name": object_name}) + "?" + urlencode(
        {"deleted": _("Moved to the recycle bin.")})
    return HttpResponseRedirect(target)
