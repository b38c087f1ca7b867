"""Pages cost a fixed number of queries whatever the data size (pinned here).

The personal file is pinned with the register's own timeline sources plus this app's (what other
apps register is set aside, so that this count changes only with this app).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import personal_file
from registry import file_sections, timeline
from tests.factories import ChildFactory, FamilyRoomFactory, HealthCheckFactory
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    FamilyCallFactory,
    HandoverFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    ProgrammeFactory,
    days_ago,
    moment_days_ago,
)

pytestmark = pytest.mark.django_db

# The register's file (8: session, user, the child with its places and authors, parents away,
# guardians, health checks, status changes, transfers (its timeline reads the three it already
# has); the session is saved at most once a minute, not by these requests;
# and the audit event of the view) plus this app: five timeline sources (visits, calls, parents'
# visits, enrolments, donations received) and the card (one summary row, current enrolments).
# An official's session also loads its second-factor device: one more query on their pages.
OFFICIAL = 1
FILE_QUERIES = 7 + 1 + 5 + 2 + OFFICIAL  # 7: the session comes from the cache
# Issue 12: a page that shows children writes its VIEW event (1), and a page of several lists
# them with it (1 more: one INSERT of the page's children).
AUDIT_ONE, AUDIT_LIST = 1, 1  # since issue 15 the event and its children: one statement
# (The session comes from the cache and is saved at most once a minute: none of the pages below
# reads or saves it in PostgreSQL; "session" below is its row, gone since issue 15: -1.)
# session, user, count, one page (children with school, town, village; visitors)
FOLLOW_UPS_QUERIES = 3 + AUDIT_LIST
# the same, plus the three gap counts in one query
CONTACT_GAPS_QUERIES = 4 + AUDIT_LIST
# session, user, rooms with their schools
ROOMS_QUERIES = 2
# session, user, the room (scoped), pupils per grade, one class
SESSION_QUERIES = 4 + AUDIT_LIST
# session, user, count, one page
PROGRAMME_LIST_QUERIES = 3 + OFFICIAL
# session, user, programme, schools, towns, sessions, count, one page
PROGRAMME_DETAIL_QUERIES = 7 + OFFICIAL + AUDIT_LIST
DONATION_LIST_QUERIES = 3 + OFFICIAL
# session, user, the donation with its sums, count, one page of handovers
DONATION_DETAIL_QUERIES = 4 + OFFICIAL + AUDIT_LIST
# session, user, the child, handovers, enrolments
RECEIVED_QUERIES = 4 + OFFICIAL + AUDIT_ONE


@pytest.fixture
def only_this_app(monkeypatch):
    """The register's sources and this app's: the count below does not move with other apps."""
    monkeypatch.setattr(
        timeline,
        "_sources",
        [timeline.health_checks, timeline.status_changes, timeline.file_opened],
    )
    monkeypatch.setattr(file_sections, "_actions", {})
    monkeypatch.setattr(file_sections, "_sections", {})
    personal_file.register()


def _history(child, n, *, by):
    """About ``n`` events of every kind this app puts on the timeline."""
    room = FamilyRoomFactory(school=child.school)
    programme = ProgrammeFactory(starts_on=days_ago(3 * n + 10))
    donation = DonationFactory(value=Decimal("100000"), date=days_ago(3 * n + 10))
    for i in range(n):
        kind = i % 5
        if kind == 0:
            HomeVisitFactory(
                child=child,
                visitor=by,
                date=days_ago(3 * i + 1),
                follow_up_needed=i == 0,
                follow_up_by=days_ago(3 * i) if i == 0 else None,
            )
        elif kind == 1:
            FamilyCallFactory(child=child, room=room, at=moment_days_ago(3 * i + 1))
        elif kind == 2:
            ParentVisitFactory(
                child=child, arrived_on=days_ago(3 * i + 2), left_on=days_ago(3 * i + 1)
            )
        elif kind == 3:
            EnrolmentFactory(
                programme=programme,
                child=child,
                starts_on=days_ago(3 * i + 2),
                ends_on=days_ago(3 * i + 1),
            )
        else:
            HandoverFactory(donation=donation, child=child, handed_over_on=days_ago(3 * i + 1))


@pytest.mark.parametrize("n", [5, 500])
def test_the_file_with_this_apps_timeline_costs_the_same(
    personas, only_this_app, django_assert_num_queries, n
):
    child = personas.child_a
    _history(child, n, by=personas.teacher_a)
    HealthCheckFactory(child=child, date=days_ago(2))
    client = personas.client_for("official")
    with django_assert_num_queries(FILE_QUERIES):
        first = client.get(child.get_absolute_url())
    with django_assert_num_queries(FILE_QUERIES):
        deep = client.get(child.get_absolute_url(), {"timeline": "3"})
    events = first.context["file"].timeline.events
    # n records (every fifth an ended enrolment: two events), a health check, the file's opening
    assert len(events) == min(n + n // 5 + 2, 20)
    assert [e.date for e in events] == sorted((e.date for e in events), reverse=True)
    kinds = {e.kind for e in events}
    assert {"visit", "call", "parent", "enrolment", "donation", "health"} <= kinds
    # An ended enrolment is two events (joined, left): past page 3 only with 500.
    assert deep.context["file"].timeline.has_next == (n == 500)
    assert b'id="care-card"' in first.content


def test_the_timeline_tells_the_whole_story_in_order(personas, only_this_app):
    child = personas.child_a
    room = FamilyRoomFactory(school=child.school)
    programme = ProgrammeFactory(name="爱心午餐", starts_on=days_ago(100))
    EnrolmentFactory(programme=programme, child=child, starts_on=days_ago(50), ends_on=days_ago(5))
    HomeVisitFactory(child=child, date=days_ago(40), met="grandparents")
    FamilyCallFactory(child=child, room=room, at=moment_days_ago(30), with_whom="mother")
    ParentVisitFactory(child=child, parent="father", arrived_on=days_ago(20), left_on=days_ago(12))
    HandoverFactory(child=child, handed_over_on=days_ago(10), donation__donor="某公司")
    HealthCheckFactory(child=child, date=days_ago(8))
    page = timeline.page(child)
    assert [e.kind for e in page.events] == [
        "created",  # the file was opened today, in this test
        "enrolment",  # left, 5 days ago
        "health",
        "donation",
        "parent",
        "call",
        "visit",
        "enrolment",  # joined, 50 days ago
    ]


@pytest.mark.parametrize("n", [3, 120])
def test_staff_lists_cost_the_same(personas, django_assert_num_queries, n):
    school = personas.school_a
    room = FamilyRoomFactory(school=school)
    for i in range(n):
        child = ChildFactory(school=school)
        HomeVisitFactory(
            child=child, date=days_ago(20), follow_up_needed=True, follow_up_by=days_ago(i % 10)
        )
        FamilyCallFactory(child=child, room=room, at=moment_days_ago(40 + i))
        ParentVisitFactory(child=child, arrived_on=days_ago(60 + i), left_on=days_ago(50 + i))
    client = personas.client_for("teacher_a")
    with django_assert_num_queries(FOLLOW_UPS_QUERIES):
        follow = client.get(reverse("programmes:follow_ups"))
    with django_assert_num_queries(CONTACT_GAPS_QUERIES):
        gaps = client.get(reverse("programmes:contact_gaps"), {"days": "30"})
    with django_assert_num_queries(ROOMS_QUERIES):
        client.get(reverse("programmes:room_list"))
    with django_assert_num_queries(SESSION_QUERIES):
        session = client.get(reverse("programmes:call_session", args=[room.pk]), {"grade": "3"})
    assert follow.context["page"].paginator.count == n
    assert gaps.context["page"].paginator.count == n + 1  # and child A, never called
    assert len(session.context["form"].children) == n + 1


@pytest.mark.parametrize("n", [3, 120])
def test_officials_pages_cost_the_same(personas, django_assert_num_queries, n):
    programme = ProgrammeFactory(schools=[personas.school_a])
    ProgrammeFactory.create_batch(n % 7 + 1)
    programme.sessions.create(county=programme.county, date=days_ago(1), topic="讲座")
    donation = DonationFactory(value=Decimal(n * 100))
    for child in ChildFactory.create_batch(n, school=personas.school_a):
        EnrolmentFactory(programme=programme, child=child)
        HandoverFactory(donation=donation, child=child, value=Decimal("50"))
    HandoverFactory.create_batch(n % 4 + 1, child=personas.child_a)
    EnrolmentFactory(programme=programme, child=personas.child_a)
    client = personas.client_for("official")
    with django_assert_num_queries(PROGRAMME_LIST_QUERIES):
        client.get(reverse("programmes:programme_list"))
    with django_assert_num_queries(PROGRAMME_DETAIL_QUERIES):
        detail = client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    with django_assert_num_queries(DONATION_LIST_QUERIES):
        client.get(reverse("programmes:donation_list"))
    with django_assert_num_queries(DONATION_DETAIL_QUERIES):
        traced = client.get(reverse("programmes:donation_detail", args=[donation.pk]))
    with django_assert_num_queries(RECEIVED_QUERIES):
        received = client.get(reverse("programmes:child_received", args=[personas.child_a.pk]))
    assert detail.context["page"].paginator.count == n + 1
    assert traced.context["donation"].traced == Decimal(n * 50)
    assert len(received.context["handovers"]) == n % 4 + 1


def test_enrolling_a_whole_school_by_filter_is_a_bounded_number_of_queries(
    personas, django_assert_max_num_queries
):
    from programmes import services
    from registry.models import Child

    programme = ProgrammeFactory(schools=[personas.school_a])
    ChildFactory.create_batch(60, school=personas.school_a, poor=True)
    ChildFactory.create_batch(10, school=personas.school_a, poor=False)
    with django_assert_max_num_queries(12):
        count = services.enrol_children(
            programme=programme,
            children=Child.objects.filter(poor=True),
            starts_on=timezone.localdate() - datetime.timedelta(days=1),
            by=personas.official,
        )
    assert count == 60
    assert programme.enrolments.count() == 60
