"""Saving a list's current state (columns, their widths, filters, sort) as a list view: personal, or shared with
everyone when the user has the customise right - through the metadata service like the API."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from metadata.services.list_views import create_list_view
from tessera.errors import PermissionDenied, ValidationFailed
from tessera.records import service

from .lists import parse_widths
from .pages import object_or_404
from .query_string import url_filters

MAX_NAME = 100


@login_required
@require_POST
def save_view(request, object_name: str):
    _tenant, obj = object_or_404(object_name, request)
    back = reverse("app:list", kwargs={"object_name": object_name})
    state = request.POST.get("state", "")
    name = request.POST.get("name", "").strip()[:MAX_NAME]
    columns = [c for c in request.POST.get("columns", "").split(",") if c]
    sort = [s for s in request.POST.get("sort", "").split(",") if s][:3]
    filters = dict(url_filters(QueryDict(state)))
    widths = {c: w for c, w in parse_widths(request.POST.get("widths", "")).items() if c in columns}
    spec = {"api_name": f"view_{uuid.uuid4().hex[:10]}", "labels": {get_language(): name or obj.label(get_language())},
            "columns": columns, "filters": filters, "sort": sort, **({"widths": widths} if widths else {}),
            "shared": request.POST.get("shared") == "1" and service.access_for(request.user).has_right("customize")}
    try:
        view = create_list_view(object_name, spec, request.user)
    except (ValidationFailed, PermissionDenied) as exc:
        return HttpResponseRedirect(back + "?" + urlencode({"problem": str(exc.message)}))
    return HttpResponseRedirect(back + "?" + urlencode({"view": view.api_name}))
