"""The weekly digest: every user with something due hears of it once a week, by the existing
notification channels (inbox, and e-mail or SMS where the account has them).

It says how many of each kind of task are due, never whom they are about: no child's name leaves
the system by e-mail or SMS. Once per user and ISO week by the notifications' unique constraint
(recipient, kind, period), so a late, doubled or concurrent run sends nothing twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lbc_office.core.models import User
from lbc_office.home import todo
from volunteers.models import Notification
from volunteers.services import notify


def week_of(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_text(due: list[todo.Due]) -> tuple[str, str]:
    """Subject and body of one user's digest (in the office's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        total = sum(d.count for d in due)
        subject = _("This week: %(count)d things to do") % {"count": total}
        lines = [f"{d.label}: {d.shown_count}" for d in due]
        lines.append(_("Sign in and open My tasks to see them."))
        return subject, "\n".join(lines)


def send_weekly_digests(today: datetime.date) -> int:
    """One digest per active user with something due this week; returns how many were new."""
    roles = {role for source in todo.SOURCES for role in source.roles}
    period = week_of(today)
    link = reverse("my_tasks")
    sent = 0
    users = User.objects.filter(is_active=True, role__in=roles).order_by("pk")
    for user in users.iterator(chunk_size=500):
        if Notification.objects.filter(
            recipient_key=notify.Recipient.for_user(user).key,
            kind=Notification.Kind.DIGEST,
            period=period,
        ).exists():
            continue  # already sent this week: skip counting its tasks again
        due = todo.due_for(user, today, limit=0)
        if not due:
            continue
        subject, body = digest_text(due)
        made = notify.send_once(
            notify.Recipient.for_user(user),
            kind=Notification.Kind.DIGEST,
            period=period,
            subject=subject,
            body=body,
            link=link,
        )
        sent += made is not None
    return sent
