"""Merge two duplicates from a record page (`/app/<object>/<id>/merge/`): find the other record (search
in the same object), compare them side by side — one radio per field the user may read and change
where the two differ — choose which record is kept, confirm; the kept record's page follows.

The page shows only what the user may read (fields by field-level security, records by the
permission service: another record they may not read is "not found"); the merge itself is one
call of tessera.records.merge, whose errors come back in place with every choice kept."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metadata.meta import ObjectMeta
from tessera.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tessera.records import merge, service
from tessera.records.record import Record

from ..messages import error_messages
from .cells import display, expansions
from .pages import object_or_404, render_page


def _record_or_none(object_name: str, record_id: object, request) -> Record | None:
    try:
        return service.get_record(object_name, int(str(record_id)), request.user)
    except (ValueError, NotFound, PermissionDenied):
        return None


def _rows(obj: ObjectMeta, this: Record, other: Record, request, picks: dict[str, str], errors: dict) -> list[dict]:
    """One row per field the user may read that either record fills: both values as the field
    shows them, and a choice where the values differ and the user may change the field."""
    language = get_language()
    access = service.access_for(request.user)
    fields = [f for f in service.readable_fields(obj, access) if not f.type.computed
              and (this.values.get(f.api_name) is not None or other.values.get(f.api_name) is not None)]
    expanded = expansions([this, other], fields, request.user)
    rows = []
    for f in fields:
        mine, theirs = this.values.get(f.api_name), other.values.get(f.api_name)
        choose = merge.mergeable(obj, f, access) and not f.type.equal(mine, theirs)
        default = str(other.id) if mine is None and theirs is not None else str(this.id)
        rows.append({"api_name": f.api_name, "label": f.label(language), "choose": choose,
                     "picked": picks.get(f.api_name, default),
                     "cells": [{"id": r.id, "html": display(r, f, language, expanded[f.api_name].get(r.values.get(f.api_name)))}
                               for r in (this, other)],
                     "errors": [str(d.message) for d in errors.get(f.api_name, ())]})
    return rows


def _choices(obj: ObjectMeta, post, survivor: int, this: Record, other: Record) -> dict[str, str]:
    """The form's picks (field → the id of the record whose value is kept) as the service's sides."""
    choices = {}
    for key, value in post.items():
        if key.startswith("pick.") and value in (str(this.id), str(other.id)):
            choices[key[5:]] = merge.SURVIVOR if value == str(survivor) else merge.LOSER
    return choices


def _merge(request, obj: ObjectMeta, this: Record, other: Record) -> tuple[HttpResponseRedirect | None, dict]:
    """Run the merge the form asks for; (redirect to the kept record, {}) or (None, what to show)."""
    post = request.POST
    survivor = other.id if post.get("survivor") == str(other.id) else this.id
    loser = other.id if survivor == this.id else this.id
    versions = {}
    for record in (this, other):
        raw = post.get(f"version.{record.id}", "")
        if raw.isdigit():
            versions[record.id] = int(raw)
    try:
        merge.merge_records(obj.api_name, survivor, loser, _choices(obj, post, survivor, this, other), request.user,
                            versions=versions)
    except ValidationFailed as exc:
        return None, {"field_errors": exc.field_errors, "problems": [str(d.message) for d in exc.non_field_errors],
                      "status": 400}
    except (Conflict, PermissionDenied) as exc:
        return None, {"field_errors": {}, "problems": error_messages(exc), "status": 409 if isinstance(exc, Conflict) else 403}
    except NotFound:
        raise Http404(obj.api_name) from None
    target = reverse("app:record", kwargs={"object_name": obj.api_name, "record_id": survivor})
    return HttpResponseRedirect(target), {}


@login_required
def merge_records(request, object_name: str, record_id: int):
    _tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    this = _record_or_none(object_name, record_id, request)
    if this is None:
        raise Http404(object_name)
    context: dict = {"object": obj, "record": this, "title": this.name or f"#{this.id}",
                     "allowed": access.can(obj, "edit") and access.can(obj, "delete"), "problems": []}
    other_id = request.POST.get("other") or request.GET.get("other") or ""
    other = _record_or_none(object_name, other_id, request) if other_id else None
    if other_id and (other is None or other.id == this.id):
        context["problems"] = [_("Choose another record of this object that you can see.")]
        other = None
    if other is None and context["allowed"]:
        context["suggested"] = merge.possible_duplicates(object_name, this.id, request.user)
    shown: dict = {"field_errors": {}, "status": 200}
    if other is not None and request.method == "POST" and context["allowed"]:
        done, shown = _merge(request, obj, this, other)
        if done is not None:
            return done
        context["problems"] = shown["problems"]
        other = _record_or_none(object_name, other.id, request) or other
    if other is not None:
        picks = {k[5:]: v for k, v in request.POST.items() if k.startswith("pick.")}
        rows = _rows(obj, this, other, request, picks, shown["field_errors"])
        in_rows = {row["api_name"] for row in rows}
        context["problems"] += [str(d.message) for name, details in shown["field_errors"].items()
                                if name not in in_rows for d in details]
        context.update(other=other, survivor=request.POST.get("survivor", str(this.id)), rows=rows)
    return render_page(request, "ui_builder/app/merge.html", context, obj=obj, status=shown["status"])

