"""What every /app/ page shares: the object from the URL, the shell's context, rendering."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from metadata.cache import get_meta
from metadata.meta import ObjectMeta, TenantMeta
from tessera.errors import NotFound
from tessera.records import service

from .navigation import nav_entries, object_color
from .recent import recent_items


def object_or_404(object_name: str, request) -> tuple[TenantMeta, ObjectMeta]:
    """The object named in the URL, when it exists and the user may read it (else a 404 page: an
    object the user may not read is not announced)."""
    try:
        tenant, obj = service.get_object_meta(object_name)
    except NotFound:
        raise Http404(object_name) from None
    if not service.access_for(request.user).can(obj, "read"):
        raise Http404(object_name)
    return tenant, obj


def render_page(request, template: str, context: dict[str, Any], *, obj: ObjectMeta | None = None,
                status: int = 200):
    """Render a full page with the app shell (navigation, recent items), or just the template's
    content for an htmx request that asks for a part of the page."""
    language = get_language()
    tenant = get_meta()
    context = {
        **context,
        "nav": nav_entries(tenant, service.access_for(request.user), language),
        "current_object": obj,
        "object_label": obj.label(language) if obj is not None else "",
        "object_color": object_color(obj) if obj is not None else None,
        "recent": recent_items(request),
        "language": language,
    }
    return render(request, template, context, status=status)
