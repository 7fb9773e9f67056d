"""The audit log: who did what, when, from which address.

Services call `log(actor, action, …)` inside their transaction (a rolled-back change leaves no entry;
failed logins are written outside any request transaction, so they stay). The client address and
the request id come from the request context set by AuditContextMiddleware; behind a reverse proxy,
set TESSERA_TRUSTED_PROXIES to the number of proxies in front of Tessera and the address is read from
X-Forwarded-For (the entry that many hops from the right), never trusted otherwise.

Actions (stable keys, stored in data): login, login.failed, login.locked, logout, token.create,
token.revoke, user.invite, user.invitation_accepted, user.invitation_revoked, user.update,
user.deactivate, user.reactivate, profile.create|update|delete, permission_set.*, role.*,
department.*, sharing_rule.*, record.share, record.unshare, records.reassign, records.transfer,
record.delete, records.export, records.import, records.import_undo, metadata.<entity>.<action>, support.grant, support.revoke,
support.link_issued, support.link_refused, support.login, support.login_refused.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from tessera.security.actor import Actor

from .access import is_system
from .models import AuditEntry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from metadata.meta import ObjectMeta


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    request_id: str = ""


_NO_CONTEXT = AuditContext()
_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("tessera_audit", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or from X-Forwarded-For behind TESSERA_TRUSTED_PROXIES proxies."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "TESSERA_TRUSTED_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = remote
    if proxies > 0 and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    return _valid_ip(candidate) or _valid_ip(remote)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def set_context(request: HttpRequest | None) -> contextvars.Token:
    return _context.set(AuditContext(ip=client_ip(request), request_id=getattr(request, "id", "") or ""))


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def log(actor: Actor | None, action: str, *, target_type: str = "", target_id: Any = "", detail: dict | None = None,
        ip: str | None = None, email: str | None = None) -> None:
    """Append an entry. `actor`: a user, SYSTEM or None (anonymous: failed logins)."""
    context = _context.get() or _NO_CONTEXT
    actor_id = None if actor is None or is_system(actor) else getattr(actor, "pk", None)
    if email is None:
        email = "system" if is_system(actor) else (getattr(actor, "email", "") or "")
    AuditEntry.objects.create(
        actor_id=actor_id, actor_email=email[:254], support=bool(getattr(actor, "is_support", False)),
        action=action, target_type=target_type, target_id=str(target_id if target_id is not None else "")[:64],
        detail=detail or {}, ip=ip or context.ip, request_id=context.request_id[:64])


def record_export(actor: Actor | None, object_api_name: str, *, count: int, filters: Iterable[Iterable] = (),
                  fields: Iterable[str] = (), file_format: str = "") -> None:
    """Every export calls this (after checking access.require_export), in its transaction."""
    log(actor, "records.export", target_type="object", target_id=object_api_name,
        detail={"count": count, "filters": [list(f) for f in filters], "fields": list(fields), "format": file_format})


def record_change(actor: Actor | None, action: str, obj: ObjectMeta, record_id: int,
                  detail: dict | None = None) -> None:
    log(actor, action, target_type=f"record:{obj.api_name}", target_id=record_id, detail=detail)
