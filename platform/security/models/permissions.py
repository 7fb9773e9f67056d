"""Permission profiles and permission sets: JSONB specs validated by schemas/profile.json."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """What its users may do: object rights, field access, admin rights. One per user."""

    api_name = models.CharField(max_length=63, unique=True)
    is_standard = models.BooleanField(default=False)
    #: Given to users created without a profile (one at most).
    is_default = models.BooleanField(default=False)
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="one_default_profile")]

    def __str__(self) -> str:
        return self.api_name


class PermissionSet(models.Model):
    """Extra rights on top of a profile (same spec shape; rights are the union). Any number per user."""

    api_name = models.CharField(_("API name"), max_length=63, unique=True)
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.api_name
