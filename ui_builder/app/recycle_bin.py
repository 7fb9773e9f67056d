"""The recycle bin (`/app/recycle-bin/`): deleted records the user may see, per object, with restore."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from metadata.cache import get_meta
from tessera.errors import NotFound, PermissionDenied, TesseraError
from tessera.records import service

from .lists import count_text
from .pages import object_or_404, render_page

ROWS_PER_OBJECT = 50


@login_required
def recycle_bin(request):
    language = get_language()
    access = service.access_for(request.user)
    groups = []
    for obj in get_meta().objects.values():
        if not access.can(obj, "read"):
            continue
        try:
            page = service.list_records(obj.api_name, request.user, deleted=True, sort=["-created_at"],
                                        limit=ROWS_PER_OBJECT, fields=[obj.name_field], count=True)
        except TesseraError:
            continue
        if page.records:
            groups.append({"object": obj, "label": obj.label(language, plural=True), "records": page.records,
                           "count": count_text(page), "can_restore": access.can(obj, "edit")})
    return render_page(request, "ui_builder/app/recycle_bin.html", {
        "groups": groups, "days": getattr(settings, "TESSERA_RECYCLE_BIN_DAYS", 30)})


@login_required
@require_POST
def restore(request, object_name: str, record_id: int):
    object_or_404(object_name, request)
    try:
        service.restore_record(object_name, record_id, request.user)
    except (NotFound, PermissionDenied):
        raise Http404(object_name) from None
    return HttpResponseRedirect(reverse("app:record", kwargs={"object_name": object_name, "record_id": record_id}))
