"""Pages cost a fixed number of queries whatever the data size (pinned here)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry import services
from registry.models import Guardian, ParentAway
from tests.factories import ChildFactory, HealthCheckFactory

pytestmark = pytest.mark.django_db

# session, user, count, one page of children, town and school choices (the session is saved at
# most once a minute: not by this request). A teacher's scope is a join, not a query.
# The official's list also asks whether there are so many schools that the school filter must
# wait for a town (one small query), and an official's session loads its second-factor device.
# Issue 12: the page's VIEW event and, in one INSERT, the children it lists (2; one statement
# since issue 15: 1). Issue 15 also reads the session from the cache (-1).
# Issue 15: the count stops at 1,001 rows (still one query) and the pages go by cursor (no
# count of pages). A county official's towns are their county's (no question whether they are
# too many: only a municipal official's town filter waits for a county). The teacher's towns
# are those of their children, now asked apart and kept for five minutes (one more query the
# first time, as here); a teacher's list no longer asks whether their schools are too many for
# one select (an official's only). The page is two queries: the sort keys of the
# children table alone (no join can be planned before the LIMIT), then those 25 children with
# their school and village: +1.
LIST_QUERIES = {"official": 8 + 1, "teacher_a": 7 + 1}
# session, user, the child with its school/village/town/county/authors, parents away, guardians,
# health checks, status changes, transfers (8); one query per timeline source: the register's
# health checks, status changes and transfers, programmes' visits, calls, parents' visits,
# enrolments and donations, volunteers' assignments and check-ins with their roles, casework's
# reunification checks (12); programmes' card (2) and the volunteers' carers card (1); the consent
# card (1); for an official, who has looked at the file (1) and the session's second-factor device
# (1); the audit event of this view (1) — 26 in all (the session is saved at most once a minute,
# and the timeline reads the health checks, status changes and transfers the file has: 23),
# whatever the length of the history; casework's referrals card (1) and their steps on the
# timeline (1); issue 14's risk card and its timeline source (2), the case plan card (1 without a
# plan; its actions are a second query only with a plan: tests/casework/test_plan_views.py) and
# the plan's timeline sources, reviews and actions done (2); casework's concerns card and their
# timeline source (2): 32; the session from the cache: 31.
FILE_QUERIES = 22 + 2 + 5 + 2


def _fill_school(school, n):
    ChildFactory.create_batch(n, school=school)


@pytest.mark.parametrize("role", ["official", "teacher_a"])
@pytest.mark.parametrize("n", [10, 200])
def test_children_list_query_count_is_fixed(personas, django_assert_num_queries, role, n):
    _fill_school(personas.school_a, n)
    client = personas.client_for(role)
    posted = client.post(reverse("registry:child_list"), {"q": "王", "grade": "3"})
    url = posted["Location"]  # the search's token, as the page redirects
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].count == n


@pytest.mark.parametrize("n", [1, 30])
def test_personal_file_query_count_is_fixed(personas, django_assert_num_queries, n):
    child = personas.child_a
    HealthCheckFactory.create_batch(n, child=child)
    for i in range(n):
        Guardian.objects.create(child=child, name=f"监护人{i}", relation="grandmother")
    ParentAway.objects.create(child=child, relation="father", name="张强", work_city="东莞")
    for i in range(n):
        services.change_child_status(
            child=child,
            status="closed" if i % 2 == 0 else "active",
            on=child.date_of_birth.replace(year=child.date_of_birth.year + 1),
            reason=f"reason {i}",
            by=personas.official,
        )
    client = personas.client_for("official")
    with django_assert_num_queries(FILE_QUERIES):
        response = client.get(child.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["file"].health_checks) == n


@pytest.mark.parametrize("n", [5, 500])
def test_timeline_pages_cost_the_same_whatever_the_history(personas, django_assert_num_queries, n):
    child = personas.child_a
    HealthCheckFactory.create_batch(n, child=child)
    client = personas.client_for("official")
    with django_assert_num_queries(FILE_QUERIES):
        first = client.get(child.get_absolute_url())
    with django_assert_num_queries(FILE_QUERIES):
        deep = client.get(child.get_absolute_url(), {"timeline": "3"})
    events = first.context["file"].timeline.events
    assert len(events) == min(n + 1, 20)  # n checks + the file's opening
    assert [e.date for e in events] == sorted((e.date for e in events), reverse=True)
    assert deep.context["file"].timeline.has_next == (n + 1 > 60)
