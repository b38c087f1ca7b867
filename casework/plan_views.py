"""Case plans' pages: officials and the child's teachers (a volunteer, a viewer or a partner
never reach a plan: 404 outside their scope, 403 within it). Thin: fetch the child within
scope, form, service (casework/services/plans.py), back to the plan."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import plan_file
from casework.models import CasePlan, PlanAction, PlanReview
from casework.plan_forms import ActionForm, ClosePlanForm, OutcomeForm, ReviewForm
from casework.services import plans
from lbc_office.core import audit
from lbc_office.core.forms import record_on_file
from registry import access
from registry.filters import ChildFilter
from registry.models import RISK_NEEDS_PLAN, Child
from registry.selectors import get_child_for_user

shows_personal_data = audit.shows_personal_data


def _open_plan(child) -> CasePlan:
    plan = CasePlan.objects.open().filter(child=child).first()
    if plan is None:
        raise Http404
    plan.child = child
    return plan


def _plan_url(child) -> str:
    return reverse("plans:plan_detail", args=[child.pk])


def _to_plan(child):
    return redirect(_plan_url(child))


@shows_personal_data
def plan_detail(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    plan = plan_file.newest_plan_first(
        CasePlan.objects.filter(child=child)
        .select_related("opened_by", "closed_by")
        .prefetch_related(
            Prefetch(
                "actions",
                PlanAction.objects.select_related("owner_user", "owner_agency", "done_by"),
            ),
            Prefetch("reviews", PlanReview.objects.select_related("reviewed_by")),
        )
    )
    return render(
        request,
        "casework/plan_detail.html",
        {
            "child": child,
            "plan": plan,
            "today": timezone.localdate(),
            "needs_plan": child.risk_level in RISK_NEEDS_PLAN,
        },
    )


@require_POST
def plan_open(request, pk):
    """POST only, then back to the plan (which shows the child's data, audited there)."""
    child = get_child_for_user(request, pk, edit=True)
    try:
        plans.open_plan(child=child, by=request.user)
    except ValidationError as exc:  # shown on the plan's page
        for message in exc.messages:
            messages.error(request, message)
    return _to_plan(child)


@shows_personal_data
def action_edit(request, pk, action_pk=None):
    child = get_child_for_user(request, pk, edit=True)
    plan = _open_plan(child)
    action = get_object_or_404(plan.actions.open(), pk=action_pk) if action_pk else None
    return record_on_file(
        request,
        child,
        ActionForm(request.POST or None, child=child, action=action),
        plans.save_action,
        template="registry/record_form.html",
        title=_("Change the action") if action else _("Add an action to the case plan"),
        success=_("The action was saved."),
        redirect_to=_plan_url(child),
        plan=plan,
        action=action,
    )


@shows_personal_data
def action_done(request, pk, action_pk):
    child = get_child_for_user(request, pk, edit=True)
    action = get_object_or_404(PlanAction.objects.open().filter(plan__child=child), pk=action_pk)
    return record_on_file(
        request,
        child,
        OutcomeForm(request.POST or None),
        plans.complete_action,
        template="registry/record_form.html",
        title=_("Done: %(what)s") % {"what": action.what[:60]},
        success=_("The outcome was recorded."),
        redirect_to=_plan_url(child),
        action=action,
    )


@shows_personal_data
def plan_review(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        ReviewForm(request.POST or None),
        plans.review_plan,
        template="registry/record_form.html",
        title=_("Review the case plan"),
        success=_("The review was recorded."),
        redirect_to=_plan_url(child),
        plan=_open_plan(child),
    )


@shows_personal_data
def plan_close(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        ClosePlanForm(request.POST or None),
        plans.close_plan,
        template="registry/record_form.html",
        title=_("Close the case plan"),
        success=_("The case plan was closed."),
        redirect_to=_plan_url(child),
        plan=_open_plan(child),
    )


# --- Children at high or urgent risk: what is being done, and by whom ----------------------------


@shows_personal_data
def risk_list(request):
    """Officials (the county) and teachers (their schools): active children at high or urgent
    risk, by town and level, each with the open actions of their plan, owners and due dates."""
    if not access.can_edit_children(request.user):
        raise PermissionDenied
    children = (
        Child.objects.visible_to(request.user)
        .active()
        .filter(risk_level__in=RISK_NEEDS_PLAN)
        .select_related("school", "village__town")
        .annotate(next_review_on=plan_file.next_review_subquery())
        .prefetch_related(
            Prefetch(
                "case_plans",
                CasePlan.objects.open().prefetch_related(
                    Prefetch(
                        "actions",
                        PlanAction.objects.open().select_related("owner_user", "owner_agency"),
                    )
                ),
                to_attr="open_plans",
            )
        )
    )
    child_filter = ChildFilter(request.GET, queryset=children, user=request.user)
    qs = child_filter.qs.order_by("-risk_level", "village__town__name", "name", "id")
    page = Paginator(qs, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/risk_list.html",
        {"filter": child_filter, "page": page, "query": query.urlencode(),
         "today": timezone.localdate()},
    )  # fmt: skip
