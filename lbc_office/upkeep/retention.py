"""Retention: a file closed or aged out for longer than ``settings.RETENTION_YEARS`` is
anonymised (the roof: it reaches the records of every app).

When a file expires
-------------------
The period is counted as the Civil Code counts a period in years: it starts on the day after
the status changed (``Child.status_changed_on``) and ends on the same day N years later — or on
28 February when that year has no 29 February. The file is anonymised from the day after:

- closed on 2023-06-10, N = 3: kept through 2026-06-10, anonymised from 2026-06-11;
- closed on 2024-02-29, N = 3: kept through 2027-02-28, anonymised from 2027-03-01;
- closed on 2025-02-28, N = 3: kept through 2028-02-28, anonymised from 2028-02-29.

So on ``today`` a file has expired when its status changed before ``expiry_cutoff(today, N)``.
Only closed and aged-out files expire (the issue's rule); reunited, moved-away and
transferred files are kept. A file with no ``status_changed_on`` never expires (the services
always set it).

What is replaced
----------------
- the child: identity number → ``ANON`` + the file's key, zero-padded to 18 characters (never a
  real number, which is 17 digits and a digit or X; unique, as the key is); name → 已匿名; the
  child's own words and the notes cleared; the date of birth truncated to the first of its
  month (with the school, grade, sex and village it would single a child out; the age stays
  right to within the birth month);
- guardians and parents working away: names → 已匿名, phones and notes cleared;
- health-check findings, status-change reasons, consent records (guardian's name, notes,
  override reason), home visits (the guardian's situation, the community, the five
  recommendations, what the child said, the follow-up note), family-room calls', parents'
  visits', enrolments' and check-ins' notes, who attended a programme session, who signed for
  a donation, why a carer's assignment ended.

Free text that a rule requires (a status change's reason, a recommendation, who signed for a
donation, an override's reason) becomes 已匿名 when it held something and stays empty when it
was empty: the record stays valid and what the reports count (visits with a safety
recommendation, overrides) is unchanged.

What is kept: everything the reports count — school, grade, sex, the month of birth, village,
parents away and where they work, guardian type, the guardians' birth years and schooling,
boarding, poor household, status and its dates and history, health-check measurements, home
visits' dates and structured answers, calls, parents' visits, enrolments and attendance,
donations and their values, carers' assignments and check-ins.

History and messages
--------------------
``update()`` writes no history, and the history (django-simple-history) of the child and of
every record tied to it still holds the old values: their sensitive columns are overwritten
with the same placeholders, rather than the rows deleted, so the record of who changed the file
and when, and the status and school history, survive. Inbox messages about the child
(concerns: they quote a check-in's notes) are replaced by the placeholder, and the child's name
(every name the file's history has held) is replaced in any other message that mentions it.
The audit log never held values; one ``anonymise`` event is added per file.

Safe to run twice
-----------------
Each file is anonymised in its own transaction, under a row lock, after checking again that it
is still due and not yet anonymised (``Child.anonymised_at``): a second or concurrent run finds
nothing left to do and writes no second audit event.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone

from casework.models import Concern
from lbc_office.core import audit
from programmes.models import (
    Attendance,
    Enrolment,
    FamilyCall,
    Handover,
    HomeVisit,
    ParentVisit,
)
from registry.models import (
    Child,
    ChildStatus,
    ConsentRecord,
    Guardian,
    HealthCheck,
    ParentAway,
    StatusChange,
)
from volunteers.models import Assignment, MonthlyCheckin, Notification

PLACEHOLDER = "已匿名"
EXPIRING_STATUSES = (ChildStatus.CLOSED, ChildStatus.AGED_OUT)


class _Mark:
    """Replace non-empty text with the placeholder; leave empty text empty."""


MARK = _Mark()

# The records tied to a child, the path from each to the child, and what is replaced in them.
# Each value is "" (cleared), PLACEHOLDER, or MARK.
RECORDS = [
    (Guardian, "child_id", {"name": PLACEHOLDER, "phone": "", "notes": ""}),
    (ParentAway, "child_id", {"name": MARK, "phone": "", "notes": ""}),
    (HealthCheck, "child_id", {"notes": ""}),
    (StatusChange, "child_id", {"reason": MARK}),
    (ConsentRecord, "child_id", {"guardian_name": MARK, "override_reason": MARK, "notes": ""}),
    (
        HomeVisit,
        "child_id",
        dict.fromkeys(
            (
                "guardian_situation",
                "community",
                *HomeVisit.AREAS,
                "child_said",
                "follow_up_note",
            ),
            MARK,
        ),
    ),
    (FamilyCall, "child_id", {"notes": ""}),
    (ParentVisit, "child_id", {"notes": ""}),
    (Enrolment, "child_id", {"notes": ""}),
    (Attendance, "child_id", {"attendee": ""}),
    (Handover, "child_id", {"confirmed_by": MARK}),
    (Assignment, "child_id", {"end_reason": ""}),
    (MonthlyCheckin, "assignment__child_id", {"notes": ""}),
    (Concern, "child_id", {"description": MARK, "action_taken": MARK, "outcome_note": MARK}),
]


def placeholder_id_number(pk: int) -> str:
    """``ANON00000000000042``: 18 characters, unique, and never a real identity number."""
    return f"ANON{pk:014d}"


def expiry_cutoff(today: datetime.date, years: int) -> datetime.date:
    """A file whose status changed *before* this date has expired on ``today``.

    The same day ``years`` years earlier; on 29 February, when that year has none, 1 March —
    a change on 28 February of that year had its last day on 28 February, yesterday.
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        return datetime.date(today.year - years, 3, 1)


