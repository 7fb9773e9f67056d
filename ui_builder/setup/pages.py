"""What every setup page shares: rendering inside the setup shell."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language

from metadata.meta import ObjectMeta
from metadata.services.common import get_object
from tessera.errors import NotFound

from .navigation import object_tabs, section_links


def render_setup(request, template: str, context: dict[str, Any], *, section: str, status: int = 200,
                 object_name: str | None = None, tab: str = ""):
    """A setup page (or, for an htmx request, the part of it the template's partial names): the
    shell's navigation with `section` active and, on an object's designer pages, its tabs."""
    context = {
        **context,
        "setup_nav": section_links(section),
        "object_tabs": object_tabs(object_name, tab) if object_name else (),
        "language": get_language(),
    }
    return render(request, template, context, status=status)


def object_or_404(object_name: str) -> ObjectMeta:
    """The object named in a designer's URL (a 404 page when there is none)."""
    try:
        return get_object(object_name)
    except NotFound:
        raise Http404(object_name) from None
