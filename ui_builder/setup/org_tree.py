"""`/setup/departments/` and `/setup/roles/`: the department tree and the role hierarchy. A node is
added under a parent, renamed, moved (dragged onto another node, or by choosing its new parent:
the keyboard way) and deleted when nothing uses it — all through tessera.security.services, which
refuses cycles and nodes still in use."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tessera.errors import TesseraError
from tessera.security import services

from .form_state import errors_in_place
from .pages import render_setup
from .rights import manage_users_view

TITLES = {"department": gettext_lazy("Departments"), "role": gettext_lazy("Roles")}
SECTIONS = {"department": "departments", "role": "roles"}


def tree(nodes) -> list[dict]:
    """Nodes as a nested list (children by name), each with its depth and its descendants' ids."""
    by_parent: dict[int | None, list] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)

    def build(parent: int | None, depth: int) -> list[dict]:
        branch = []
        for node in sorted(by_parent.get(parent, ()), key=lambda n: n.name):
            children = build(node.pk, depth + 1)
            below = {node.pk} | {i for c in children for i in c["subtree"]}
            branch.append({"node": node, "depth": depth, "children": children, "subtree": below})
        return branch

    return build(None, 0)


def _flat(branch: list[dict]) -> list[dict]:
    return [item for entry in branch for item in (entry, *_flat(entry["children"]))]


@manage_users_view
@require_http_methods(["GET", "POST"])
def org_tree(request, kind: str):
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "create")
        node = request.POST.get("node", "")
        parent = request.POST.get("parent", "")
        data = {"name": request.POST.get("name", ""), "parent": int(parent) if parent.isdigit() else None}
        try:
            if action == "create":
                services.create_node(kind, data, request.user)
            elif action == "rename":
                services.update_node(kind, node, {"name": data["name"]}, request.user)
            elif action == "move":
                services.update_node(kind, node, {"parent": data["parent"]}, request.user)
            elif action == "delete":
                services.delete_node(kind, node, request.user)
        except TesseraError as exc:
            errors, form_errors = errors_in_place(exc)
            if action != "create":  # a row's error goes above the tree
                form_errors += [m for found in errors.values() for m in found]
                errors = {}
        else:
            messages.success(request, _("Saved."))
            return redirect(f"setup:{SECTIONS[kind]}")
    branch = tree(services.list_nodes(kind, request.user))
    flat = _flat(branch)
    context = {
        "title": TITLES[kind], "kind": kind, "tree": branch, "errors": errors, "form_errors": form_errors,
        "rows": [{**entry, "parents": [(o["node"].pk, o["node"].name, o["depth"]) for o in flat
                                       if o["node"].pk not in entry["subtree"]]} for entry in flat],
        "all_nodes": [(o["node"].pk, o["node"].name, o["depth"]) for o in flat],
        "name": request.POST.get("name", "") if errors else "",
    }
    return render_setup(request, "ui_builder/setup/people/org_tree.html", context, section=SECTIONS[kind],
                        status=400 if errors or form_errors else 200)
