"""Global search (`/app/search/?q=`): across the objects the user may read, records whose name
starts with the text (or its pinyin, or its pinyin initials), whose phone numbers equal it in any
format or whose unique fields equal it (tessera.records.search: index-served, permission-aware)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import get_language

from tessera.errors import TesseraError
from tessera.records import search as record_search
from tessera.records import service
from tessera.security.services import directory

from .pages import render_page

MIN_LENGTH = 1
LOOKUP_CHOICES = 20


def search_records(request, text: str, language: str | None) -> list[dict]:
    return [{"object": group.object, "label": group.object.label(language, plural=True), "records": group.records}
            for group in record_search.search_records(request.user, text)]


@login_required
def search(request):
    language = get_language()
    text = request.GET.get("q", "").strip()
    groups = search_records(request, text, language) if len(text) >= MIN_LENGTH else []
    template = "ui_builder/app/search_results.html" if request.headers.get("HX-Request") else "ui_builder/app/search.html"
    return render_page(request, template, {"q": text, "groups": groups})


@login_required
def lookup_options(request, object_name: str):
    """Records of `object_name` whose name (or its pinyin, or initials) starts with `q`, for a
    lookup's search-as-you-type (Tom Select): JSON [{value, text}], under the same rights as any list.
    `for=<object>.<lookup>`: only the records that lookup's filter allows, `v.<field>` giving the
    form's values of the fields the filter compares with."""
    text = request.GET.get("q", "").strip()
    source, _sep, lookup = request.GET.get("for", "").partition(".")
    try:
        if source and lookup:
            values = {key[2:]: value for key, value in request.GET.items() if key.startswith("v.")}
            records = record_search.lookup_choices(source, lookup, request.user, text, values, limit=LOOKUP_CHOICES)
        elif text:
            records = record_search.search_names(object_name, request.user, text, limit=LOOKUP_CHOICES)
        else:
            _tenant, obj = service.get_object_meta(object_name)
            records = service.list_records(object_name, request.user, sort=[obj.name_field], limit=LOOKUP_CHOICES,
                                           fields=[obj.name_field]).records
    except TesseraError as exc:
        return JsonResponse({"results": [], "error": str(exc.message)}, status=exc.status)
    return JsonResponse({"results": [{"value": r.id, "text": r.name or f"#{r.id}"} for r in records]})


@login_required
def lookup_users(request):
    text = request.GET.get("q", "").strip()
    return JsonResponse({"results": [{"value": pk, "text": name}
                                     for pk, name in directory.user_choices(request.user, text)]})
