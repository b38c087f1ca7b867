"""Case plans: open, act, review, close — and what happens to a plan when the file closes.

Who: officials and the child's teachers (``registry.risk.may_set``: those who set the risk
level). Every write is one transaction, validated, audited, and safe to repeat.

Decisions (docs/DOMAIN.md "Risk levels and case plans"):
- A child set to high or urgent risk without an open plan gets an empty one at once, in the
  same transaction (``on_risk_change``, a ``registry.risk`` listener), its first review due
  ``FIRST_REVIEW_DAYS`` later; until it has an open action the file says "needs a case plan".
- A lower level does not close the plan: closing is a person's decision, allowed only once the
  risk is below high, and it closes the actions still open.
- Reviews are at least monthly: the next review is at most ``MAX_REVIEW_DAYS`` away.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.models import Agency, CasePlan, PlanAction, PlanReminder, PlanReview
from lbc_office.core import audit
from lbc_office.core.models import Role
from lbc_office.core.services import save_tracked
from registry import closure, risk
from registry.models import RISK_NEEDS_PLAN, Child, ChildStatus

FIRST_REVIEW_DAYS = 7
MAX_REVIEW_DAYS = 31
DEFAULT_REVIEW_DAYS = 30


def _require(by, child) -> None:
    if by is None or not risk.may_set(by, child):
        raise PermissionDenied("only officials and the child's teachers keep a case plan")


def _require_open(plan: CasePlan, field: str | None = None) -> None:
    if not plan.is_open:
        raise ValidationError({field or "__all__": _("This case plan is closed.")})


# --- Opening -----------------------------------------------------------------------------------


@transaction.atomic
def open_plan(*, child: Child, by) -> CasePlan:
    """The child's open plan, opened now if there is none (a second call returns the same)."""
    _require(by, child)
    child = Child.objects.select_for_update().get(pk=child.pk)  # one opener at a time
    plan = CasePlan.objects.open().filter(child=child).first()
    if plan is not None:
        return plan
    if child.status != ChildStatus.ACTIVE:
        raise ValidationError(_("Only an active child's file takes a case plan."))
    today = timezone.localdate()
    plan = CasePlan(
        child=child,
        county_id=child.county_id,
        opened_by=by,
        next_review_on=today + datetime.timedelta(days=FIRST_REVIEW_DAYS),
    )
    return save_tracked(plan, by=by)


def on_risk_change(*, child: Child, change, by) -> None:
    """``registry.risk`` listener: high or urgent risk opens an (empty) plan if none is open."""
    if change.to_level in RISK_NEEDS_PLAN:
        open_plan(child=child, by=by)


# --- Actions -----------------------------------------------------------------------------------


def _check_owner(plan: CasePlan, owner_user, owner_agency) -> None:
    if (owner_user is None) == (owner_agency is None):
        raise ValidationError({"owner_user": _("Name one person or one organisation, not both.")})
    if owner_user is not None:
        staff = owner_user.is_active and owner_user.role in (Role.OFFICIAL, Role.TEACHER)
        if not staff or not risk.may_set(owner_user, plan.child):
            raise ValidationError(
                {"owner_user": _("Choose an official or a teacher of this child's school.")}
            )
    if owner_agency is not None and not (
        owner_agency.active and owner_agency.county_id == plan.county_id
    ):
        raise ValidationError({"owner_agency": _("Choose an active partner organisation.")})


@transaction.atomic
def save_action(
    *, plan: CasePlan, by, what: str, due_on: datetime.date, owner_user=None,
    owner_agency: Agency | None = None, action: PlanAction | None = None,
) -> PlanAction:  # fmt: skip
    """Add an action to an open plan, or change an open one (what, who, by when)."""
    plan = CasePlan.objects.select_for_update().select_related("child").get(pk=plan.pk)
    _require(by, plan.child)
    _require_open(plan, "what")
    if action is not None and (action.plan_id != plan.pk or not action.is_open):
        raise ValidationError({"what": _("Only an open action of this plan can be changed.")})
    _check_owner(plan, owner_user, owner_agency)
    fields = {"what": (what or "").strip(), "due_on": due_on, "owner_user": owner_user,
              "owner_agency": owner_agency}  # fmt: skip
    if action is None:
        if due_on < timezone.localdate():
            raise ValidationError({"due_on": _("A new action cannot be due in the past.")})
        repeat = plan.actions.open().filter(**fields).first()
        if repeat is not None:  # the same form sent twice
            return repeat
        action = PlanAction(plan=plan)
    return save_tracked(action, by=by, fields=fields)


@transaction.atomic
def complete_action(*, action: PlanAction, outcome: str, by) -> PlanAction:
    """Record how an open action went and mark it done (a repeat returns it unchanged)."""
    action = PlanAction.objects.select_for_update().select_related("plan__child").get(pk=action.pk)
    _require(by, action.plan.child)
    outcome = (outcome or "").strip()
    if action.done_at is not None and action.outcome == outcome:
        return action
    if not action.is_open:
        raise ValidationError({"outcome": _("This action is no longer open.")})
    if not outcome:
        raise ValidationError({"outcome": _("Say what came of it.")})
    fields = {"outcome": outcome, "done_at": timezone.now(), "done_by": by}
    return save_tracked(action, by=by, fields=fields)


