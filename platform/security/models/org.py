"""Departments (a tree) and roles (a hierarchy: a manager sees what the roles below own)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="department_name_unique",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    #: The role this one reports to; users in `parent` (and above) see records owned in this role.
    parent = models.ForeignKey("self", verbose_name=_("reports to"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SecuritySettings(models.Model):
    """The tenant's sign-in policy: one row (pk 1), created on first read."""

    #: Administrators (system administrators, and profiles with the manage_users or customize
    #: right) must sign in with a second factor; those without one enrol at their next login.
    require_two_factor_for_admins = models.BooleanField(_("require two-factor sign-in for administrators"),
                                                        default=False)

    def __str__(self) -> str:
        return "security settings"
