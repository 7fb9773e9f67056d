"""Create and edit forms (`/app/<object>/new/`, `/app/<object>/<id>/edit/`).

The form is drawn from the record service's form descriptor (the layout of the record's category,
fields the user may read, read-only where they may not edit, choices narrowed by category) and
saved through the same service as the API: the same validation, duplicate rules, history and
optimistic concurrency. On any error the form comes back with everything the user typed, each
message next to its field; a 409 shows what changed and lets the user keep their values.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tessera.errors import Conflict, NotFound, PermissionDenied, TesseraError, ValidationFailed
from tessera.records import previews, service
from tessera.records.errors import DuplicatesFound
from tessera.records.forms import form_descriptor

from .cells import plain_text
from .pages import object_or_404, render_page
from .widgets import UNCHANGED, widget_for, widgets

#: Element ids of a form in a dialog start with this (the page's own form is under it).
DIALOG_IDS = "dlg-"


def _descriptor(request, object_name: str, record_id: int | None, category: str | None) -> dict:
    try:
        return form_descriptor(object_name, request.user, category=category or None, record_id=record_id,
                               language=get_language())
    except NotFound:
        raise Http404(object_name) from None


def _widget(item: dict):
    name = item["widget"]["widget"]
    return widgets.get(name) if name in widgets else widgets.get("text")


def _narrow_dependent(sections: list[dict], values: dict[str, Any]) -> None:
    """Dependent picklists offer only the values their controlling field's value allows."""
    for section in sections:
        for item in section["fields"]:
            widget = item["widget"]
            controlling = widget.get("controlling_field")
            if not controlling or "choices" not in widget:
                continue
            chosen = values.get(controlling)
            allowed = set(widget.get("dependency", {}).get(chosen, ())) if chosen else set()
            widget["choices"] = [c for c in widget["choices"] if c["value"] in allowed]
            widget["waiting_for"] = not chosen


def payload_from(descriptor: dict, data) -> dict[str, Any]:
    """The values the user may write, read from the submitted form by each field's widget."""
    payload: dict[str, Any] = {}
    for section in descriptor["sections"]:
        for item in section["fields"]:
            if item["read_only"]:
                continue
            value = _widget(item).value_from(data, item["api_name"])
            if value is not UNCHANGED:
                payload[item["api_name"]] = None if value == "" else value
    return payload


@login_required
def record_form(request, object_name: str, record_id: int | None = None):
    """GET draws the form, POST saves it; `?refresh=1` (htmx, on a controlling field's change)
    draws the fields again from what is typed so far, so dependent picklists narrow."""
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    data = request.POST if request.method == "POST" else None
    category = (data or request.GET).get("category", "")
    dialog = (data or request.GET).get("_dialog", "") if record_id is None else ""
    if record_id is None and not category and any(c.active for c in obj.categories.values()):
        return _choose_category(request, obj, dialog)
    try:
        descriptor = _descriptor(request, object_name, record_id, category)
    except PermissionDenied:
        return render_page(request, "ui_builder/app/denied.html", {"object": obj}, obj=obj, status=403)

    typed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    duplicates: list[dict] = []
    conflict = None
    if data is not None:
        typed = payload_from(descriptor, data)
        if request.GET.get("formulas"):
            return _formula_values(request, obj, descriptor, typed, record_id)
        if request.GET.get("refresh") or data.get("_refresh"):
            return _render_form(request, obj, descriptor, typed, {}, [], [], None, record_id, partial=True)
        try:
            record = _save(request, object_name, record_id, typed, data)
        except DuplicatesFound as exc:
            duplicates = exc.matches
        except Conflict as exc:
            conflict = _conflict(request, object_name, record_id, typed, descriptor, language)
            general.append(str(exc.message))
        except ValidationFailed as exc:
            errors = {name: [str(d.message) for d in details] for name, details in exc.field_errors.items()}
            general = [str(d.message) for d in exc.non_field_errors]
        except PermissionDenied as exc:
            general = [str(exc.message)]
        else:
            if dialog:  # the lookup that opened the dialog takes the new record
                return render(request, "ui_builder/app/form_dialog_done.html", {"dialog": dialog, "record": record})
            return HttpResponseRedirect(reverse("app:record", kwargs={"object_name": object_name, "record_id": record.id}))
    elif record_id is None:
        typed = {key: value for key, value in request.GET.items() if key not in ("category", "_dialog")}
    status = 409 if conflict or duplicates else 400 if errors or general else 200
    return _render_form(request, obj, descriptor, typed, errors, general, duplicates, conflict, record_id,
                        status=422 if dialog and status == 400 else status, dialog=dialog)


def _choose_category(request, obj, dialog: str):
    """A new record of an object with categories: the category first (in the dialog, when in one)."""
    language = get_language()
    context = {"object": obj, "label": obj.label(language), "query": request.GET.urlencode(), "dialog": dialog,
               "categories": [{"value": c.api_name, "label": c.label(language)}
                              for c in obj.categories.values() if c.active],
               "title": _("New %(object)s") % {"object": obj.label(language)}}
    if dialog:
        return render(request, "ui_builder/app/form_dialog.html", context)
    return render_page(request, "ui_builder/app/choose_category.html", context, obj=obj)


def _save(request, object_name: str, record_id: int | None, payload: dict, data):
    confirm = data.get("confirm_duplicates") == "1"
    if record_id is None:
        if data.get("category"):
            payload["category"] = data["category"]
        return service.create_record(object_name, payload, request.user, confirm_duplicates=confirm)
    if data.get("category"):  # moving the record to another category (the form asked its fields)
        payload["category"] = data["category"]
    version = data.get("version")
    return service.update_record(object_name, record_id, payload, request.user,
                                 expected_version=int(version) if version and version.isdigit() else None,
                                 confirm_duplicates=confirm)


