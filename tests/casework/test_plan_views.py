"""Case plans' pages: who reaches them, what they do, and what they cost in queries.

Out-of-scope records for every role are in the battery (tests/test_security.py OUT_OF_SCOPE);
here, the child of school A as each role sees it.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Agency, CasePlan, PlanAction, PlanReview
from casework.services import plans
from lbc_office.core.models import AuditEvent, Role
from registry import risk
from tests.conftest import login
from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(personas):
    risk.set_risk_level(
        child=personas.child_a, level="high", reason="独自在家", by=personas.official
    )
    return CasePlan.objects.get(child=personas.child_a)


@pytest.fixture
def action(plan, personas):
    return plans.save_action(
        plan=plan, by=personas.official, what="家访", owner_user=personas.teacher_a,
        due_on=TODAY,
    )  # fmt: skip


def _urls(child, action):
    keys = {"pk": child.pk}
    return [
        reverse("plans:plan_detail", kwargs=keys),
        reverse("plans:plan_open", kwargs=keys),
        reverse("plans:action_add", kwargs=keys),
        reverse("plans:action_edit", kwargs={**keys, "action_pk": action.pk}),
        reverse("plans:action_done", kwargs={**keys, "action_pk": action.pk}),
        reverse("plans:plan_review", kwargs=keys),
        reverse("plans:plan_close", kwargs=keys),
        reverse("registry:child_risk", kwargs=keys),
    ]


def _get_or_post(client, url):
    response = client.get(url)
    return client.post(url, {}) if response.status_code == 405 else response


def test_officials_and_the_childs_teacher_reach_every_page(personas, action):
    for role in ("official", "teacher_a"):
        client = personas.client_for(role)
        for url in _urls(personas.child_a, action):
            assert _get_or_post(client, url).status_code in (200, 302), (role, url)


def test_a_volunteer_caring_for_the_child_is_refused_and_others_see_nothing(personas, action):
    AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory(user=personas.volunteer))
    partner = login(__import__("django.test").test.Client(), UserFactory(role=Role.PARTNER))
    expected = {
        "volunteer": 403, "teacher_b": 404, "viewer": 404, "partner": 404,
    }  # fmt: skip
    for role, status in expected.items():
        client = partner if role == "partner" else personas.client_for(role)
        for url in _urls(personas.child_a, action):
            assert _get_or_post(client, url).status_code == status, (role, url)
    for role in ("volunteer", "viewer", "partner", "teacher_b"):
        client = partner if role == "partner" else personas.client_for(role)
        response = client.get(reverse("plans:risk_list"))
        assert response.status_code == 403 or personas.child_a.name not in response.content.decode()
    assert PlanAction.objects.count() == 1 and not PlanReview.objects.exists()


def test_a_teacher_plans_reviews_and_records_an_outcome_through_the_pages(personas, plan):
    client = personas.client_for("teacher_a")
    child = personas.child_a
    federation = Agency.objects.create(
        county=child.county, name="县妇女联合会", kind="womens_federation"
    )
    due = (TODAY + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        reverse("plans:action_add", args=[child.pk]),
        {"what": "联系妇联", "owner_user": personas.teacher_a.pk, "owner_agency": federation.pk,
         "due_on": due},
    )  # fmt: skip
    assert refused.status_code == 200 and refused.context["form"].errors
    response = client.post(
        reverse("plans:action_add", args=[child.pk]),
        {"what": "联系妇联", "owner_agency": federation.pk, "due_on": due},
    )
    assert response.status_code == 302
    action = PlanAction.objects.get()
    assert action.owner == federation
    client.post(reverse("plans:action_done", args=[child.pk, action.pk]), {"outcome": "妇联已上门"})
    next_review = (TODAY + datetime.timedelta(days=30)).isoformat()
    client.post(
        reverse("plans:plan_review", args=[child.pk]),
        {"note": "情况稳定", "next_review_on": next_review},
    )
    action.refresh_from_db()
    plan.refresh_from_db()
    assert action.outcome == "妇联已上门" and action.done_by == personas.teacher_a
    assert plan.next_review_on.isoformat() == next_review
    page = client.get(reverse("plans:plan_detail", args=[child.pk]))
    html = page.content.decode()
    assert "妇联已上门" in html and "情况稳定" in html
    timeline = client.get(child.get_absolute_url()).context["file"].timeline.events
    assert [e.kind for e in timeline].count("plan") == 2


def test_closing_is_offered_and_allowed_only_below_high(personas, action):
    client = personas.client_for("official")
    child = personas.child_a
    url = reverse("plans:plan_close", args=[child.pk])
    refused = client.post(url, {"note": "好转"})
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    risk.set_risk_level(child=child, level="medium", reason="好转", by=personas.official)
    assert client.post(url, {"note": "好转"}).status_code == 302
    assert not CasePlan.objects.open().exists()
    assert client.get(reverse("plans:action_add", args=[child.pk])).status_code == 404


def test_the_file_says_needs_a_case_plan_until_an_action_is_planned(personas, plan):
    client = personas.client_for("official")
    html = client.get(personas.child_a.get_absolute_url()).content.decode()
    assert 'id="needs-plan"' in html
    plans.save_action(
        plan=plan, by=personas.official, what="家访", owner_user=personas.official, due_on=TODAY
    )
    html = client.get(personas.child_a.get_absolute_url()).content.decode()
    assert 'id="needs-plan"' not in html and 'id="plan-card"' in html


def test_the_high_risk_list_says_what_is_done_and_by_whom_in_a_town(personas, action):
    other_town = ChildFactory(name="别镇的孩子")
    risk.set_risk_level(child=other_town, level="urgent", reason="x", by=personas.official)
    client = personas.client_for("official")
    response = client.get(reverse("plans:risk_list"))
    html = response.content.decode()
    assert {c.name for c in response.context["page"]} == {"张小明", "别镇的孩子"}
    assert "家访" in html and str(personas.teacher_a) in html
    town = personas.school_a.town_id
    response = client.get(reverse("plans:risk_list"), {"town": town})
    assert [c.name for c in response.context["page"]] == ["张小明"]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).first()
    assert event.detail.startswith("plans:risk_list")
    teacher = personas.client_for("teacher_a").get(reverse("plans:risk_list"))
    assert [c.name for c in teacher.context["page"]] == ["张小明"]


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 12])
def test_the_plan_page_costs_the_same_however_long_the_plan(
    personas, plan, django_assert_num_queries, n
):
    for i in range(n):
        plans.save_action(
            plan=plan, by=personas.official, what=f"事项{i}", owner_user=personas.teacher_a,
            due_on=TODAY,
        )  # fmt: skip
        PlanReview.objects.create(
            plan=plan, reviewed_by=personas.official, note=f"复查{i}", next_review_on=TODAY
        )
    client = personas.client_for("official")
    # session, user, second-factor device; the child; the plan, its actions with owners, its
    # reviews with their authors; the VIEW event (the session comes from the cache and is saved
    # at most once a minute)
    with django_assert_num_queries(7):
        response = client.get(reverse("plans:plan_detail", args=[personas.child_a.pk]))
    assert len(response.context["plan"].actions.all()) == n


@pytest.mark.parametrize("n", [1, 12])
def test_the_file_with_a_plan_costs_one_query_more(personas, plan, django_assert_num_queries, n):
    from tests.registry.test_queries import FILE_QUERIES

    for i in range(n):
        plans.save_action(
            plan=plan, by=personas.official, what=f"事项{i}", owner_user=personas.teacher_a,
            due_on=TODAY,
        )  # fmt: skip
    client = personas.client_for("official")
    with django_assert_num_queries(FILE_QUERIES + 1):  # the open actions with their owners
        response = client.get(personas.child_a.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 12])
def test_the_high_risk_list_costs_the_same_however_many_children(
    personas, django_assert_num_queries, n
):
    for _i in range(n):
        child = ChildFactory(school=personas.school_a)
        risk.set_risk_level(child=child, level="high", reason="x", by=personas.official)
        plans.save_action(
            plan=CasePlan.objects.get(child=child), by=personas.official, what="家访",
            owner_user=personas.teacher_a, due_on=TODAY,
        )  # fmt: skip
    client = personas.client_for("official")
    # session, user, second-factor device; the filter's schools size check and its towns;
    # count, page; open plans, their open actions with owners; the VIEW event and its children
    # (1, one statement) (the session: from the cache)
    with django_assert_num_queries(10):
        response = client.get(reverse("plans:risk_list"))
    assert response.context["page"].paginator.count == n


def test_the_open_plan_is_shown_before_an_older_closed_one(personas, plan):
    child = personas.child_a
    risk.set_risk_level(child=child, level="low", reason="好转", by=personas.official)
    plans.close_plan(plan=plan, note="好转", by=personas.official)
    risk.set_risk_level(child=child, level="urgent", reason="又独自在家", by=personas.official)
    newer = CasePlan.objects.open().get(child=child)
    client = personas.client_for("official")
    assert client.get(reverse("plans:plan_detail", args=[child.pk])).context["plan"] == newer
    sections = client.get(child.get_absolute_url()).context["sections"]
    (card,) = [s.context for s in sections if s.template == "casework/_plan_card.html"]
    assert card["plan"] == newer


def test_a_volunteer_sees_the_risk_badge_but_no_plan_card(personas, action):
    AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory(user=personas.volunteer))
    html = personas.client_for("volunteer").get(personas.child_a.get_absolute_url())
    text = html.content.decode()
    assert "risk-badge risk-high" in text and 'id="plan-card"' not in text
