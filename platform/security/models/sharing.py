"""Record sharing beyond ownership and the role hierarchy: sharing rules and manual shares.

Objects and records live in metadata and the record table (tenant-only apps), so they are referred to
by id here (this app also exists in the public schema, where those tables do not).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Access(models.TextChoices):
    READ = "read"
    EDIT = "edit"


class SharingRule(models.Model):
    """Records of `object_id` matching `filters` (records API filters) are shared with a department
    (and its sub-departments) or a role (and its subordinates), for reading or editing."""

    name = models.CharField(max_length=100)
    object_id = models.IntegerField()
    #: [[key, value], …] as the records API takes them (`industry=it`, `amount__gte=1000`).
    filters = models.JSONField(default=list)
    department = models.ForeignKey("security.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="sharing_rules")
    role = models.ForeignKey("security.Role", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="sharing_rules")
    include_sub = models.BooleanField(default=False)
    access = models.CharField(max_length=8, choices=Access.choices, default=Access.READ)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(
            condition=Q(department__isnull=False, role__isnull=True) | Q(department__isnull=True, role__isnull=False),
            name="sharing_rule_one_target")]

    def __str__(self) -> str:
        return self.name


class RecordShare(models.Model):
    """One record shared by hand with a user or a department (optionally with its sub-departments)."""

    object_id = models.IntegerField()
    record_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="record_shares")
    department = models.ForeignKey("security.Department", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="record_shares")
    include_sub = models.BooleanField(default=False)
    access = models.CharField(max_length=8, choices=Access.choices, default=Access.READ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True) | Q(user__isnull=True, department__isnull=False),
                name="record_share_one_target"),
            models.UniqueConstraint(fields=["record_id", "user"], condition=Q(user__isnull=False),
                                    name="record_share_user_unique"),
            models.UniqueConstraint(fields=["record_id", "department"], condition=Q(department__isnull=False),
                                    name="record_share_department_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "object_id", "record_id"], name="record_share_user"),
            models.Index(fields=["department", "object_id", "record_id"], name="record_share_department"),
        ]

    def __str__(self) -> str:
        return f"share of {self.record_id} with {self.user_id or self.department_id}"
