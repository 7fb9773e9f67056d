"""Record history and gap-free auto-number counters. (Records themselves live in the partitioned
`record` table, see storage.py.)"""

from django.db import models


class RecordChange(models.Model):
    """One write of one record: which tracked fields changed, from what to what, by whom, when.

    `changes` maps field keys to [old, new] in stored JSON form; the API turns keys back into
    api_names and drops the fields the reader may not see.
    """

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        RESTORE = "restore"
        OWNER = "owner"
        # "merge" (tessera.records.merge) is written by raw INSERT like the others; its choice is
        # left out of this list to keep the migrations of this wave apart.

    object_id = models.IntegerField()
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=dict)
    user_id = models.BigIntegerField(null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["record_id", "id"])]


class AutoNumberCounter(models.Model):
    """The next number of a gap-free auto-number field (see tessera.records.autonumbers).

    Written only by autonumbers.take_numbers, in the transaction of the write it numbers, so a
    rollback gives the numbers back. Created on first use from the field's sequence.
    """

    field_id = models.BigIntegerField(primary_key=True)
    next_value = models.BigIntegerField()


class Upload(models.Model):
    """A file uploaded for a record's file field. Its token is a single-use capability of the
    uploader: `attached_at` is set, in the transaction of the write that gives the token to a record,
    the first time it is used (tessera.records.uploads)."""

    path = models.CharField(max_length=512, unique=True)
    uploaded_by = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attached_at = models.DateTimeField(null=True)
