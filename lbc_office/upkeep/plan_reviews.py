"""Case plans are reviewed at least monthly: every day, each open plan whose review is due is
reminded once through the office's notifications (inbox, then email and SMS).

In the roof because it combines casework (the plans) with volunteers' notification channels,
which casework may not import. Exactly once per review due: ``PlanReminder`` holds one row per
(plan, due date) by a unique constraint, claimed in the same transaction as the notifications,
and each notification is itself once per (recipient, kind, period). A second run, a late run or
two workers at once remind each review once; a review recorded moves the due date, and the
next due date is reminded in its turn.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import CasePlan
from casework.services import plans
from lbc_office.core.models import Role, User
from registry import risk
from volunteers.models import Notification
from volunteers.services import notify


def recipients(plan: CasePlan) -> list[User]:
    """Who keeps the plan: whoever opened it and the people who own its open actions, while
    they may still set the child's risk (officials, the child's teachers); if that leaves
    nobody, every active official."""
    people = {plan.opened_by_id: plan.opened_by}
    for action in plan.actions.open().filter(owner_user__isnull=False).select_related("owner_user"):
        people.setdefault(action.owner_user_id, action.owner_user)
    keepers = [
        u for _pk, u in sorted(people.items()) if u.is_active and risk.may_set(u, plan.child)
    ]
    if keepers:
        return keepers
    # Nobody keeps it: the officials of the child's county (the city's if it has none left).
    officials = User.objects.filter(role=Role.OFFICIAL, is_active=True).order_by("pk")
    code = plan.child.county.code
    return list(officials.filter(county_code=code)) or list(officials.filter(county_code=""))


def _remind(plan: CasePlan) -> int:
    """In the caller's transaction: claim this review's reminder and notify; 0 if taken."""
    claim = plans.claim_reminder(plan=plan)
    if claim is None:
        return 0
    people = recipients(plan)
    link = reverse("plans:plan_detail", args=[plan.child_id])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Case plan of %(child)s: review due") % {"child": plan.child.name}
        body = _("The case plan of %(child)s is to be reviewed by %(date)s.") % {
            "child": plan.child.name,
            "date": f"{plan.next_review_on:%Y-%m-%d}",
        }
    for user in people:
        notify.send_once(
            notify.Recipient.for_user(user),
            kind=Notification.Kind.PLAN_REVIEW,
            period=f"plan:{plan.pk}:{plan.next_review_on:%Y-%m-%d}",
            subject=subject,
            body=body,
            link=link,
        )
    claim.recipients = len(people)
    claim.save(update_fields=["recipients"])
    return 1


def remind_due_reviews(*, today: datetime.date | None = None) -> int:
    """Remind every open plan whose review is due by ``today``; the number of plans reminded."""
    today = today or timezone.localdate()
    due = plans.due_for_review(today).values_list("pk", flat=True).order_by("next_review_on")
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            plan = (
                CasePlan.objects.select_for_update(of=("self",))
                .select_related("child", "opened_by")
                .filter(pk=pk, closed_at__isnull=True)
                .first()
            )
            if plan is not None and plan.next_review_on <= today:
                reminded += _remind(plan)
    return reminded
