"""The organisation's settings: name, time zone, currency, fiscal-year start, languages, logo.

They live on the Tenant row (public schema) and are compiled into every metadata snapshot
(`TenantMeta.currency`, `.time_zone`, `.fiscal_year_start_month`, `.languages`), so relative periods
and reports read them where they read the rest of the metadata. A change therefore goes through the
metadata lock and history like any other metadata change (a new snapshot is compiled on the next
read), and into the audit log.

The logo is a raster image (PNG, JPEG, WebP or GIF, proven by its first bytes: never SVG, which can
carry script) kept in the default storage under the tenant's own folder; `logo_file` hands it back
for the tenant that asks, nobody else's.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metadata.versioning import lock_metadata, record_change
from tessera.errors import ErrorCollector, NotFound
from tessera.security import audit
from tessera.security.access import require_customise
from tessera.security.actor import Actor

from .models import Tenant

#: Currencies offered (ISO 4217), those an SMB in and around China invoices in first.
CURRENCIES = (
    ("CNY", gettext_lazy("Chinese yuan")), ("HKD", gettext_lazy("Hong Kong dollar")),
    ("TWD", gettext_lazy("New Taiwan dollar")), ("MOP", gettext_lazy("Macanese pataca")),
    ("USD", gettext_lazy("US dollar")), ("EUR", gettext_lazy("Euro")), ("GBP", gettext_lazy("Pound sterling")),
    ("JPY", gettext_lazy("Japanese yen")), ("KRW", gettext_lazy("South Korean won")),
    ("SGD", gettext_lazy("Singapore dollar")), ("AUD", gettext_lazy("Australian dollar")),
    ("CAD", gettext_lazy("Canadian dollar")), ("CHF", gettext_lazy("Swiss franc")),
)
#: What may change, and what the audit log and history keep of it.
FIELDS = ("name", "time_zone", "currency", "fiscal_year_start_month", "languages", "language")
MAX_LOGO_BYTES = 512 * 1024
_IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"GIF87a": ("image/gif", "gif"),
    b"GIF89a": ("image/gif", "gif"),
}


@dataclass(frozen=True)
class Logo:
    path: str
    content_type: str

    def open(self) -> IO[bytes]:
        return default_storage.open(self.path, "rb")


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones a tenant may choose (Asia/Shanghai and friends), sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def settings_of(tenant: Tenant) -> dict:
    """The tenant's settings as the form and the history show them."""
    return {
        "name": tenant.name, "time_zone": tenant.time_zone, "currency": tenant.currency,
        "fiscal_year_start_month": tenant.fiscal_year_start_month,
        "languages": list(tenant.languages or [code for code, _name in settings.LANGUAGES]),
        "language": tenant.language, "logo": bool(tenant.logo),
    }


def update_organization(changes: dict, actor: Actor, *, logo: UploadedFile | None = None,
                        remove_logo: bool = False) -> Tenant:
    """Change the current tenant's settings (any of FIELDS) and its logo, in one transaction."""
    require_customise(actor)
    tenant = _current_tenant()
    errors = ErrorCollector()
    for key in sorted(set(changes) - set(FIELDS)):
        errors.add(key, "immutable", _("This property cannot be changed."))
    cleaned = _clean(changes, tenant, errors)
    logo_kind = _check_logo(logo, errors) if logo is not None else None
    errors.raise_if_any()
    old_logo = tenant.logo
    with transaction.atomic():
        lock_metadata()
        row = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = settings_of(row)
        for key, value in cleaned.items():
            setattr(row, key, value)
        if logo is not None and logo_kind is not None:
            row.logo = default_storage.save(
                f"tenants/{row.schema_name}/logo/{uuid.uuid4().hex}.{logo_kind[1]}", logo)
        elif remove_logo:
            row.logo = ""
        row.save()
        after = settings_of(row)
        record_change(entity="organization", action="update", entity_id=row.pk, before=before, after=after,
                      user=actor)
        audit.log(actor, "tenant.update", target_type="tenant", target_id=row.slug,
                  detail={"changed": sorted(k for k in after if after[k] != before[k])})
        if old_logo and old_logo != row.logo:
            transaction.on_commit(lambda: default_storage.delete(old_logo))
    # The rest of this request (and the snapshot compiled for it) sees the new settings.
    for key in (*FIELDS, "logo"):
        setattr(tenant, key, getattr(row, key))
    return row


