"""The formula editor's answers while someone types (JSON): check, what may come next, try it on a
record. Any signed-in user may ask (reports' calculated columns reuse the editor); the service
limits every answer to the fields that user may read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from metadata.services.formula_editor import check_formula, formula_catalogue, try_formula
from tessera.errors import TesseraError

from .forms import error_map
from .options_editors import ENUM_LABELS


@login_required
@require_POST
def check(request):
    try:
        answer = check_formula(request.POST.get("object", ""), request.POST.get("formula", ""), request.user,
                               result_type=request.POST.get("result_type") or None)
    except TesseraError as exc:
        return JsonResponse({"ok": False, "message": " ".join(error_map(exc).get("", [])) or str(exc.message)},
                            status=exc.status)
    if answer.get("ok"):
        answer["type"] = str(ENUM_LABELS.get(("result_type", answer["type"]), answer["type"]))
    return JsonResponse(answer)


@login_required
@require_GET
def catalogue(request):
    try:
        answer = formula_catalogue(request.GET.get("object", ""), request.GET.get("path", ""), request.user,
                                   language=get_language())
    except TesseraError as exc:
        return JsonResponse({"fields": [], "functions": [], "message": str(exc.message)}, status=exc.status)
    return JsonResponse(answer)


@login_required
@require_POST
def try_on_record(request):
    record = request.POST.get("record", "")
    if not record.isdigit():
        return JsonResponse({"ok": False, "message": ""}, status=400)
    try:
        value = try_formula(request.POST.get("object", ""), request.POST.get("formula", ""), int(record),
                            request.user, result_type=request.POST.get("result_type") or None)
    except TesseraError as exc:
        messages = [m for found in error_map(exc).values() for m in found]
        return JsonResponse({"ok": False, "message": " ".join(messages)}, status=exc.status)
    return JsonResponse({"ok": True, "value": value})
