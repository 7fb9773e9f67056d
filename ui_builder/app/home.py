"""The user's desktop (`/app/`): the registered home panels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import get_language

from .cells import rows
from .pages import render_page
from .panels import home_panels


@login_required
def home(request):
    language = get_language()
    shown = []
    for panel, context in home_panels(request):
        if "records" in context:
            fields = context.get("fields", [])
            context = {**context, "rows": rows(context["records"], fields, language, request.user),
                       "columns": [f.label(language) for f in fields],
                       "object_label": context["object"].label(language)}
        shown.append({"panel": panel, "context": context})
    return render_page(request, "ui_builder/app/home.html", {"panels": shown})