def logo_file() -> Logo:
    """The current tenant's logo (NotFound when it has none)."""
    tenant = _current_tenant()
    path = tenant.logo
    prefix = f"tenants/{tenant.schema_name}/logo/"
    if not path or not path.startswith(prefix) or not default_storage.exists(path):
        raise NotFound(_("This organisation has no logo."), code="no_logo")
    kind = next((kind for kind, ext in _IMAGE_SIGNATURES.values() if path.endswith("." + ext)), "image/webp")
    return Logo(path=path, content_type=kind)


def _current_tenant() -> Tenant:
    tenant = getattr(connection, "tenant", None)
    if not isinstance(tenant, Tenant):
        raise NotFound(_("No organisation here."), code="no_tenant")
    return tenant


def _clean(changes: dict, tenant: Tenant, errors: ErrorCollector) -> dict:
    """The changes, checked and in their stored form."""
    cleaned: dict = {}
    for key, check in _CHECKS.items():
        if key in changes:
            value = check(changes[key])
            if isinstance(value, ErrorMessage):
                errors.add(key, value.code, value.message)
            else:
                cleaned[key] = value
    _clean_languages(changes, tenant, errors, cleaned)
    return cleaned


@dataclass(frozen=True)
class ErrorMessage:
    code: str
    message: str


def _name(value: object) -> str | ErrorMessage:
    name = str(value or "").strip()
    if not name:
        return ErrorMessage("required", _("Enter the organisation's name."))
    if len(name) > 200:
        return ErrorMessage("too_long", _("At most 200 characters."))
    return name


def _time_zone(value: object) -> str | ErrorMessage:
    if value not in time_zones():
        return ErrorMessage("invalid", _("Choose a time zone from the list."))
    return str(value)


def _currency(value: object) -> str | ErrorMessage:
    if value not in dict(CURRENCIES):
        return ErrorMessage("invalid", _("Choose a currency from the list."))
    return str(value)


def _month(value: object) -> int | ErrorMessage:
    if not (isinstance(value, int) or str(value).isdigit()) or not 1 <= int(str(value)) <= 12:
        return ErrorMessage("invalid", _("Choose a month from 1 to 12."))
    return int(str(value))


#: How each single-valued setting is checked (languages are checked together, below).
_CHECKS = {"name": _name, "time_zone": _time_zone, "currency": _currency, "fiscal_year_start_month": _month}


def _clean_languages(changes: dict, tenant: Tenant, errors: ErrorCollector, cleaned: dict) -> None:
    """At least one language offered, each a UI language; the default one among them."""
    known = [code for code, _name in settings.LANGUAGES]
    languages = changes.get("languages", tenant.languages or known)
    if not isinstance(languages, list | tuple) or not languages or any(code not in known for code in languages):
        errors.add("languages", "invalid", _("Offer at least one of the languages listed."))
        return
    default = changes.get("language", tenant.language)
    if default not in languages:
        errors.add("language", "not_offered", _("The default language must be one of those offered."))
    if "languages" in changes:
        cleaned["languages"] = [code for code in known if code in languages]
    if "language" in changes:
        cleaned["language"] = default


def _check_logo(logo: UploadedFile, errors: ErrorCollector) -> tuple[str, str] | None:
    """(content type, extension) of a logo proven a raster image by its first bytes."""
    if not logo.size or logo.size > MAX_LOGO_BYTES:
        errors.add("logo", "size", _("A logo is an image of at most 512 KB."))
        return None
    head = logo.read(16)
    logo.seek(0)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    for signature, kind in _IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    errors.add("logo", "not_an_image", _("A logo is a PNG, JPEG, WebP or GIF image."))
    return None
