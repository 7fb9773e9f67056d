"""Metadata tables, in each tenant's schema.

Each row has a few real columns for identity and relations and a JSONB `spec` holding the rest,
validated by the JSON Schemas in `metadata/schemas/` (and, for a field's options, by its field
type). Nothing here is read by the runtime directly: services write these rows, and the runtime
reads compiled, immutable snapshots from `metadata.cache`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class LiveObjects(models.Manager):
    """Objects not deleted: what the runtime, the compiled metadata and every designer see."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class ObjectDef(models.Model):
    """A kind of record: Lead, Account, or a tenant's custom object.

    A deleted object is kept, with its fields, layouts, categories, list views and records, until
    its retention ends (metadata.services.objects: delete_object, restore_object,
    purge_deleted_objects): `objects` never shows it, `with_deleted` does."""

    api_name = models.CharField(max_length=63)
    is_standard = models.BooleanField(default=False)
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    #: What the deletion took off other definitions (related lists on other objects' layouts,
    #: sharing rules, profiles' and permission sets' rights), for a restore to put back.
    kept = models.JSONField(default=dict, blank=True)

    with_deleted = models.Manager()
    objects = LiveObjects()

    class Meta:
        ordering = ["id"]
        default_manager_name = "objects"
        base_manager_name = "with_deleted"
        constraints = [models.UniqueConstraint(fields=["api_name"], condition=Q(deleted_at__isnull=True),
                                               name="object_api_name_unique")]

    def __str__(self) -> str:
        return self.api_name


class FieldDef(models.Model):
    """A field of an object. `type` is the key of its field type; `key` is its storage key inside
    a record's `data` (short and stable: it survives relabelling, and a deleted field's key is never
    reused, so restoring the field brings its values back)."""

    object = models.ForeignKey(ObjectDef, on_delete=models.CASCADE, related_name="fields")
    api_name = models.CharField(max_length=63)
    type = models.CharField(max_length=32)
    key = models.CharField(max_length=16)
    is_system = models.BooleanField(default=False)
    position = models.IntegerField(default=0)
    #: Typed projection column of the record table holding a copy of the value (for indexes,
    #: filters and aggregates), and whether every existing record has it filled in.
    slot = models.CharField(max_length=8, blank=True, default="")
    slot_ready = models.BooleanField(default=False)
    spec = models.JSONField(default=dict)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["object_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object", "api_name"], condition=Q(deleted_at__isnull=True), name="field_api_name_unique"
            ),
            models.UniqueConstraint(fields=["object", "key"], name="field_key_unique"),
            models.UniqueConstraint(
                fields=["object", "slot"], condition=~Q(slot=""), name="field_slot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_id}.{self.api_name}"


class RecordCategory(models.Model):
    """A category of records of one object (客户主分类), with its own required fields, allowed
    picklist values and layouts."""

    object = models.ForeignKey(ObjectDef, on_delete=models.CASCADE, related_name="categories")
    api_name = models.CharField(max_length=63)
    position = models.IntegerField(default=0)
    spec = models.JSONField(default=dict)

    class Meta:
        ordering = ["object_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["object", "api_name"], name="category_api_name_unique")]


class Layout(models.Model):
    """An edit or view layout: sections of one or two columns, field order, overrides, related lists."""

    class Kind(models.TextChoices):
        EDIT = "edit"
        VIEW = "view"

    object = models.ForeignKey(ObjectDef, on_delete=models.CASCADE, related_name="layouts")
    api_name = models.CharField(max_length=63)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    spec = models.JSONField(default=dict)

    class Meta:
        ordering = ["object_id", "id"]
        constraints = [models.UniqueConstraint(fields=["object", "api_name"], name="layout_api_name_unique")]


class ListView(models.Model):
    """A list view or saved query: columns, filters, sort. Shared when `owner` is empty."""

    object = models.ForeignKey(ObjectDef, on_delete=models.CASCADE, related_name="list_views")
    api_name = models.CharField(max_length=63)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    spec = models.JSONField(default=dict)

    class Meta:
        ordering = ["object_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["object", "api_name", "owner"], name="list_view_unique",
                                    nulls_distinct=False)
        ]


class MetadataVersion(models.Model):
    """One row: the tenant's metadata version, bumped in the same transaction as every change.

    `token` changes with every bump, so a snapshot cached from a transaction that later rolled back
    (same version number, different token) can never be served.
    """

    version = models.BigIntegerField(default=0)
    token = models.UUIDField()


class MetadataChange(models.Model):
    """The history of metadata: who changed what, when, before and after."""

    version = models.BigIntegerField()
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    entity = models.CharField(max_length=32)
    entity_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=32)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    #: The object the change belongs to (its own id for an object change), so the history of one
    #: object can be read, and a deleted layout or category recreated where it was.
    object_id = models.BigIntegerField(null=True, blank=True)
    #: The change this one undid (metadata.services.history.revert_change), if it is a revert.
    reverts = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["entity", "entity_id"]), models.Index(fields=["object_id", "id"])]