def expired(today: datetime.date | None = None) -> QuerySet:
    """Files due for anonymisation on ``today`` (and not anonymised yet)."""
    today = today or timezone.localdate()
    cutoff = expiry_cutoff(today, settings.RETENTION_YEARS)
    return Child.objects.filter(
        status__in=EXPIRING_STATUSES,
        status_changed_on__lt=cutoff,
        anonymised_at__isnull=True,
    )


def anonymise_expired(*, today: datetime.date | None = None) -> int:
    """Anonymise every expired file, one transaction each; return how many were done now."""
    due = expired(today)
    count = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            # Locked and checked again: another run (or a person reopening the file) may have
            # got there between the scan and now.
            child = due.select_for_update().filter(pk=pk).first()
            if child is None:
                continue
            _anonymise(child)
            count += 1
    return count


def _values(spec: dict) -> dict:
    return {
        field: (
            Case(When(**{field: ""}, then=Value("")), default=Value(PLACEHOLDER))
            if value is MARK
            else value
        )
        for field, value in spec.items()
    }


def _anonymise(child: Child) -> None:
    pk = child.pk
    names = {child.name, *Child.history.filter(id=pk).values_list("name", flat=True)}
    identity = {
        "id_number": placeholder_id_number(pk),
        "name": PLACEHOLDER,
        "wishes": "",
        "notes": "",
        "date_of_birth": child.date_of_birth.replace(day=1),
    }
    Child.objects.filter(pk=pk).update(**identity, anonymised_at=timezone.now())
    Child.history.filter(id=pk).update(**identity, history_change_reason=None)

    for model, path, spec in RECORDS:
        values = _values(spec)
        model._default_manager.filter(**{path: pk}).update(**values)
        if hasattr(model, "history"):
            model.history.filter(child_id=pk).update(**values, history_change_reason=None)

    _scrub_messages(pk, names)
    audit.record(audit.Action.ANONYMISE, obj=child)


def _scrub_messages(pk: int, names: set[str]) -> None:
    # A concern raised about the child links to the file and quotes the check-in's notes.
    link = reverse("registry:child_detail", args=[pk])
    Notification.objects.filter(link=link).update(subject=PLACEHOLDER, body=PLACEHOLDER)
    # Messages about a concern (raised, not looked at in time) link to the concern's page.
    concern_links = [c.get_absolute_url() for c in Concern.objects.filter(child_id=pk).only("pk")]
    Notification.objects.filter(link__in=concern_links).update(
        subject=PLACEHOLDER, body=PLACEHOLDER
    )
    # Monthly lists name several children: only this child's name goes. A one-character name
    # would match too much to replace safely (Chinese names have two characters or more).
    for name in sorted(n for n in names if len(n) >= 2 and n != PLACEHOLDER):
        Notification.objects.filter(Q(subject__contains=name) | Q(body__contains=name)).update(
            subject=Replace("subject", Value(name), Value(PLACEHOLDER)),
            body=Replace("body", Value(name), Value(PLACEHOLDER)),
        )
