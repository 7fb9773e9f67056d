"""Global search (`/app/search/?q=`): across the objects the user may read, records whose name starts
with the text, whose phone numbers or unique fields (account numbers…) equal it - each object's
hits under the permission predicate like any list, through indexed fields only."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import get_language

from metadata.cache import get_meta
from tessera.errors import TesseraError
from tessera.records import service
from tessera.security.services import directory

from .pages import render_page
from .widgets import widget_for

HITS_PER_OBJECT = 5
MIN_LENGTH = 1
LOOKUP_CHOICES = 20


PHONE_LIKE = re.compile(r"^\+?[\d\s-]{5,}$")


def _lookups(obj, readable: list, text: str) -> list[list[tuple[str, str]]]:
    """The searches one object answers for `text`, each a list of filters: the name starting with
    it; for a phone-like text every readable phone field equal to it; every readable unique field
    equal to it (an account number, a tax id)."""
    searches = [[(f"{obj.name_field}__startswith", text)]]
    for field in readable:
        if field.api_name == obj.name_field:
            continue
        if field.unique and not field.type.computed:
            searches.append([(field.api_name, text)])
        elif widget_for(field).holds_phone_numbers and PHONE_LIKE.match(text):
            searches.append([(field.api_name, text)])
    return searches


def search_records(request, text: str, language: str | None) -> list[dict]:
    tenant = get_meta()
    access = service.access_for(request.user)
    groups = []
    for obj in tenant.objects.values():
        if not obj.spec.get("in_search", True) or not access.can(obj, "read"):
            continue
        found: dict[int, object] = {}
        for filters in _lookups(obj, service.readable_fields(obj, access), text):
            try:
                page = service.list_records(obj.api_name, request.user, filters=filters, sort=[obj.name_field],
                                            limit=HITS_PER_OBJECT, fields=[obj.name_field])
            except TesseraError:  # a value the field cannot hold (text in a number field) finds nothing
                continue
            for record in page.records:
                found.setdefault(record.id, record)
            if len(found) >= HITS_PER_OBJECT:
                break
        if found:
            groups.append({"object": obj, "label": obj.label(language, plural=True),
                           "records": list(found.values())[:HITS_PER_OBJECT]})
    return groups


@login_required
def search(request):
    language = get_language()
    text = request.GET.get("q", "").strip()
    groups = search_records(request, text, language) if len(text) >= MIN_LENGTH else []
    template = "ui_builder/app/search_results.html" if request.headers.get("HX-Request") else "ui_builder/app/search.html"
    return render_page(request, template, {"q": text, "groups": groups})


@login_required
def lookup_options(request, object_name: str):
    """Records of `object_name` whose name starts with `q`, for a lookup's search-as-you-type
    (Tom Select): JSON [{value, text}], under the same rights as any list."""
    text = request.GET.get("q", "").strip()
    try:
        _tenant, obj = service.get_object_meta(object_name)
        filters = [(f"{obj.name_field}__startswith", text)] if text else []
        page = service.list_records(object_name, request.user, filters=filters, sort=[obj.name_field],
                                    limit=LOOKUP_CHOICES, fields=[obj.name_field])
    except TesseraError as exc:
        return JsonResponse({"results": [], "error": str(exc.message)}, status=exc.status)
    return JsonResponse({"results": [{"value": r.id, "text": r.name or f"#{r.id}"} for r in page.records]})


@login_required
def lookup_users(request):
    text = request.GET.get("q", "").strip()
    return JsonResponse({"results": [{"value": pk, "text": name}
                                     for pk, name in directory.user_choices(request.user, text)]})
