"""Report definitions, in each tenant's schema.

A report is metadata, like a list view: identity in columns (api_name, the primary object, the
owner and where it is shared), everything else in a JSONB `spec` validated by
`reports_engine/schemas/report.json`. Every change takes the tenant's metadata lock and is written
to the metadata history (`metadata.MetadataChange`, entity "report"), so setup's history and revert
see reports like every other definition.
"""

from django.conf import settings
from django.db import models


class Report(models.Model):
    api_name = models.CharField(max_length=63, unique=True)
    #: The primary object's api_name (a report follows its object: api_names never change).
    object = models.CharField(max_length=63)
    #: Who made it; personal (not shared) reports are seen by their owner only.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object"])]

    def __str__(self) -> str:
        return self.api_name
