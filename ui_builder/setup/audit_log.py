"""`/setup/audit-log/`: the audit log with filters (who, what action, when), newest first, a
keyset page at a time (tessera.security.services.audit_entries; view_audit_log right)."""

from __future__ import annotations

from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tessera.errors import TesseraError
from tessera.security import services

from .access import setup_view
from .form_state import errors_in_place
from .pages import render_setup

FILTERS = ("action", "actor", "since", "until")


@setup_view
def audit_log(request):
    chosen = {key: request.GET.get(key, "").strip() for key in FILTERS}
    errors: dict[str, list[str]] = {}
    form_errors: list[str] = []
    entries, next_id = [], None
    try:
        entries, next_id = services.audit_entries(
            request.user, action=chosen["action"] or None, actor_id=chosen["actor"] or None,
            since=chosen["since"] or None, until=chosen["until"] or None, before_id=request.GET.get("before") or None)
    except TesseraError as exc:
        errors, form_errors = errors_in_place(exc)
    kept = {k: v for k, v in chosen.items() if v}
    context = {
        "title": _("Audit log"), "entries": entries, "chosen": chosen, "errors": errors, "form_errors": form_errors,
        "users": [(u.pk, u.full_name or u.email) for u in services.list_users(request.user)] if not form_errors else [],
        "next_url": f"?{urlencode({**kept, 'before': next_id})}" if next_id else "",
        "first_url": f"?{urlencode(kept)}" if request.GET.get("before") else "",
    }
    return render_setup(request, "ui_builder/setup/people/audit_log.html", context, section="sharing",
                        status=403 if form_errors and not errors else 400 if errors else 200)
