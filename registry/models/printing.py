"""Files printed in the background: a batch of personal files, or a hand-over file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PrintJob(models.Model):
    """One PDF made by a worker. The file lives in ``PRINT_DIR`` (owner-only), is downloadable
    only by the official who asked for it, and is deleted after ``PRINT_KEEP_DAYS``."""

    class Kind(models.TextChoices):
        BATCH = "batch", _("Personal files")
        HANDOVER = "handover", _("Hand-over file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to print")
        RUNNING = "running", _("Printing")
        JOINING = "joining", _("Putting the files together")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Not printed")
        EXPIRED = "expired", _("Deleted after the retention period")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    child_ids = models.JSONField(_("children"), default=list, editable=False)
    description = models.CharField(_("what was printed"), max_length=200, blank=True)
    total = models.PositiveIntegerField(_("files"), default=0)
    done = models.PositiveIntegerField(_("files printed"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    filename = models.CharField(max_length=100, blank=True, editable=False)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING, self.Status.JOINING}

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class PrintChunk(models.Model):
    """A part of a print job (``PRINT_CHUNK_SIZE`` files), printed by one worker process, so that
    a worker's processes print a batch side by side. Claimed with a conditional UPDATE: a chunk
    delivered twice prints once; one found begun by a worker that died fails its job."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to print")
        RUNNING = "running", _("Printing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Not printed")

    job = models.ForeignKey(PrintJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    child_ids = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    printed = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("part of a print job")
        verbose_name_plural = _("parts of print jobs")
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="print_chunk_unique_index")
        ]

    def __str__(self) -> str:
        return f"{self.job} / {self.index}"
