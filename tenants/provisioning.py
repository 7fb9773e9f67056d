"""Create, list and delete tenants: the service behind `tessera tenant …` and the sign-up API.

A tenant is created by cloning the base schema (TENANT_BASE_SCHEMA, migrated and seeded with the
standard metadata by `tessera migrate`), which is far faster than running every migration. The
tenant row, its domain, its schema and its first admin are made in ONE transaction: PostgreSQL DDL is
transactional, so a failure at any step leaves nothing behind.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists, tenant_context
from psycopg2 import sql

from tessera.errors import ErrorCollector, NotFound, TesseraError, ValidationFailed
from tessera.security.services.users import create_first_admin

from . import schema_template
from .models import Domain, Plan, Tenant
from .slugs import schema_name_for, validate_slug

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str], None]


class PlatformNotReady(TesseraError):
    status = 503
    code = "platform_not_ready"


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    url: str
    admin_email: str | None
    #: Set only when the password was generated here; shown once to whoever created the tenant.
    admin_password: str | None


def tenant_url(tenant: Tenant, port: int | None = None) -> str:
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.TESSERA_BASE_DOMAIN}"
    return f"http://{host}:{port}/" if port else f"http://{host}/"


def create_tenant(
    slug: str,
    name: str,
    *,
    admin_email: str | None = None,
    admin_password: str | None = None,
    plan_code: str | None = None,
    progress: ProgressCallback | None = None,
    allow_reserved_slug: bool = False,
) -> ProvisionedTenant:
    """Provision a tenant, or raise ValidationFailed (field errors) having created nothing.
    `allow_reserved_slug`: the platform's own tenants only (the demo), never sign-up."""
    say = progress or (lambda message: None)
    slug = (slug or "").strip().lower() if isinstance(slug, str) else slug
    plan = _check_input(slug, name, admin_email, admin_password, plan_code, allow_reserved_slug)
    base_schema = settings.TENANT_BASE_SCHEMA
    if not schema_exists(base_schema):
        raise PlatformNotReady(_("The platform is not migrated yet: run `tessera migrate` first."))

    schema = schema_name_for(slug)
    generated = None
    if admin_email and not admin_password:
        generated = admin_password = secrets.token_urlsafe(12)
    try:
        with transaction.atomic():
            say(_("Creating the tenant record"))
            tenant = Tenant.objects.create(slug=slug, schema_name=schema, name=name.strip(), plan=plan)
            Domain.objects.create(domain=f"{slug}.{settings.TESSERA_BASE_DOMAIN}", tenant=tenant, is_primary=True)
            say(_("Copying the base schema"))
            _clone_schema(base_schema, schema)
            if admin_email:
                say(_("Creating the administrator"))
                with tenant_context(tenant):
                    # A system administrator with the administrator profile (standard profiles come
                    # with the base schema).
                    create_first_admin(admin_email, admin_password)
    except IntegrityError as exc:
        # Two sign-ups racing for one slug: the unique constraint decides, the loser gets a field error.
        logger.info("tenant %s not created: %s", slug, exc)
        raise _slug_taken(slug) from None
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
    say(_("Done"))
    logger.info("tenant %s created (schema %s)", slug, schema)
    return ProvisionedTenant(tenant, tenant_url(tenant), admin_email, generated)


def list_tenants() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name="public").select_related("plan").order_by("slug")


def get_tenant(slug: str) -> Tenant:
    try:
        return Tenant.objects.exclude(schema_name="public").get(slug=slug)
    except Tenant.DoesNotExist:
        raise NotFound(_("No tenant with the slug “%(slug)s”.") % {"slug": slug}, code="unknown_tenant") from None


def delete_tenant(slug: str) -> None:
    """Drop the tenant's schema with all its data, its domains and its row, in one transaction."""
    tenant = get_tenant(slug)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(tenant.schema_name)))
        Domain.objects.filter(tenant=tenant).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
    logger.info("tenant %s deleted", slug)


def _check_input(slug: str, name: str, admin_email: str | None, admin_password: str | None,
                 plan_code: str | None, allow_reserved_slug: bool) -> Plan | None:
    errors = ErrorCollector()
    try:
        validate_slug(slug, allow_reserved=allow_reserved_slug)
    except ValidationFailed as exc:
        errors.extend(exc)
    else:
        if Tenant.objects.filter(slug=slug).exists() or schema_exists(schema_name_for(slug)):
            errors.extend(_slug_taken(slug))
    if not isinstance(name, str) or not name.strip():
        errors.add("name", "required", _("A tenant needs a name."))
    elif len(name.strip()) > 200:
        errors.add("name", "too_long", _("A name has at most 200 characters."))
    if admin_email is not None:
        try:
            validate_email(admin_email)
        except DjangoValidationError:
            errors.add("admin_email", "invalid_email", _("Enter a valid email address."))
        if admin_password:
            try:
                validate_password(admin_password)
            except DjangoValidationError as exc:
                for message in exc.messages:
                    errors.add("admin_password", "weak_password", message)
    plan = None
    if plan_code:
        plan = Plan.objects.filter(code=plan_code).first()
        if plan is None:
            errors.add("plan", "unknown_plan", _("No plan with the code “%(code)s”.") % {"code": plan_code})
    else:
        plan = Plan.objects.filter(is_default=True).first()
    errors.raise_if_any()
    return plan


def _slug_taken(slug: str) -> ValidationFailed:
    return ValidationFailed.single("slug", "slug_taken", _("The slug “%(slug)s” is already taken.") % {"slug": slug})


def _clone_schema(base_schema: str, schema: str) -> None:
    """Copy the base schema (tables, sequences, rows: django_migrations included).

    From the DDL template captured by `tessera migrate` (tenants.schema_template: fast); without
    one, django-tenants' clone_schema() SQL function (slow but always there).
    """
    template = schema_template.current_template(base_schema)
    if template is not None:
        schema_template.create_schema_from_template(template, schema)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [base_schema, schema])
