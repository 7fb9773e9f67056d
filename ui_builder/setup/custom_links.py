"""`/setup/objects/<object>/links/`: custom links — a label and a URL template filled from the
record (`https://map.example.com/?q={city}`), shown on the record page, in a new window or not.
Saved as the object's `custom_links` through the object service, which checks the placeholders
and allows only safe schemes (metadata/custom_links.py)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metadata.services import update_object
from tessera.errors import TesseraError

from .access import setup_view
from .form_state import errors_in_place, labels_in_every_language
from .names import languages, new_api_name, object_for_setup
from .pages import render_setup


@setup_view
@require_http_methods(["GET", "POST"])
def custom_links(request, object_name: str):
    language = get_language()
    obj = object_for_setup(object_name)
    links = [dict(link) for link in obj.spec.get("custom_links", ())]
    errors: list[str] = []
    if request.method == "POST":
        links = _posted(request.POST)
        try:
            update_object(obj.api_name, {"custom_links": links}, request.user)
        except TesseraError as exc:
            by_field, general = errors_in_place(exc)
            errors = general + [m for found in by_field.values() for m in found]
        else:
            messages.success(request, _("Custom links saved."))
            return redirect("setup:custom_links", object_name=obj.api_name)
    rows = [{"index": i, "api_name": link.get("api_name", ""), "template": link.get("template", ""),
             "new_window": link.get("new_window", False),
             "labels": [(code, name, (link.get("labels") or {}).get(code, "")) for code, name in languages()]}
            for i, link in enumerate([*links, {}])]
    context = {
        "title": _("Custom links"), "object": obj, "object_label": obj.label(language), "rows": rows, "errors": errors,
        "placeholders": [(f.label(language), "{" + f.api_name + "}") for f in obj.fields],
    }
    return render_setup(request, "ui_builder/setup/links/list.html", context, section="objects",
                        object_name=obj.api_name, tab="links", status=400 if errors else 200)


def _posted(post) -> list[dict]:
    links = []
    taken = set(post.getlist("link"))
    for i in post.getlist("link"):
        template = post.get(f"template_{i}", "").strip()
        if not template or post.get(f"remove_{i}") == "on":
            continue
        api_name = post.get(f"api_name_{i}") or new_api_name("link", taken)
        taken.add(api_name)
        links.append({"api_name": api_name, "template": template,
                      "labels": labels_in_every_language(post, f"label_{i}", languages()) or {"en": template[:40]},
                      "new_window": post.get(f"new_window_{i}") == "on"})
    return links
