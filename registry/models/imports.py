"""An upload of the register by an official: checked, previewed, confirmed, then imported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.places import County


class ImportJob(models.Model):
    """One file on its way into the register. The file's bytes are kept only until it has been
    imported or abandoned (they hold identity numbers); the reports stay."""

    class Kind(models.TextChoices):
        SCHOOLS = "schools", _("Schools")
        CHILDREN = "children", _("Children")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        REFUSED = "refused", _("File refused")
        CHECKED = "checked", _("Checked: waiting for confirmation")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")
        ABANDONED = "abandoned", _("Abandoned")

    kind = models.CharField(_("what it holds"), max_length=16, choices=Kind.choices)
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, null=True, blank=True
    )
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    data = models.BinaryField(_("file"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.CHECKING
    )
    message = models.TextField(_("why the file was refused"), blank=True)
    check_report = models.JSONField(_("preview"), null=True, blank=True, editable=False)
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Deliveries of the current step's task that began work (claimed before reading the file):
    # a second delivery of a step that never finished means its worker died; it ends the job.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="import_job_county_for_schools",
                condition=~models.Q(kind="schools") | models.Q(county__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING}

    def progress_key(self) -> str:
        return f"registry:import-progress:{self.pk}"
