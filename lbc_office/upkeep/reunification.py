"""Reminding reunification checks (casework's ``ReunificationCheck``): the roof's, because it
joins casework's checks with the notification channels of the volunteers app.

Once per check: the check is claimed by a conditional update (``reminded_at`` from empty), in
the same transaction as its notifications, each of which is unique per recipient, kind and
check; a second or concurrent run finds nothing to claim. The teachers of the child's school
are told; a school without a teacher's login tells the officials instead.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import ReunificationCheck
from registry.models import Teacher
from volunteers.models import Notification
from volunteers.services.notify import Recipient, officials, send_once


def _recipients(check: ReunificationCheck) -> list[Recipient]:
    teachers = (
        Teacher.objects.filter(schools=check.child.school_id, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return [Recipient.for_user(t.user) for t in teachers] or officials(check.county.code)


def remind_due(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    due = ReunificationCheck.objects.pending().filter(due_on__lte=today, reminded_at__isnull=True)
    reminded = 0
    for check in due.select_related("child").order_by("due_on", "pk"):
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            claimed = ReunificationCheck.objects.filter(
                pk=check.pk, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:  # another run got there first
                continue
            subject = _("Check on %(child)s, reunited %(months)d months ago") % {
                "child": check.child.name, "months": check.after_months,
            }  # fmt: skip
            body = _(
                "%(child)s went home to their parents. Please see how the child is doing and "
                "record it by %(date)s."
            ) % {"child": check.child.name, "date": f"{check.due_on:%Y-%m-%d}"}
            link = reverse("reunification_check", args=[check.pk])
            for recipient in _recipients(check):
                send_once(
                    recipient, kind=Notification.Kind.REUNIFICATION_CHECK,
                    period=f"reunification:{check.pk}", subject=subject, body=body, link=link,
                )  # fmt: skip
            reminded += 1
    return reminded
