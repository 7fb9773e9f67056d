"""`/setup/profiles/`: profiles and permission sets as matrices — objects × create / read / edit /
delete / view all / modify all, the administrative rights, and for one object at a time its fields ×
hidden / read-only / editable. Saved whole through tessera.security.services.update_spec (its
schema, its audit entry); the administrator profile always keeps every right."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.cache import get_meta
from metadata.meta import ObjectMeta
from tessera.errors import NotFound, TesseraError
from tessera.security import services

from .form_state import errors_in_place, labels_in_every_language
from .names import languages, new_api_name
from .pages import render_setup
from .rights import manage_users_view
from .users import profile_label

KINDS = {"profile": gettext_lazy("Profile"), "permission_set": gettext_lazy("Permission set")}
ACTIONS = [("create", gettext_lazy("Create")), ("read", gettext_lazy("Read")), ("edit", gettext_lazy("Edit")),
           ("delete", gettext_lazy("Delete")), ("view_all", gettext_lazy("View all")),
           ("modify_all", gettext_lazy("Modify all"))]
ADMIN = [("customize", gettext_lazy("Customise the CRM (setup)")), ("manage_users", gettext_lazy("Manage users and rights")),
         ("export", gettext_lazy("Export")), ("view_audit_log", gettext_lazy("View the audit log")),
         ("view_all_data", gettext_lazy("View all data")), ("modify_all_data", gettext_lazy("Modify all data"))]
LEVELS = [("hidden", gettext_lazy("Hidden")), ("read_only", gettext_lazy("Read-only")), ("editable", gettext_lazy("Editable"))]


@manage_users_view
@require_http_methods(["GET", "POST"])
def profile_list(request):
    language = get_language()
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        kind = request.POST.get("kind") if request.POST.get("kind") in KINDS else "profile"
        taken = {row.api_name for row in services.list_specs(kind, request.user)}
        api_name = new_api_name(kind, taken)
        spec = {"labels": labels_in_every_language(request.POST, "label", languages())}
        try:
            services.create_spec(kind, {"api_name": api_name, "spec": spec}, request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
        else:
            return redirect("setup:profile", kind=kind, api_name=api_name)
    context = {
        "title": _("Profiles"), "languages": languages(), "errors": errors, "form_errors": form_errors,
        "groups": [(kind, label, [(row.api_name, profile_label(row, language)) for row in services.list_specs(kind, request.user)])
                   for kind, label in KINDS.items()],
    }
    return render_setup(request, "ui_builder/setup/people/profiles.html", context, section="profiles",
                        status=400 if errors or form_errors else 200)


@manage_users_view
@require_http_methods(["GET", "POST"])
def profile_edit(request, kind: str, api_name: str):
    if kind not in KINDS:
        raise Http404(kind)
    language = get_language()
    try:
        row = services.get_spec(kind, api_name, request.user)
    except NotFound:
        raise Http404(api_name) from None
    meta = get_meta()
    objects = sorted(meta.objects.values(), key=lambda o: o.label(language))
    chosen = meta.object(request.GET.get("object") or request.POST.get("object") or "") or (objects[0] if objects else None)
    spec = copy.deepcopy(row.spec)
    form_errors: list[str] = []
    if request.method == "POST":
        spec = _posted(request.POST, spec, kind, objects, chosen)
        try:
            services.update_spec(kind, api_name, {"spec": spec}, request.user)
        except TesseraError as exc:
            by_field, general = errors_in_place(exc)
            form_errors = general + [m for found in by_field.values() for m in found]
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?object={chosen.api_name if chosen else ''}")
    default = spec.get("default_object") or {}
    entries = spec.get("objects") or {}
    fields = (entries.get(chosen.api_name) or {}).get("fields") or {} if chosen else {}
    locked = kind == "profile" and api_name == "administrator"
    context = {
        "title": profile_label(row, language), "kind": kind, "kind_label": KINDS[kind], "row": row,
        "locked": locked, "form_errors": form_errors,
        "actions": ACTIONS, "levels": LEVELS,
        "admin": [(key, label, bool((spec.get("admin") or {}).get(key))) for key, label in ADMIN],
        "default": [(key, bool(default.get(key))) for key, _label in ACTIONS],
        "matrix": [(o.api_name, o.label(language),
                    [(key, bool((entries.get(o.api_name) or {}).get(key, default.get(key, False) if kind == "profile" else False)))
                     for key, _label in ACTIONS]) for o in objects],
        "objects": [(o.api_name, o.label(language)) for o in objects], "chosen": chosen,
        "chosen_label": chosen.label(language) if chosen else "",
        "field_levels": _field_levels(chosen, fields, kind, locked=locked, language=language) if chosen else [],
    }
    return render_setup(request, "ui_builder/setup/people/profile_edit.html", context, section="profiles",
                        status=400 if form_errors else 200)


def _field_levels(obj: ObjectMeta, levels: dict, kind: str, *, locked: bool,
                  language: str) -> list[tuple[str, SafeString]]:
    """Each field's label and its row of level radios (a permission set's first: "not granted").
    Built here once rather than by template loops: 300 fields × 3 levels drew 900 radios through
    the template engine, each translating its level's label again. Every text is escaped once
    (a field's name and label per row, a level's label per page) before it goes into the markup."""
    columns = [("", "—")] if kind != "profile" else []
    columns += [(key, escape(str(label))) for key, label in LEVELS]
    disabled = " disabled" if locked else ""
    rows = []
    for field in obj.fields:
        label, level = field.label(language), levels.get(field.api_name, "editable" if kind == "profile" else "")
        name, text = escape(field.api_name), escape(label)
        rows.append((label, mark_safe("".join(  # noqa: S308 - every piece escaped above
            f'<td class="center"><input type="radio" name="level_{name}" value="{key}" aria-label="{text}: {column}"'
            f'{" checked" if key == level else ""}{disabled if key else ""}></td>' for key, column in columns))))
    return rows


def _posted(post, spec: dict, kind: str, objects, chosen) -> dict:
    """The matrix as a spec: every object gets its row (so the default never decides silently);
    field levels only for the object on the page (the others keep theirs)."""
    spec["admin"] = {key: True for key, _label in ADMIN if post.get(f"admin_{key}") == "on"}
    if kind == "profile":
        spec["default_object"] = {key: post.get(f"default_{key}") == "on" for key, _label in ACTIONS}
    entries = spec.get("objects") or {}
    for obj in objects:
        entry = {key: post.get(f"{obj.api_name}__{key}") == "on" for key, _label in ACTIONS}
        fields = dict((entries.get(obj.api_name) or {}).get("fields") or {})
        if chosen is not None and obj.api_name == chosen.api_name:
            fields = {f.api_name: post[f"level_{f.api_name}"] for f in obj.fields
                      if post.get(f"level_{f.api_name}") in ("hidden", "read_only", "editable")
                      and not (kind == "profile" and post.get(f"level_{f.api_name}") == "editable")}
        if fields:
            entry["fields"] = fields
        entries[obj.api_name] = entry
    spec["objects"] = entries
    return spec