def _conflict(request, object_name: str, record_id: int | None, typed: dict, descriptor: dict, language) -> dict | None:
    """The other person's saved values next to the user's, for the fields they differ in."""
    if record_id is None:
        return None
    fresh = _descriptor(request, object_name, record_id, descriptor.get("category"))
    theirs = {item["api_name"]: (item, item["value"]) for s in fresh["sections"] for item in s["fields"]}
    changed = []
    for name, mine in typed.items():
        item, value = theirs.get(name, (None, None))
        if item is not None and plain_text(value) != plain_text(mine):
            changed.append({"label": item["label"], "theirs": plain_text(value), "mine": plain_text(mine)})
    return {"version": fresh["record"]["version"], "changed": changed}


def _as_id(value: Any) -> Any:
    """A typed reference ("12") as the id it names (12); anything else unchanged."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def prepare_item(request, item: dict, chosen: Any, errors: list[str], *, controls: bool = False,
                 field_meta=None, dom: str = "") -> dict:
    """Add to a form descriptor's field what its widget template draws: the template, the input's
    value, the selected choices, the text shown for a reference, its errors; `dom` prefixes its
    element ids (a form in a dialog over another form), which then offers no dialog of its own."""
    widget = _widget(item)
    item["dom"] = dom
    item["create_url"] = widget.create_url(field_meta, request.user) if field_meta is not None and not dom else None
    item["template"] = f"ui_builder/widgets/{widget.template}.html"
    item["input_type"] = widget.input_type
    item["accept"] = getattr(widget, "accept", "")
    item["input_value"] = widget.input_value(chosen)
    item["selected_values"] = [str(v) for v in chosen] if isinstance(chosen, list | tuple) else [str(chosen)]
    item["controls"] = controls
    item["display"] = plain_text(chosen)
    if chosen not in (None, "") and not isinstance(chosen, list | tuple | dict):
        referred = widget.expand(field_meta, {_as_id(chosen)}, request.user).get(_as_id(chosen)) if field_meta else None
        item["display"] = referred["name"] if referred else item["display"]
    item["errors"] = errors
    return item


def _formula_values(request, obj, descriptor: dict, typed: dict, record_id: int | None):
    """The form's formula fields computed from what is typed so far (one request for all of them,
    htmx swaps each into place): only those the form shows, which are those the user may read."""
    shown = {item["api_name"] for s in descriptor["sections"] for item in s["fields"]}
    try:
        values = previews.preview_formulas(obj.api_name, {k: v for k, v in typed.items() if v is not UNCHANGED},
                                           request.user, record_id=record_id)
    except TesseraError:
        values = {}
    language = get_language()
    items = []
    for name, value in values.items():
        field = obj.field(name)
        if name in shown and field is not None:
            items.append({"api_name": name, "html": widget_for(field).display(field, value, language=language)})
    return render(request, "ui_builder/app/formula_values.html", {"items": items})


def _previews(request, obj, descriptor: dict, record_id: int | None) -> bool:
    """Mark the form's auto-number fields with the next number (new records) and say whether the
    form shows formula fields (recomputed as the user types)."""
    items = {item["api_name"]: item for s in descriptor["sections"] for item in s["fields"]}
    access = service.access_for(request.user)
    if record_id is None:
        try:
            numbers = previews.next_numbers(obj.api_name, request.user)
        except TesseraError:
            numbers = {}
        for name, number in numbers.items():
            if name in items:
                items[name]["preview"] = number
    return any(f.api_name in items for f in previews.formula_fields(obj, access))


def _render_form(request, obj, descriptor, typed, errors, general, duplicates, conflict, record_id, *,
                 partial=False, status=200, dialog=""):
    values = {item["api_name"]: item["value"] for s in descriptor["sections"] for item in s["fields"]}
    values.update({k: v for k, v in typed.items() if v is not UNCHANGED})
    _narrow_dependent(descriptor["sections"], values)
    controlling = {item["widget"].get("controlling_field") for s in descriptor["sections"] for item in s["fields"]}
    for section in descriptor["sections"]:
        for item in section["fields"]:
            prepare_item(request, item, values.get(item["api_name"]), errors.get(item["api_name"], []),
                         controls=item["api_name"] in controlling, field_meta=obj.field(item["api_name"]),
                         dom=DIALOG_IDS if dialog else "")
    shown = {item["api_name"] for s in descriptor["sections"] for item in s["fields"]}
    unplaced = [message for name, messages in errors.items() if name not in shown for message in messages]
    cancel = (reverse("app:record", kwargs={"object_name": obj.api_name, "record_id": record_id})
              if record_id else reverse("app:list", kwargs={"object_name": obj.api_name}))
    context = {
        "object": obj,
        "form": descriptor,
        "record_id": record_id,
        "general_errors": general + unplaced,
        "error_count": sum(map(len, errors.values())) + len(general),
        "duplicates": duplicates,
        "conflict": conflict,
        "version": (conflict or {}).get("version") or (descriptor["record"] or {}).get("version"),
        "cancel_url": cancel,
        "computes": _previews(request, obj, descriptor, record_id) and not partial and not dialog,
        "dialog": dialog, "dom": DIALOG_IDS if dialog else "",
        "title": (_("Edit %(object)s") if record_id else _("New %(object)s")) % {"object": obj.label(get_language())},
    }
    if partial or dialog:
        return render(request, "ui_builder/app/form_fields.html" if partial else "ui_builder/app/form_dialog.html",
                      context, status=status)
    return render_page(request, "ui_builder/app/form.html", context, obj=obj, status=status)
