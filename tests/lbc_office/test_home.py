"""Each role's first screen: what needs attention, in a fixed number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from lbc_office.home import dashboard
from lbc_office.reports import figures
from registry import services
from tests.casework.factories import ConcernFactory
from tests.factories import ChildFactory
from tests.programmes.factories import FamilyCallFactory, HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, month_start

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _grow(personas, n):
    volunteer = VolunteerFactory(capacity=100)
    for _ in range(n):
        child = ChildFactory(school=personas.school_a)
        AssignmentFactory(child=child, volunteer=volunteer)
        HomeVisitFactory(
            child=child, visitor=personas.teacher_a, follow_up_needed=True,
            follow_up_by=TODAY - datetime.timedelta(days=1), follow_up_note="再去看看",
        )  # fmt: skip


def _grow_more(personas, n):
    """Everything the dashboard counts, ``n`` times over: concerns, missed check-ins, calls,
    children leaving the register, children living alone."""
    last_month = month_start(month_start(TODAY) - datetime.timedelta(days=1))
    for i in range(n):
        child = ChildFactory(school=personas.school_a, guardian="none")
        assignment = AssignmentFactory(child=child, volunteer=VolunteerFactory())
        MonthlyCheckin.objects.create(
            assignment=assignment, county=child.county, month=last_month,
            status="missed" if i % 2 else "done", concern=True,
            submitted_at=timezone.now(),
        )  # fmt: skip
        ConcernFactory(child=child, source="checkin")  # the worry, as the office's record
        FamilyCallFactory(child=child)
        leaving = ChildFactory(school=personas.school_a)
        services.change_child_status(
            child=leaving, status="reunited", on=TODAY, reason="父母返乡", by=personas.official
        )


@pytest.mark.parametrize("n", [1, 15])
def test_official_home_query_count(personas, django_assert_num_queries, n):
    _grow(personas, n)
    _grow_more(personas, n)
    client = personas.client_for("official")
    # session, user, second-factor device; figures, carers, schools, follow-ups due,
    # concerns, children with a concern, missed last month, status changes, carers whose
    # file is withheld, vetting expiring; the trends: visits, leaving, check-ins and concerns;
    # no session save (at most once a minute); the VIEW event of the children the page names
    # and, in one INSERT, those
    # children (2, issue 12); my tasks: concerns to look at (the carers' worries: their count
    # and first five), children without consent (their count and first five); the children at
    # risk by town, one GROUP BY, and my case-plan actions (none: their count) (issue 14)
    with django_assert_num_queries(22):  # the session from the cache; the VIEW event: 1
        response = client.get(reverse("home"))
    assert response.context["follow_ups_due"] == n
    figures = response.context["headline"]
    # the personas' two children, n with a carer and a visit, n living alone with a carer
    assert figures["children"] == 2 + 2 * n
    assert figures["no_carer"] == 2
    assert figures["alone"] == n
    assert response.context["concern_children"] == n
    assert response.context["missed_last_month"] == n // 2
    trends = response.context["trends"]
    assert len(trends["labels"]) == 12 and trends["labels"][-1] == f"{TODAY:%Y-%m}"
    assert trends["left"][-1] == n and sum(trends["concerns"]) == n
    assert sum(trends["visits"]) == n


def test_each_figure_links_to_the_children_behind_it(personas):
    _grow(personas, 2)
    _grow_more(personas, 3)
    client = personas.client_for("official")
    html = client.get(reverse("home")).content.decode()
    for figure, expected in [("figure-alone", 3), ("figure-no-carer", 2), ("figure-concerns", 3)]:
        link = re.search(rf'id="{figure}" href="([^"]+)"', html).group(1)
        response = client.get(link.replace("&amp;", "&"))
        page = response.context["page"]
        # the children list counts by itself (keyset pages, issue 15); other lists paginate
        count = page.count if hasattr(page, "more_than_limit") else page.paginator.count
        assert count == expected, figure
    assert 'id="trend-data" type="application/json"' in html
    assert "<script>" not in html  # no inline script (CSP)


@pytest.mark.parametrize("n", [1, 15])
def test_teacher_home_query_count(personas, django_assert_num_queries, n):
    _grow(personas, n)
    client = personas.client_for("teacher_a")
    # session, user, my tasks (the follow-ups' count and first five, the reunification checks'
    # count), contact gaps, schools (no session save); the VIEW event of the children the tasks
    # name and, in one INSERT, those children (2, issue 12); my case-plan actions (none: their
    # count, issue 14)
    with django_assert_num_queries(8):  # the session from the cache; the VIEW event: 1
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'id="tasks-follow_ups"' in html
    [follow_ups] = response.context["tasks"]
    assert (follow_ups.key, follow_ups.count, len(follow_ups.items)) == ("follow_ups", n, min(n, 5))


def test_teacher_b_sees_no_follow_up_of_school_a(personas):
    _grow(personas, 2)
    response = personas.client_for("teacher_b").get(reverse("home"))
    assert response.context["tasks"] == []


@pytest.mark.parametrize("n", [1, 15])
def test_official_home_reads_the_stored_figures_of_a_city(
    personas, settings, django_assert_num_queries, n
):
    """With REPORT_FIGURES_MINUTES set and today counted, the headline figures (follow-ups due
    among them) are the stored ones — the same numbers — with the time they were counted, and
    the trends are kept in the cache for as long."""
    _grow(personas, n)
    _grow_more(personas, n)
    client = personas.client_for("official")
    live = client.get(reverse("home")).context
    settings.REPORT_FIGURES_MINUTES = 10
    figures.count_day()
    key = dashboard._trends_key(TODAY, personas.official.county_code)  # the county's (issue 15)
    cache.delete(key)
    try:
        # as above, with the figures' day and sums in place of the figures, the carers and
        # the follow-ups due; then the trends' three queries, which the next visit skips
        # (+4 since issue 12: withheld carers, vettings expiring, the VIEW event and its
        # children; +4 since issue 14: my tasks, as above; +2: the children at risk by town and
        # my case-plan actions' count; -3: the session is saved at most once a minute)
        with django_assert_num_queries(21):  # -2: the session (cache), the VIEW event (one)
            response = client.get(reverse("home"))
        with django_assert_num_queries(18):
            again = client.get(reverse("home"))
    finally:
        cache.delete(key)
    stored = response.context["headline"]
    assert stored.pop("counted_at") is not None
    assert stored == live["headline"]
    assert response.context["follow_ups_due"] == live["follow_ups_due"] == n
    assert response.context["trends"] == again.context["trends"] == live["trends"]
    assert b'id="counted-at"' in response.content
