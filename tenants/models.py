"""Public-schema models: plans, tenants and their domains."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Plan(models.Model):  # type: ignore[django-manager-missing]  # Tenant's base is untyped
    """What a tenant pays for; limits are read by the services that enforce them."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    max_users = models.PositiveIntegerField(_("maximum users"), default=150)
    max_records = models.PositiveBigIntegerField(_("maximum records"), default=5_000_000)
    is_default = models.BooleanField(_("default for sign-up"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_plan")
        ]

    def __str__(self) -> str:
        return self.name


class Tenant(TenantMixin):
    """A customer company. Its data lives in its own PostgreSQL schema, `schema_name`."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="tenants")
    is_active = models.BooleanField(_("active"), default=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    #: The month (1–12) the tenant's fiscal year starts in: relative periods ("this fiscal quarter")
    #: and reports read it from the metadata snapshot (TenantMeta.fiscal_year_start_month).
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)])
    #: The UI languages the tenant offers its users (codes of settings.LANGUAGES).
    languages = models.JSONField(_("languages offered"), default=list, blank=True)
    #: The logo's path in the default storage (tenants/<schema>/logo/…), served by the setup pages.
    logo = models.CharField(_("logo"), max_length=300, blank=True, default="")
    created_on = models.DateTimeField(_("created on"), auto_now_add=True)

    # Provisioning creates the schema itself (tenants.provisioning), inside its own transaction.
    auto_create_schema = False
    auto_drop_schema = False

    def __str__(self) -> str:
        return self.slug


class Domain(DomainMixin):
    """A host name that routes to a tenant (`<slug>.<base domain>`, later custom domains)."""


class SchemaTemplate(models.Model):
    """The base schema's DDL, captured by `tessera migrate`, replayed to create tenant schemas fast."""

    base_schema = models.CharField(max_length=63)
    ddl = models.TextField()
    tables = models.JSONField(default=list)
    sequences = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.base_schema} @ {self.created_at:%Y-%m-%d %H:%M}"
