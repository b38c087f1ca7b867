"""Referrals: the office refers a child to a partner organisation; the organisation answers.

- ``refer`` — an official, from a concern or from the file. Submitting the same referral twice
  (same child, organisation, concern and request, still open) stores it once.
- ``answer`` (and ``accept``/``decline``/``progress``/``done``) — the organisation's partner
  login, or an official on its behalf (a phone call); ``cancel`` — an official withdraws it.
  The transitions are ``casework.models.referrals.TRANSITIONS``; anything else is refused with
  a message on the ``status`` field. Sending the same answer twice records it once.
- ``due_reminders``/``claim_reminder`` — which overdue referrals are to be reminded today, and
  the claim (a unique row per referral and overdue week) that lets the reminder go out once.
  The sending is the volunteers app's (its notifications): casework imports no app.

Every write is one transaction, audited (``save_tracked``), with the step's history row.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.models import Agency, Concern, Liaison, Referral, ReferralReminder, ReferralUpdate
from casework.models.referrals import TRANSITIONS, ReferralStatus
from lbc_office.core.models import Role, User
from lbc_office.core.services import save_tracked
from registry.models import Child, ChildStatus

Status = ReferralStatus
REMIND_EVERY_DAYS = 7  # once on the first day overdue, then once a week
# An answer that closes or turns down a referral says why or what came of it.
NEEDS_FEEDBACK = {
    Status.DECLINED: gettext_lazy("Say why the organisation declines."),
    Status.DONE: gettext_lazy("Say what was done."),
    Status.CANCELLED: gettext_lazy("Say why the referral is withdrawn."),
    Status.IN_PROGRESS: gettext_lazy("Say what has been done so far."),
}


def _require_official(by) -> None:
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only a county official refers a child")


@transaction.atomic
def refer(
    *,
    by,
    child: Child,
    agency: Agency,
    asked: str,
    due_on: datetime.date,
    concern: Concern | None = None,
) -> Referral:
    """Send a referral (status "sent"); the same one submitted again is returned, not doubled."""
    _require_official(by)
    asked = (asked or "").strip()
    errors = {}
    if agency is None or not agency.active:
        errors["agency"] = _("Choose an active organisation.")
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = _("This date is in the past.")
    if child.status != ChildStatus.ACTIVE:
        errors["child"] = _("This child's file is not active.")
    if concern is not None and concern.child_id != child.pk:
        errors["concern"] = _("This concern is about another child.")
    if errors:
        raise ValidationError(errors)
    Child.objects.select_for_update().filter(pk=child.pk).first()  # two clicks queue here
    same = (
        Referral.objects.open()
        .filter(child=child, agency=agency, concern=concern, asked=asked)
        .first()
    )
    if same is not None:
        return same
    now = timezone.now()
    referral = Referral(
        county_id=child.county_id, child=child, concern=concern, agency=agency, asked=asked,
        due_on=due_on, sent_by=by, sent_at=now, status_changed_at=now,
    )  # fmt: skip
    save_tracked(referral, by=by)
    ReferralUpdate.objects.create(referral=referral, status=Status.SENT, by=by, at=now)
    return referral


def acts_for_agency(user, agency_id: int) -> bool:
    """The user is an active partner login of this (active) organisation."""
    if not getattr(user, "is_partner", False):
        return False
    return Liaison.objects.filter(user=user, agency_id=agency_id, agency__active=True).exists()


def may_answer(user, referral: Referral) -> bool:
    return getattr(user, "is_official", False) or acts_for_agency(user, referral.agency_id)


@transaction.atomic
def answer(*, referral: Referral, by, status: str, feedback: str = "") -> Referral:
    """Move ``referral`` to ``status`` with ``feedback``; the same answer again does nothing."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not may_answer(by, referral):
        raise PermissionDenied("only the organisation's partner or an official answers")
    feedback = (feedback or "").strip()
    if status == Status.CANCELLED and not by.is_official:
        raise ValidationError({"status": _("Only the office withdraws a referral.")})
    if _is_repeat(referral, status, feedback):
        return referral
    if status not in TRANSITIONS.get(referral.status, ()):
        raise ValidationError(
            {
                "status": _("A referral that is “%(now)s” cannot become “%(new)s”.")
                % {"now": referral.get_status_display(), "new": _label(status)}
            }
        )
    if status in NEEDS_FEEDBACK and not feedback:
        raise ValidationError({"feedback": NEEDS_FEEDBACK[status]})
    now = timezone.now()
    fields = {"status": status, "status_changed_at": now}
    if referral.answered_at is None and status != Status.CANCELLED:
        fields["answered_at"] = now
    save_tracked(referral, by=by, fields=fields, update_fields=list(fields))
    ReferralUpdate.objects.create(
        referral=referral, status=status, feedback=feedback, by=by, at=now,
        on_behalf=by.role == Role.OFFICIAL and status != Status.CANCELLED,
    )  # fmt: skip
    return referral


