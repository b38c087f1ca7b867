"""Each role's first screen: what needs attention, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ChildFactory
from tests.programmes.factories import HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

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


@pytest.mark.parametrize("n", [1, 15])
def test_official_home_query_count(personas, django_assert_num_queries, n):
    _grow(personas, n)
    client = personas.client_for("official")
    # session, user, second-factor device, figures, schools, status changes, concerns,
    # missed last month, follow-ups due, contact gaps, session save (3)
    with django_assert_num_queries(13):
        response = client.get(reverse("home"))
    assert response.context["follow_ups_due"] == n


@pytest.mark.parametrize("n", [1, 15])
def test_teacher_home_query_count(personas, django_assert_num_queries, n):
    _grow(personas, n)
    client = personas.client_for("teacher_a")
    # session, user, follow-ups, contact gaps, schools, session save (3)
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'id="follow-ups-due"' in html
    assert len(response.context["follow_ups"]) == min(n, 10)


def test_teacher_b_sees_no_follow_up_of_school_a(personas):
    _grow(personas, 2)
    response = personas.client_for("teacher_b").get(reverse("home"))
    assert list(response.context["follow_ups"]) == []
