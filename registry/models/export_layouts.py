"""Named export layouts: the register in another department's spreadsheet layout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExportLayout(models.Model):
    """Which register columns, in what order, under which headers, with which value labels.

    ``columns`` is a list of ``{"key": <export column key>, "header": <header text>,
    "labels": {<register value>: <label>}}``; it is checked by
    ``registry.export_layouts.validate_columns`` (the service calls ``full_clean``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("export layout")
        verbose_name_plural = _("export layouts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