def _label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def _is_repeat(referral: Referral, status: str, feedback: str) -> bool:
    """The same step sent again (a double click, a reloaded form): already recorded."""
    if status != referral.status:
        return False
    if status != Status.IN_PROGRESS:
        return True  # accepted twice, done twice…: once
    latest = referral.updates.order_by("-at", "-id").first()
    return latest is not None and latest.status == status and latest.feedback == feedback


def accept(*, referral: Referral, by, feedback: str = "") -> Referral:
    return answer(referral=referral, by=by, status=Status.ACCEPTED, feedback=feedback)


def decline(*, referral: Referral, by, feedback: str) -> Referral:
    return answer(referral=referral, by=by, status=Status.DECLINED, feedback=feedback)


def progress(*, referral: Referral, by, feedback: str) -> Referral:
    return answer(referral=referral, by=by, status=Status.IN_PROGRESS, feedback=feedback)


def done(*, referral: Referral, by, feedback: str) -> Referral:
    return answer(referral=referral, by=by, status=Status.DONE, feedback=feedback)


def cancel(*, referral: Referral, by, feedback: str) -> Referral:
    """An official withdraws a referral that is not finished (the reason is its feedback)."""
    _require_official(by)
    return answer(referral=referral, by=by, status=Status.CANCELLED, feedback=feedback)


# --- Overdue reminders ------------------------------------------------------------------------


def reminder_bucket(due_on: datetime.date, today: datetime.date) -> int | None:
    """0 on the first day past ``due_on`` and the six after it, then 1, 2…; None if not late."""
    late = (today - due_on).days
    return None if late < 1 else (late - 1) // REMIND_EVERY_DAYS


def due_reminders(today: datetime.date | None = None) -> list[tuple[Referral, int]]:
    """Overdue referrals not yet reminded for their current overdue week (two queries)."""
    today = today or timezone.localdate()
    overdue = list(
        Referral.objects.overdue(today).select_related("agency", "sent_by").order_by("due_on", "pk")
    )
    done_already = set(
        ReferralReminder.objects.filter(referral__in=[r.pk for r in overdue]).values_list(
            "referral_id", "bucket"
        )
    )
    due = []
    for referral in overdue:
        bucket = reminder_bucket(referral.due_on, today)
        if (referral.pk, bucket) not in done_already:
            due.append((referral, bucket))
    return due


def claim_reminder(*, referral: Referral, bucket: int) -> bool:
    """Claim this referral's reminder for ``bucket``: True for the one caller that wins (in
    the caller's transaction: if the sending fails, the claim goes with it)."""
    try:
        with transaction.atomic():  # a savepoint: losing the race must not spoil the caller's
            ReferralReminder.objects.create(referral=referral, bucket=bucket)
    except IntegrityError:
        return False
    return True


def liaisons(referral: Referral) -> list[User]:
    """The active partner logins of the referral's organisation."""
    return list(
        User.objects.filter(
            liaison__agency_id=referral.agency_id, is_active=True, role=Role.PARTNER
        ).order_by("pk")
    )
