"""`/setup/objects/<object>/rules/`: validation rules (a formula that, when true, refuses the save
with a message, shown next to a field) and duplicate rules (查重: fields whose values may not
repeat, each compared normalised — case, spaces and punctuation ignored — or exactly as typed;
block or warn). Both are properties of the object, changed through update_object."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.meta import ObjectMeta, pick_label, thaw
from metadata.services import update_object
from metadata.services.naming import name_from_labels
from tessera.errors import TesseraError

from .access import setup_view
from .forms import error_map, labels_from, languages
from .pages import object_or_404, render_setup


@setup_view
@require_http_methods(["GET", "POST"])
def rules(request, object_name: str):
    obj = object_or_404(object_name)
    language = get_language()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        kind, changes = _changes(obj, request.POST)
        try:
            update_object(obj.api_name, {kind: changes}, request.user)
        except TesseraError as exc:
            errors = error_map(exc)
        else:
            return redirect(request.path + "?saved=1")
    validation = [{"rule": r, "message": pick_label(r.get("message", {}), language),
                   "field": obj.field(r.get("field", "")).label(language) if obj.field(r.get("field", "")) else "",
                   "active": r.get("active", True)} for r in obj.spec.get("validation_rules", ())]
    duplicate = [{"rule": r, "label": pick_label(r.get("labels", {}), language) or r["api_name"],
                  "fields": [(f, obj.field(f).label(language), (r.get("match") or {}).get(f) == "exact")
                             for f in r["fields"] if obj.field(f)],
                  "active": r.get("active", True)} for r in obj.spec.get("duplicate_rules", ())]
    context = {"object": obj, "validation": validation, "duplicate": duplicate, "languages": languages(),
               "fields": [(f.api_name, f.label(language)) for f in obj.fields if f.writable],
               "text_fields": [(f.api_name, f.label(language)) for f in obj.fields if f.type.slot_family == "t"
                               and not f.type.computed],
               "errors": [m for ms in errors.values() for m in ms], "posted": request.POST,
               "saved": request.GET.get("saved") == "1", "title": _("Rules")}
    return render_setup(request, "ui_builder/setup/rules.html", context, section="objects",
                        object_name=obj.api_name, tab="rules", status=400 if errors else 200)


def _changes(obj: ObjectMeta, data) -> tuple[str, list]:
    """(which list, the list as it will be) for the form posted: add a rule, switch one on or
    off, delete one."""
    kind = "duplicate_rules" if data.get("kind") == "duplicate" else "validation_rules"
    current = [dict(thaw(r)) for r in obj.spec.get(kind, ())]
    name = data.get("rule", "")
    if data.get("action") == "delete":
        return kind, [r for r in current if r["api_name"] != name]
    if data.get("action") == "toggle":
        for r in current:
            if r["api_name"] == name:
                r["active"] = not r.get("active", True)
        return kind, current
    if data.get("action") == "match":  # a duplicate rule's field: normalised ⇄ exact
        for r in current:
            if r["api_name"] == name:
                match = dict(r.get("match") or {})
                if match.pop(data.get("field", ""), None) != "exact":
                    match[data.get("field", "")] = "exact"
                r["match"] = match
                if not match:
                    r.pop("match")
        return kind, current
    taken = {r["api_name"] for r in current}
    if kind == "validation_rules":
        message = labels_from(data, "message")
        rule = {"api_name": name_from_labels(message, taken, fallback="rule"), "formula": data.get("formula", "").strip(),
                "message": message, "active": True}
        if data.get("field"):
            rule["field"] = data["field"]
    else:
        labels = labels_from(data, "labels")
        fields = data.getlist("fields")
        rule = {"api_name": name_from_labels(labels, taken, fallback="rule"), "labels": labels,
                "fields": fields, "action": data.get("on_match", "warn"), "active": True}
        exact = {name: "exact" for name in data.getlist("exact") if name in fields}
        if exact:
            rule["match"] = exact
    return kind, [*current, rule]
