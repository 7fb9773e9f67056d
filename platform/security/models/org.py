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
