"""Notifications: an in-app inbox for every user, and deliveries by email and SMS.

Exactly-once comes from the database: one notification per (recipient, kind, period) by a
unique constraint, one delivery per (notification, channel), and a delivery is *claimed* by a
conditional update before it is sent, so two workers never send the same one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lbc_office.core.models import TimeStampedModel


class Notification(TimeStampedModel):
    class Kind(models.TextChoices):
        CHECKIN_OPEN = "checkin_open", _("Check-ins opened")
        CHECKIN_REMINDER = "checkin_reminder", _("Check-in reminder")
        MISSED_LIST = "missed_list", _("Missed check-ins")
        CONCERN = "concern", _("Concern raised")
        DIGEST = "digest", _("Weekly tasks")
        CONCERN_OVERDUE = "concern_overdue", _("Concern not looked at in time")
        # casework's referrals past their date (volunteers/services/referral_reminders.py)
        REFERRAL_OVERDUE = "referral_overdue", _("Referral overdue")
        PLAN_REVIEW = "plan_review", _("Case plan review due")
        REUNIFICATION_CHECK = "reunification_check", _("Reunification check due")
        # By SMS only, to the volunteer's phone: the text is the message (volunteers.sms_replies).
        CHECKIN_SMS = "checkin_sms", _("Check-in by text message")
        SMS_REPLY = "sms_reply", _("Answer to a text message")

    # Who it is for, as "user:5", "volunteer:7" or "organisation:3": volunteers without a
    # login and organisations are reached by SMS and email only.
    recipient_key = models.CharField(_("recipient"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inbox of"),
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What it is about, e.g. "2026-11" for a month or "checkin:42" for one check-in.
    period = models.CharField(_("period"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("link"), max_length=200, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_key", "kind", "period"], name="notification_once_per_period"
            ),
        ]
        indexes = [
            # The inbox: a user's notifications, newest first.
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(TimeStampedModel):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            # The sweep: deliveries still waiting to be sent.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}"