# --- Reviews and closing -----------------------------------------------------------------------


@transaction.atomic
def review_plan(*, plan: CasePlan, note: str, next_review_on: datetime.date, by) -> PlanReview:
    """Record a review and when the next one is due (within ``MAX_REVIEW_DAYS``)."""
    plan = CasePlan.objects.select_for_update().select_related("child").get(pk=plan.pk)
    _require(by, plan.child)
    _require_open(plan, "note")
    note, today = (note or "").strip(), timezone.localdate()
    latest = plan.reviews.first()
    if latest and (latest.note, latest.reviewed_by_id, latest.next_review_on) == (
        note, by.pk, next_review_on,
    ):  # fmt: skip
        return latest  # the same form sent twice
    errors = {}
    if not note:
        errors["note"] = _("Say what the review found.")
    if not today < next_review_on <= today + datetime.timedelta(days=MAX_REVIEW_DAYS):
        errors["next_review_on"] = _("The next review is due within %(days)d days.") % {
            "days": MAX_REVIEW_DAYS
        }
    if errors:
        raise ValidationError(errors)
    review = PlanReview(plan=plan, reviewed_by=by, note=note, next_review_on=next_review_on)
    review.full_clean()
    review.save()
    plan.next_review_on = next_review_on
    save_tracked(plan, by=by, update_fields=["next_review_on"])
    return review


@transaction.atomic
def close_plan(*, plan: CasePlan, note: str, by) -> CasePlan:
    """Close a plan once the child's risk is below high; its open actions close with it."""
    plan = CasePlan.objects.select_for_update().select_related("child").get(pk=plan.pk)
    _require(by, plan.child)
    if not plan.is_open:
        return plan
    note = (note or "").strip()
    if plan.child.risk_level in RISK_NEEDS_PLAN:
        raise ValidationError(
            {"note": _("The child is still at high or urgent risk: lower the level first.")}
        )
    if not note:
        raise ValidationError({"note": _("Say why the plan closes.")})
    now = timezone.now()
    closed = plan.actions.open().update(closed_at=now, updated_by=by, updated_at=now)
    fields = {"closed_at": now, "closed_by": by, "close_note": note}
    save_tracked(plan, by=by, fields=fields)
    if closed:
        audit.record(audit.Action.CHANGE, user=by, obj=plan, detail=f"actions_closed={closed}")
    return plan


# --- Reminders (sent by the roof: lbc_office/upkeep/plan_reviews.py) ---------------------------


def due_for_review(today: datetime.date):
    """Open plans of active children whose review is due by ``today`` and not yet reminded."""
    return CasePlan.objects.open().filter(
        next_review_on__lte=today, child__status=ChildStatus.ACTIVE
    )


def claim_reminder(*, plan: CasePlan) -> PlanReminder | None:
    """The reminder row for ``plan``'s review now due, if this call is the first to claim it;
    None if it was already sent (or a concurrent run is sending it). In the caller's
    transaction, behind a savepoint."""
    try:
        with transaction.atomic():
            return PlanReminder.objects.create(plan=plan, due_on=plan.next_review_on)
    except IntegrityError:
        return None


# --- When the file leaves "active" (registry.closure) ------------------------------------------


def close_for_file(*, child: Child, change, by) -> list[closure.Ended]:
    """The file left active: its open plan and open actions close, marked with ``change``."""
    now = timezone.now()
    plan = CasePlan.objects.open().filter(child=child).first()
    if plan is None:
        return []
    marks = {"closed_at": now, "closed_with": change, "updated_by": by, "updated_at": now}
    count = plan.actions.open().update(**marks)
    CasePlan.objects.filter(pk=plan.pk).update(**marks)
    audit.record(audit.Action.CHANGE, user=by, obj=plan, detail=f"closed_with={change.pk}")
    label = ngettext("%(n)d plan action closed", "%(n)d plan actions closed", count) % {"n": count}
    return [closure.Ended(key="plan_actions", label=label, count=count)]


def restore_for_file(*, child: Child, change, by) -> list[closure.Ended]:
    """The file reopened: what ``close_for_file`` closed with ``change`` opens again (unless
    another plan was opened meanwhile: that one stays the child's plan)."""
    plan = CasePlan.objects.filter(child=child, closed_with=change).first()
    if plan is None or CasePlan.objects.open().filter(child=child).exists():
        return []
    now = timezone.now()
    marks = {"closed_at": None, "closed_with": None, "updated_by": by, "updated_at": now}
    CasePlan.objects.filter(pk=plan.pk).update(**marks)
    count = plan.actions.filter(closed_with=change).update(**marks)
    audit.record(audit.Action.CHANGE, user=by, obj=plan, detail=f"reopened_with={change.pk}")
    label = ngettext("%(n)d plan action reopened", "%(n)d plan actions reopened", count) % {
        "n": count
    }
    return [closure.Ended(key="plan_actions", label=label, count=count)]
