"""A record's activity timeline: its activities (calls, visits, meetings… of the activity object that
point at it) merged with its field history, newest first; and "log a call / visit / meeting" in place.

The activity object is found by metadata, not by name in code paths: the timeline shows the records
of `ACTIVITY_OBJECT` whose lookup targets the record's object; without one, only history shows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from metadata.meta import FieldMeta, ObjectMeta
from tessera.errors import NotFound, PermissionDenied, TesseraError, ValidationFailed
from tessera.records import service
from tessera.records.record import Record

from .cells import rows
from .pages import object_or_404, render_page

ACTIVITY_OBJECT = "activity"
TIMELINE_ROWS = 20
#: Activity kinds offered by "log" (those the activity type picklist has).
LOGGED_KINDS = ("call", "visit", "meeting", "email")


def activity_link(obj: ObjectMeta, request) -> tuple[ObjectMeta, FieldMeta] | None:
    """The activity object and its lookup to `obj`, when the user may read both."""
    try:
        _tenant, activity = service.get_object_meta(ACTIVITY_OBJECT)
    except NotFound:
        return None
    access = service.access_for(request.user)
    if not access.can(activity, "read"):
        return None
    link = next((f for f in service.readable_fields(activity, access) if f.type.target(f) == obj.api_name), None)
    return (activity, link) if link is not None else None


def timeline(request, obj: ObjectMeta, record: Record, history: list[dict], language) -> dict:
    items = [{"at": entry["at"], "kind": "change", "entry": entry} for entry in history]
    link = activity_link(obj, request)
    log = None
    if link is not None:
        activity, lookup = link
        access = service.access_for(request.user)
        readable = {f.api_name: f for f in service.readable_fields(activity, access)}
        shown = [readable[n] for n in ("type", "status", "description") if n in readable]
        when = readable.get("due_date")
        try:
            page = service.list_records(activity.api_name, request.user, filters=[(lookup.api_name, record.id)],
                                        sort=["-due_date" if when else "-created_at"], limit=TIMELINE_ROWS,
                                        fields=list(dict.fromkeys([activity.name_field, *[f.api_name for f in shown],
                                                                   *([when.api_name] if when else [])])))
        except TesseraError:
            page = None
        for row in rows(page.records if page else [], shown, language, request.user):
            at = row.record.values.get(when.api_name) if when else None
            items.append({"at": at or row.record.values.get("created_at"), "kind": "activity", "row": row,
                          "object": activity})
        type_field = readable.get("type")
        if access.can(activity, "create") and type_field is not None:
            kinds = [c for c in type_field.type.choices(type_field, language)
                     if c["value"] in LOGGED_KINDS and c.get("active", True)]
            log = {"kinds": kinds, "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    items.sort(key=lambda item: item["at"] or epoch, reverse=True)
    return {"items": items[:TIMELINE_ROWS * 2], "log": log}


@login_required
@require_POST
def log_activity(request, object_name: str, record_id: int):
    """Create an activity pointing at the record (and at its account, when both have one); answer
    the timeline again, with the form's errors in place and its values kept."""
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    try:
        record = service.get_record(object_name, record_id, request.user)
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None
    link = activity_link(obj, request)
    if link is None:
        raise Http404(ACTIVITY_OBJECT)
    activity, lookup = link
    data = request.POST
    payload = {activity.name_field: data.get("subject", "").strip() or None, "type": data.get("kind") or None,
               "due_date": data.get("when") or None, "description": data.get("notes") or None,
               lookup.api_name: record.id}
    if activity.field("status") is not None and "done" in (activity.field("status").type.choice_keys(activity.field("status")) or ()):
        payload["status"] = "done"
    parent = next((f for f in obj.fields if f.type.target(f) and activity.field(f.api_name) is not None
                   and activity.field(f.api_name).type.target(activity.field(f.api_name)) == f.type.target(f)), None)
    if parent is not None and record.values.get(parent.api_name):
        payload[parent.api_name] = record.values[parent.api_name]
    errors: list[str] = []
    try:
        service.create_record(activity.api_name, payload, request.user, confirm_duplicates=True)
    except ValidationFailed as exc:
        labels = {f.api_name: f.label(language) for f in activity.fields}
        errors = [f"{labels.get(name, name)}: {d.message}" for name, details in exc.field_errors.items() for d in details]
        errors += [str(d.message) for d in exc.non_field_errors]
    except PermissionDenied as exc:
        errors = [str(exc.message)]
    history = service.record_history(object_name, record.id, request.user)
    context = {"object": obj, "record": record, "timeline": timeline(request, obj, record, history, language),
               "log_errors": errors, "typed": data if errors else {}}
    return render_page(request, "ui_builder/app/timeline.html", context, obj=obj, status=422 if errors else 200)
