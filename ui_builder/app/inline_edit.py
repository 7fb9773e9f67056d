"""Inline edit of one cell of a list (htmx): the cell turns into its field's widget, saves through the
record service (validation, cascades, optimistic concurrency) and turns back, or shows the error in
place with what was typed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from metadata.meta import FieldMeta, ObjectMeta
from tessera.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tessera.records import service
from tessera.records.record import Record
from tessera.records.serialize import field_value

from ..messages import error_messages
from .cells import Cell, display, expansions
from .forms import prepare_item
from .pages import object_or_404
from .widgets import UNCHANGED, widget_for


def _field(obj: ObjectMeta, request, name: str) -> FieldMeta:
    access = service.access_for(request.user)
    field = obj.field(name)
    if field is None or not access.readable(obj, field):
        raise Http404(name)
    return field


def _record(object_name: str, record_id: int, request, field: FieldMeta) -> Record:
    try:
        return service.get_record(object_name, record_id, request.user,
                                  expand=[field.api_name] if field.type.target(field) else [])
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None


def _display_cell(request, obj: ObjectMeta, record: Record, field: FieldMeta, *, status: int = 200):
    language = get_language()
    expanded = expansions([record], [field], request.user)[field.api_name].get(record.values.get(field.api_name))
    cell = Cell(field, display(record, field, language, expanded), field.label(language))
    return render(request, "ui_builder/app/cell.html", {"object": obj, "record": record, "cell": cell,
                                                        "editable": True}, status=status)


def _edit_cell(request, obj: ObjectMeta, record: Record, field: FieldMeta, value, errors: list[str], *, status=200):
    language = get_language()
    item = {"api_name": field.api_name, "label": field.label(language), "help_text": "", "read_only": False,
            "required": field.required, "type": field.type.key,
            "widget": dict(field.type.widget_descriptor(field, language))}
    prepare_item(request, item, value, errors, field_meta=field)
    return render(request, "ui_builder/app/cell_edit.html", {"object": obj, "record": record, "f": item},
                  status=status)


@login_required
def cell(request, object_name: str, record_id: int, field_name: str):
    """GET: the cell's editor (or, with ?cancel=1, its display); POST: save it."""
    _tenant, obj = object_or_404(object_name, request)
    field = _field(obj, request, field_name)
    record = _record(object_name, record_id, request, field)
    if request.method == "GET":
        if request.GET.get("cancel"):
            return _display_cell(request, obj, record, field)
        return _edit_cell(request, obj, record, field, field_value(record, field), [])
    value = widget_for(field).value_from(request.POST, field.api_name)
    if value is UNCHANGED:
        return _display_cell(request, obj, record, field)
    version = request.POST.get("version", "")
    try:
        service.update_record(object_name, record_id, {field.api_name: None if value == "" else value}, request.user,
                              expected_version=int(version) if version.isdigit() else None)
    except ValidationFailed as exc:
        return _edit_cell(request, obj, record, field, value, error_messages(exc), status=422)
    except (Conflict, PermissionDenied) as exc:
        return _edit_cell(request, obj, record, field, value, error_messages(exc), status=exc.status)
    return _display_cell(request, obj, _record(object_name, record_id, request, field), field)
