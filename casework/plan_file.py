"""What case plans add to the register: a card on the personal file, timeline events (reviews
and actions done), the "at high risk without a case plan" list, the risk listener that opens
a plan, and the closer that ends plan actions when the file leaves active.

Registered from ``CaseworkConfig.ready()``. The card costs one query without a plan, two with
one; each timeline source one.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.models import CasePlan, PlanAction, PlanReview
from casework.services import plans
from registry import access, closure, file_sections, filters, risk, timeline
from registry.models import RISK_NEEDS_PLAN
from registry.timeline import TimelineEvent

ATTENTION_KEY = "risk_without_plan"


def _plan_url(child) -> str:
    return reverse("plans:plan_detail", args=[child.pk])


# --- Timeline ----------------------------------------------------------------------------------


def plan_reviews(child, limit: int) -> list[TimelineEvent]:
    rows = PlanReview.objects.filter(plan__child=child).select_related("reviewed_by")[:limit]
    return [
        TimelineEvent(
            date=timezone.localdate(review.reviewed_at),
            kind="plan",
            title=_("Case plan reviewed; next review by %(date)s")
            % {"date": f"{review.next_review_on:%Y-%m-%d}"},
            detail=review.note,
            by=str(review.reviewed_by),
            url=_plan_url(child),
            order=review.reviewed_at.timestamp(),
        )
        for review in rows
    ]


def plan_actions_done(child, limit: int) -> list[TimelineEvent]:
    rows = (
        PlanAction.objects.filter(plan__child=child, done_at__isnull=False)
        .select_related("done_by", "owner_user", "owner_agency")
        .order_by("-done_at", "-id")[:limit]
    )
    return [
        TimelineEvent(
            date=timezone.localdate(action.done_at),
            kind="plan",
            title=_("Plan action done: %(what)s") % {"what": action.what},
            detail=_("%(owner)s: %(outcome)s") % {"owner": action.owner, "outcome": action.outcome},
            by=str(action.done_by),
            url=_plan_url(child),
            order=action.done_at.timestamp(),
        )
        for action in rows
    ]


# --- The card on the file ----------------------------------------------------------------------


def plan_card(request, child) -> dict | None:
    """The open plan (else the newest closed one): its open actions and next review. No card
    for a child who never had a plan and is not at high risk, nor for anyone but officials and
    teachers (the plan's pages are theirs alone)."""
    if not access.can_edit_children(request.user):
        return None
    plan = newest_plan_first(CasePlan.objects.filter(child=child).select_related("opened_by"))
    needs_plan = child.risk_level in RISK_NEEDS_PLAN
    if plan is None and not needs_plan:
        return None
    actions = []
    if plan is not None and plan.is_open:
        actions = list(plan.actions.open().select_related("owner_user", "owner_agency"))
    return {
        "child": child,
        "plan": plan,
        "actions": actions,
        "today": timezone.localdate(),
        # High or urgent with no open plan, or an open plan with nothing to do yet.
        "needs_plan": needs_plan and not actions,
        "can_close": plan is not None and plan.is_open and not needs_plan,
    }


def newest_plan_first(plans_qs):
    """The open plan first (its ``closed_at`` is NULL), then the most recently opened."""
    return plans_qs.order_by(F("closed_at").desc(nulls_first=True), "-opened_at", "-id").first()


# --- "At high risk without a case plan" --------------------------------------------------------


def without_plan(children):
    """High or urgent risk, and no open plan with an open action."""
    acting = PlanAction.objects.open().filter(
        plan__closed_at__isnull=True, plan__child=OuterRef("pk")
    )
    return children.filter(risk_level__in=RISK_NEEDS_PLAN).exclude(Exists(acting))


def next_review_subquery():
    return Subquery(
        CasePlan.objects.open().filter(child=OuterRef("pk")).values("next_review_on")[:1]
    )


def register() -> None:
    for source in (plan_reviews, plan_actions_done):
        timeline.register(source)
    file_sections.register_section(
        file_sections.Section(
            key="casework.plan", template="casework/_plan_card.html", context=plan_card, order=6
        )
    )
    filters.register_attention(
        filters.Attention(
            ATTENTION_KEY, gettext_lazy("At high risk without a case plan"), without_plan
        )
    )
    risk.register_listener("case_plan", plans.on_risk_change)
    closure.register("plan_actions", close=plans.close_for_file, restore=plans.restore_for_file)
