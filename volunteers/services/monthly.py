"""The monthly check-in cycle. Beat runs each step every day; each step works out from the date
and the database what is due, so a run that comes twice, concurrently, or a day late (a worker
that was down) does its work exactly once:

- ``open_month``: from the 1st, every active assignment of a child on the active register has
  this month's check-in (unique per assignment and month) and each volunteer is told once
  (unique per volunteer, kind and month);
- ``remind_missing``: from the 20th, each volunteer with a check-in still to do is reminded once;
- ``close_months``: once a month has ended, its open check-ins become missed (a conditional
  update) and the officials and each volunteer's organisation get the month's list once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registry.models import ChildStatus
from volunteers.models import (
    Assignment,
    MonthlyCheckin,
    Notification,
    Volunteer,
    active_assignment_q,
    month_start,
)
from volunteers.services.notify import Recipient, officials, send_once
from volunteers.services.sms_replies import send_checkin_texts

REMINDER_DAY = 20


def _period(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def open_month(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    month = month_start(today)
    already = MonthlyCheckin.objects.filter(assignment=OuterRef("pk"), month=month)
    # A child off the active register is owed no check-in (closing ended its carers anyway).
    to_open = (
        Assignment.objects.active()
        .filter(started_on__lte=today, child__status=ChildStatus.ACTIVE)
        .filter(~Exists(already))
    )
    created = MonthlyCheckin.objects.bulk_create(
        [
            MonthlyCheckin(assignment_id=a.pk, county_id=a.county_id, month=month)
            for a in to_open.only("pk", "county_id")
        ],
        ignore_conflicts=True,  # a concurrent run may insert first: the unique constraint decides
    )
    told = 0
    link = reverse("volunteers:my_children")
    for volunteer, names in _volunteers_with_open(month).items():
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            sent = send_once(
                Recipient.for_volunteer(volunteer, sms=not volunteer.phone),
                kind=Notification.Kind.CHECKIN_OPEN,
                period=_period(month),
                subject=_("This month's visits: %(names)s") % {"names": "、".join(names)},
                body=_(
                    "A new month has begun. Please see or call %(names)s and fill in this "
                    "month's check-in."
                )
                % {"names": "、".join(names)},
                link=link,
            )
        told += sent is not None
    send_checkin_texts(month)  # and one SMS per check-in to the volunteer's phone
    return {"month": _period(month), "checkins_created": len(created), "volunteers_told": told}


def remind_missing(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    if today.day < REMINDER_DAY:
        return {"reminded": 0}
    month = month_start(today)
    reminded = 0
    link = reverse("volunteers:my_children")
    for volunteer, names in _volunteers_with_open(month).items():
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            sent = send_once(
                Recipient.for_volunteer(volunteer, sms=not volunteer.phone),
                kind=Notification.Kind.CHECKIN_REMINDER,
                period=_period(month),
                subject=_("Reminder: this month's check-in for %(names)s")
                % {"names": "、".join(names)},
                body=_(
                    "This month's check-in for %(names)s is not done yet. Please fill it in "
                    "before the month ends."
                )
                % {"names": "、".join(names)},
                link=link,
            )
        reminded += sent is not None
    send_checkin_texts(month, reminder=True)
    return {"month": _period(month), "reminded": reminded}


def close_months(today: datetime.date | None = None) -> dict:
    """Every month before this one is closed: open check-ins become missed, lists go out."""
    today = today or timezone.localdate()
    current = month_start(today)
    marked = MonthlyCheckin.objects.filter(
        status=MonthlyCheckin.Status.OPEN, month__lt=current
    ).update(status=MonthlyCheckin.Status.MISSED)
    # Lists for the months that have missed check-ins; the unique key sends each list once.
    # Only recent months: a list about last year helps nobody.
    since = month_start(current - datetime.timedelta(days=95))
    lists = 0
    missed = (
        MonthlyCheckin.objects.filter(
            status=MonthlyCheckin.Status.MISSED, month__gte=since, month__lt=current
        )
        .select_related(
            "assignment__volunteer__organisation__coordinator", "assignment__child", "county"
        )
        .order_by("month", "assignment__volunteer__name")
    )
    by_month: dict[datetime.date, list[MonthlyCheckin]] = defaultdict(list)
    for checkin in missed:
        by_month[checkin.month].append(checkin)
    for month, checkins in by_month.items():
        lists += _send_missed_lists(month, checkins)
    return {"marked_missed": marked, "lists_sent": lists}


def _send_missed_lists(month: datetime.date, checkins: list[MonthlyCheckin]) -> int:
    sent = 0
    query = urlencode({"month": _period(month), "status": "missed"})
    link = f"{reverse('volunteers:checkins')}?{query}"
    with translation.override(settings.LANGUAGE_CODE):
        # Each county's officials get their county's list (the same period: one list each).
        by_county = defaultdict(list)
        for checkin in checkins:
            by_county[checkin.county.code].append(checkin)
        for recipient, own in (
            (recipient, own) for code, own in by_county.items() for recipient in officials(code)
        ):
            with transaction.atomic():
                sent += (
                    send_once(
                        recipient,
                        kind=Notification.Kind.MISSED_LIST,
                        period=_period(month),
                        **_missed_text(month, own),
                        link=link,
                    )
                    is not None
                )
        by_org = defaultdict(list)
        for checkin in checkins:
            organisation = checkin.assignment.volunteer.organisation
            if organisation is not None:
                by_org[organisation].append(checkin)
        for organisation, own in by_org.items():
            with transaction.atomic():
                sent += (
                    send_once(
                        Recipient.for_organisation(organisation),
                        kind=Notification.Kind.MISSED_LIST,
                        period=_period(month),
                        **_missed_text(month, own),
                        link=link if organisation.coordinator_id else "",
                    )
                    is not None
                )
    return sent


def _missed_text(month: datetime.date, checkins: list[MonthlyCheckin]) -> dict:
    lines = []
    for c in checkins:
        a = c.assignment
        lines.append(f"- {a.volunteer.name}（{a.get_role_display()}）→ {a.child.name}")
    return {
        "subject": _("%(count)d check-ins missed in %(month)s")
        % {"count": len(checkins), "month": _period(month)},
        "body": _("These volunteers did not record their check-in for %(month)s:")
        % {"month": _period(month)}
        + "\n"
        + "\n".join(lines),
    }


def _volunteers_with_open(month: datetime.date) -> dict[Volunteer, list[str]]:
    """Volunteers with a check-in of ``month`` still to do, and the names of those children."""
    rows = (
        # An inactive volunteer is told nothing more (no child's name reaches them); their
        # open check-ins turn missed, which tells the office to end the assignments.
        MonthlyCheckin.objects.filter(
            active_assignment_q("assignment__"),
            month=month,
            status=MonthlyCheckin.Status.OPEN,
            assignment__volunteer__active=True,
        )
        .select_related("assignment__volunteer__user", "assignment__child")
        .order_by("assignment__volunteer_id", "assignment__child__name")
    )
    result: dict[Volunteer, list[str]] = defaultdict(list)
    for checkin in rows:
        result[checkin.assignment.volunteer].append(checkin.assignment.child.name)
    return result
