"""Reading the audit log (view_audit_log right): filtered, newest first, keyset pages by id."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tessera.errors import ErrorCollector
from tessera.security.actor import Actor

from ..access import access_for
from ..models import AuditEntry

MAX_PAGE = 200


def audit_entries(actor: Actor, *, action: str | None = None, actor_id: Any = None, target_type: str | None = None,
                  target_id: str | None = None, since: str | None = None, until: str | None = None,
                  before_id: Any = None, limit: Any = 50) -> tuple[list[AuditEntry], int | None]:
    """(entries, id to pass as `before_id` for the next page, or None)."""
    access_for(actor).require_right("view_audit_log")
    errors = ErrorCollector()
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action__startswith=action[:-1]) if action.endswith("*") else entries.filter(action=action)
    if actor_id not in (None, ""):
        try:
            entries = entries.filter(actor_id=int(actor_id))
        except (TypeError, ValueError):
            errors.add("actor", "invalid", _("A user id is a whole number."))
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id not in (None, ""):
        entries = entries.filter(target_id=str(target_id))
    for name, value, lookup in (("since", since, "at__gte"), ("until", until, "at__lt")):
        if value:
            moment = parse_datetime(value) or parse_date(value)
            if moment is None:
                errors.add(name, "invalid", _("Give an ISO date or date and time."))
            else:
                entries = entries.filter(**{lookup: moment})
    if before_id not in (None, ""):
        try:
            entries = entries.filter(id__lt=int(before_id))
        except (TypeError, ValueError):
            errors.add("cursor", "invalid", _("Not a cursor of this list."))
    try:
        limit = int(limit)
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("limit", "invalid", _("Between 1 and %(max)d.") % {"max": MAX_PAGE})
    errors.raise_if_any()
    page = list(entries.order_by("-id")[: limit + 1])
    next_id = page[limit - 1].id if len(page) > limit else None
    return page[:limit], next_id
