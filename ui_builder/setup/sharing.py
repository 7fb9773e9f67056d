"""`/setup/sharing/`: organisation-wide defaults (each object private, public read or public read
and write — the object's `sharing_model`, through the metadata service) and sharing rules: records
matching criteria built with the CRM's filter builder are shared with a department or a role
(tessera.security.services)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metadata.cache import get_meta
from metadata.services import update_object
from tessera.errors import TesseraError
from tessera.records import service
from tessera.security import services
from tessera.security.models import Department, Role

from ..app.filters import condition_from, filterable_fields
from ..app.query_string import FILTER_PREFIX
from .form_state import act_then_redirect, errors_in_place
from .pages import render_setup
from .rights import manage_users_view

MODELS = [("private", gettext_lazy("Private: owners, their managers and shares")),
          ("public_read", gettext_lazy("Public read: everyone reads, owners edit")),
          ("public_read_write", gettext_lazy("Public read and write"))]


@manage_users_view
@require_http_methods(["GET", "POST"])
def sharing(request):
    language = get_language()
    meta = get_meta()
    objects = sorted(meta.objects.values(), key=lambda o: o.label(language))
    chosen = meta.object(request.POST.get("object") or request.GET.get("object") or "") or (objects[0] if objects else None)
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    draft = {"name": "", "target": "", "access": "read", "include_sub": False, "filters": []}
    if request.method == "POST":
        draft = _draft(request.POST)
        op = request.POST.get("op", "save")
        if op == "add_filter" and chosen is not None:
            condition = condition_from(request.POST, chosen, service.access_for(request.user))
            if condition is not None:
                draft["filters"].append([condition[0][len(FILTER_PREFIX):], condition[1]])
        elif op == "save" and chosen is not None:
            kind, _sep, target = draft["target"].partition(":")
            data = {"name": draft["name"], "object": chosen.api_name, "filters": draft["filters"],
                    "department": int(target) if kind == "department" and target.isdigit() else None,
                    "role": int(target) if kind == "role" and target.isdigit() else None,
                    "include_sub": draft["include_sub"], "access": draft["access"]}
            try:
                services.create_rule(data, request.user)
            except TesseraError as exc:
                errors, form_errors = errors_in_place(exc)
            else:
                messages.success(request, _("Sharing rule saved."))
                return redirect(f"{request.path}?object={chosen.api_name}")
    rules = services.list_rules(request.user)
    context = {
        "title": pgettext("setup section", "Sharing"), "models": MODELS, "errors": errors, "form_errors": form_errors, "draft": draft,
        "defaults": [(o.api_name, o.label(language), o.spec.get("sharing_model", "public_read_write")) for o in objects],
        "objects": [(o.api_name, o.label(language)) for o in objects], "chosen": chosen,
        "rules": [{"rule": r, "object": meta.objects_by_id[r.object_id].label(language) if r.object_id in meta.objects_by_id else "",
                   "criteria": "; ".join(f"{k} = {v}" for k, v in r.filters) or _("every record"),
                   "target": r.department.name if r.department_id else r.role.name if r.role_id else ""} for r in rules],
        "targets": [(f"department:{pk}", _("Department: %(name)s") % {"name": name})
                    for pk, name in Department.objects.order_by("name").values_list("id", "name")]
        + [(f"role:{pk}", _("Role: %(name)s") % {"name": name}) for pk, name in Role.objects.order_by("name").values_list("id", "name")],
        "filter_fields": [(f.api_name, f.label(language)) for f in filterable_fields(chosen, service.access_for(request.user))]
        if chosen else [],
    }
    return render_setup(request, "ui_builder/setup/people/sharing.html", context, section="sharing",
                        status=400 if errors or form_errors else 200)


def _draft(post) -> dict:
    filters = [[k, post.get(f"filter_{i}", "")] for i, k in enumerate(post.getlist("filter_key"))
               if str(i) not in post.getlist("filter_remove")]
    return {"name": post.get("name", "").strip(), "target": post.get("target", ""),
            "access": post.get("access", "read"), "include_sub": post.get("include_sub") == "on", "filters": filters}


@manage_users_view
@require_POST
def org_defaults(request):
    """Save the organisation-wide default of every object whose choice changed."""
    meta = get_meta()
    for obj in meta.objects.values():
        chosen = request.POST.get(f"model_{obj.api_name}")
        if chosen and chosen != obj.spec.get("sharing_model"):
            try:
                update_object(obj.api_name, {"sharing_model": chosen}, request.user)
            except TesseraError as exc:
                messages.error(request, f"{obj.label(get_language())}: {exc.message}")
    messages.success(request, _("Organisation-wide defaults saved."))
    return redirect("setup:sharing")


@manage_users_view
@require_POST
def rule_delete(request, rule_id: int):
    return act_then_redirect(request, lambda: services.delete_rule(rule_id, request.user), "setup:sharing")


@manage_users_view
@require_POST
def rule_toggle(request, rule_id: int):
    def toggle() -> None:
        rule = services.get_rule(rule_id, request.user)
        services.update_rule(rule_id, {"active": not rule.active}, request.user)

    return act_then_redirect(request, toggle, "setup:sharing")
