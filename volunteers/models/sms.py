"""Text messages that volunteers send back to the office's SMS gateway (``/sms/inbound/``).

Every message is kept, whatever became of it: ``message_id`` (the gateway's) is unique, so a
message delivered twice or replayed is stored, and acted on, once. A reply that ticked a
check-in points to it; one that could not be understood waits for the office
(``NEEDS_ATTENTION``) with the reason, until an official marks it handled.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lbc_office.core.models import TimeStampedModel
from volunteers.models.care import Volunteer
from volunteers.models.checkins import MonthlyCheckin, reply_code


class InboundSms(TimeStampedModel):
    class Status(models.TextChoices):
        RECORDED = "recorded", _("Check-in recorded")
        NEEDS_ATTENTION = "attention", _("Needs the office's attention")
        HANDLED = "handled", _("Handled by the office")

    message_id = models.CharField(_("gateway message id"), max_length=100, unique=True)
    sender = models.CharField(_("sender"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("why it needs attention"), max_length=200, blank=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    checkin = models.ForeignKey(
        MonthlyCheckin, verbose_name=_("check-in"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message received")
        verbose_name_plural = _("text messages received")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The officials' list: the messages still waiting for the office.
            models.Index(
                fields=["-created_at"],
                condition=models.Q(status="attention"),
                name="inbound_sms_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"SMS {self.message_id}"

    @property
    def checkin_code(self) -> str:
        return reply_code(self.checkin_id) if self.checkin_id else ""

    @property
    def sender_masked(self) -> str:
        """Lists never show a whole phone number."""
        phone = self.sender
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"
