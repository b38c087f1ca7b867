"""Overdue referrals (casework) are reminded through the notifications of this app: once when
a referral is first overdue, then once a week while it stays open, to the organisation's
partner logins and the official who referred the child.

Exactly once, twice over: casework's ``ReferralReminder`` row (unique per referral and overdue
week) is claimed in the same transaction as the notifications are written, and each
notification is unique per recipient and period. A doubled, late or concurrent run sends each
reminder once. Email and SMS carry no personal data (``notify.outbound_text``); the inbox
message names the organisation, the date and the days overdue, not the child.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.services import referrals
from volunteers.models import Notification
from volunteers.services.notify import Recipient, send_once


def remind_overdue_referrals(today: datetime.date | None = None) -> dict:
    """Remind every referral due a reminder today; returns how many referrals and messages."""
    today = today or timezone.localdate()
    reminded = messages = 0
    for referral, bucket in referrals.due_reminders(today):
        with transaction.atomic():
            if not referrals.claim_reminder(referral=referral, bucket=bucket):
                continue  # another run has it
            reminded += 1
            messages += _send(referral, bucket, today)
    return {"referrals": reminded, "messages": messages}


def _send(referral, bucket: int, today: datetime.date) -> int:
    late = (today - referral.due_on).days
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A referral to %(agency)s is overdue") % {"agency": referral.agency.name}
        body = _(
            "The answer to a referral to %(agency)s was needed by %(due)s: it is %(days)s days "
            "overdue and still open."
        ) % {"agency": referral.agency.name, "due": referral.due_on.isoformat(), "days": late}
    period = f"referral:{referral.pk}:{bucket}"
    sent = 0
    partner_link = reverse("referrals:partner_referral", args=[referral.pk])
    recipients = [(user, partner_link) for user in referrals.liaisons(referral)]
    if referral.sent_by.is_active and referral.sent_by.is_official:
        recipients.append((referral.sent_by, referral.get_absolute_url()))
    for user, link in recipients:
        notification = send_once(
            Recipient.for_user(user), kind=Notification.Kind.REFERRAL_OVERDUE, period=period,
            subject=subject, body=body, link=link,
        )  # fmt: skip
        sent += notification is not None
    return sent
