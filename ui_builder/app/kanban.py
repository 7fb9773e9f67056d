"""The kanban board (`/app/<object>/kanban/?by=<picklist>`): a column per value of a picklist, cards
with the layout's compact fields; dragging a card saves the new value through the record service
(validation, cascades and required fields apply), and a refused move says why and goes back.
Column headers show how many records the user may see in each column and, for a chosen amount
(`?sum=<field>`), their sum; when the values have probabilities (opportunity stages) also the
probability and the weighted sum, with the board's forecast (Σ amount × probability) above it. The
counts and sums come from one grouped statement under the reader's row predicate, not from cards.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metadata.meta import FieldMeta, ObjectMeta
from tessera.errors import TesseraError
from tessera.records import service

from ..messages import error_messages
from .cells import rows
from .pages import object_or_404, render_page
from .query_string import url_filters
from .widgets import widget_for

CARDS_PER_COLUMN = 30
CARD_FIELDS = 3


def board_fields(obj: ObjectMeta, readable: list[FieldMeta]) -> list[FieldMeta]:
    """Fields a board can group by: the picklists (single value) the user may read."""
    return [f for f in readable if getattr(widget_for(f), "groups_cards", False)]


def card_fields(obj: ObjectMeta, readable: list[FieldMeta], by: FieldMeta) -> list[FieldMeta]:
    """The layout's compact fields, else the first few fields people type (not the grouping field)."""
    by_name = {f.api_name: f for f in readable}
    layout = obj.default_layout("view") or obj.default_layout("edit")
    compact = [by_name[n] for n in getattr(layout, "compact_fields", ()) if n in by_name and n != by.api_name]
    if compact:
        return compact
    return [f for f in readable if f.writable and f.api_name not in (obj.name_field, by.api_name)
            and f.type.choice_keys(f) is None][:CARD_FIELDS]


@login_required
def board(request, object_name: str):
    language = get_language()
    _tenant, obj = object_or_404(object_name, request)
    access = service.access_for(request.user)
    readable = service.readable_fields(obj, access)
    candidates = board_fields(obj, readable)
    by = next((f for f in candidates if f.api_name == request.GET.get("by")), candidates[0] if candidates else None)
    if by is None:
        raise Http404(_("This object has no picklist to group by."))
    shown = card_fields(obj, readable, by)
    filters = url_filters(request.GET)
    choices = [c for c in by.type.choices(by, language) if c.get("active", True)]
    weighted = any(c.get("probability") is not None for c in choices)
    summable = sum_fields(readable)
    summed = chosen_sum(summable, request.GET.get("sum"), weighted)
    totals = service.group_totals(object_name, request.user, by.api_name, filters=filters,
                                  total=summed.api_name if summed is not None else None)
    columns = []
    for choice in choices:
        page = service.list_records(object_name, request.user, filters=[*filters, (by.api_name, choice["value"])],
                                    sort=["-updated_at"], limit=CARDS_PER_COLUMN,
                                    fields=list(dict.fromkeys([obj.name_field, by.api_name, *[f.api_name for f in shown]])),
                                    expand=[f.api_name for f in shown if f.type.target(f)])
        columns.append({"value": choice["value"], "label": choice["label"], "color": choice.get("color", ""),
                        **_column_totals(totals.get(choice["value"]), choice.get("probability"), summed, language),
                        "cards": rows(page.records, shown, language, request.user)})
    return render_page(request, "ui_builder/app/kanban.html", {
        "object": obj, "label_plural": obj.label(language, plural=True), "by": by, "columns": columns,
        "groupings": [{"api_name": f.api_name, "label": f.label(language)} for f in candidates],
        "sums": [{"api_name": f.api_name, "label": f.label(language)} for f in summable],
        "summed": summed, "summed_label": summed.label(language) if summed is not None else "",
        "board_totals": _board_totals(columns, summed, weighted, language),
        "can_edit": access.can(obj, "edit") and access.editable(obj, by),
    }, obj=obj)


def sum_fields(readable: list[FieldMeta]) -> list[FieldMeta]:
    """Fields a board can sum per column: amounts and quantities the user may read."""
    return [f for f in readable if f.type.value_type(f).summable]


def chosen_sum(summable: list[FieldMeta], name: str | None, weighted: bool) -> FieldMeta | None:
    """`?sum=<field>`; without it, a board whose columns have probabilities (a sales pipeline) sums
    its first amount; `?sum=` (empty) sums nothing."""
    if name is None:
        return summable[0] if weighted and summable else None
    return next((f for f in summable if f.api_name == name), None)


def _column_totals(found: service.GroupTotal | None, probability, summed: FieldMeta | None,
                   language: str | None) -> dict:
    """A column's count, sum and (with a probability) weighted sum, as numbers and as shown."""
    count = found.count if found is not None else 0
    total = (found.total if found is not None else None) or Decimal(0)
    weighted = total * Decimal(probability) / 100 if probability is not None else None
    display = widget_for(summed).display if summed is not None else None
    return {"count": count, "probability": probability, "sum": total, "weighted": weighted,
            "sum_html": display(summed, total, language=language) if display else "",
            "weighted_html": display(summed, weighted, language=language) if display and weighted is not None else ""}


def _board_totals(columns: list[dict], summed: FieldMeta | None, weighted: bool, language: str | None) -> dict:
    """The whole board's count, sum and weighted sum (the pipeline's forecast)."""
    display = widget_for(summed).display if summed is not None else None
    total = sum((c["sum"] for c in columns), Decimal(0))
    forecast = sum((c["weighted"] for c in columns if c["weighted"] is not None), Decimal(0))
    return {"count": sum(c["count"] for c in columns),
            "sum_html": display(summed, total, language=language) if display else "",
            "weighted_html": display(summed, forecast, language=language) if display and weighted else ""}


@login_required
@require_POST
def move_card(request, object_name: str, record_id: int):
    """Set the board's field on one record; JSON {ok} or {ok: false, message} (the card goes back)."""
    object_or_404(object_name, request)
    field, value = request.POST.get("field", ""), request.POST.get("value", "")
    try:
        record = service.update_record(object_name, record_id, {field: value}, request.user)
    except TesseraError as exc:  # refused (validation 400, rights, a conflict): the card goes back
        return JsonResponse({"ok": False, "message": " ".join(error_messages(exc))}, status=exc.status)
    return JsonResponse({"ok": True, "version": record.version})
