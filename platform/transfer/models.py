"""Imports: each run with its settings, result and the batches it committed (for resume and undo),
the rows it refused (for the error file), and the column mapping saved per object."""

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One file imported (or being prepared) into one object, by one user."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        CHECKING = "checking", _("dry run")
        CHECKED = "checked", _("checked")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")
        UNDOING = "undoing", _("undoing")
        UNDONE = "undone", _("undone")

    object_api_name = models.CharField(_("object"), max_length=63)
    file_name = models.CharField(_("file name"), max_length=255)
    #: Where the uploaded file is kept (default storage).
    file = models.CharField(max_length=512)
    #: How to read it: format, encoding, sheet, header_row, delimiter (readers.SourceOptions).
    source = models.JSONField(default=dict)
    #: One entry per column: {"column", "header", "field", "match", "create_missing"}.
    mapping = models.JSONField(default=list)
    #: mode (insert/update/upsert), key (field api_names), date_order, wan, duplicates (skip/import).
    settings = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    #: The last dry run's counts and first errors.
    dry_run = models.JSONField(null=True, blank=True)
    rows_total = models.BigIntegerField(null=True)
    #: Data rows whose batch committed: a rerun resumes after them.
    rows_done = models.BigIntegerField(default=0)
    inserted = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    skipped = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)
    parents_created = models.BigIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    message = models.CharField(max_length=500, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    undone_by = models.ForeignKey(django_settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_api_name", "id"])]

    def __str__(self) -> str:
        return f"import#{self.pk} {self.object_api_name} {self.status}"


class ImportBatch(models.Model):
    """A batch of rows written in one transaction: what it created and what it changed (the values
    before), so the import can be undone; its row count tells a rerun where to resume."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="batches")
    number = models.IntegerField()
    rows = models.IntegerField()
    created_ids = models.JSONField(default=list)
    #: record id (as text) → {field api_name: value before, API form}.
    updated_before = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="transfer_batch_once")]


class ImportRowError(models.Model):
    """A row the import refused: its cells as read and why, for the error file."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row = models.BigIntegerField()
    cells = models.JSONField(default=list)
    message = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["run", "row"])]


class ImportMapping(models.Model):
    """The column mapping last used for an object: column header → field, offered next time."""

    object_api_name = models.CharField(max_length=63, unique=True)
    #: header (as written) → {"field", "match", "create_missing"}.
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
