"""Who may and who may not, for every page of the programmes app and every persona.

Child-scoped pages answer 404 outside the user's scope (never 403 with a hint); officials' pages
answer 403 (lists) or 404 (one record) to every other role; anonymous users go to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from programmes.models import FamilyCall, HomeVisit, ParentVisit
from tests.conftest import ROLES
from tests.factories import FamilyRoomFactory
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    FamilyCallFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    ProgrammeFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db


def _status(personas, role, url, method="get", data=None):
    client = personas.client_for(role)
    response = getattr(client, method)(url, data or {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return "login"
    return response.status_code


@pytest.fixture
def records(personas):
    """One of each record for school A's child, made by teacher A, and a room at each school."""
    room_a = FamilyRoomFactory(school=personas.school_a)
    room_b = FamilyRoomFactory(school=personas.school_b)
    programme = ProgrammeFactory(schools=[personas.school_a, personas.school_b])
    return {
        "room_a": room_a,
        "room_b": room_b,
        "visit": HomeVisitFactory(child=personas.child_a, visitor=personas.teacher_a),
        "call": FamilyCallFactory(child=personas.child_a, room=room_a),
        "parent_visit": ParentVisitFactory(child=personas.child_a),
        "programme": programme,
        "enrolment": EnrolmentFactory(programme=programme, child=personas.child_a),
        "session": programme.sessions.create(
            county=programme.county, date=days_ago(5), topic="家庭教育讲座"
        ),
        "donation": DonationFactory(),
    }


# --- Pages about one child: in scope → 200, out of scope → 404 --------------------------------

EXPECTED_CHILD_A = {
    "official": 200,
    "teacher_a": 200,
    "teacher_b": 404,
    "volunteer": 404,
    "viewer": 404,
    "partner": 404,
    "anonymous": "login",
}
CHILD_PAGES = [
    "programmes:visit_add",
    "programmes:call_add",
    "programmes:parent_visit_add",
    "programmes:child_received",
]


@pytest.mark.parametrize("name", CHILD_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_child_pages_answer_only_within_scope(personas, records, name, role):
    url = reverse(name, args=[personas.child_a.pk])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


def test_the_issue_paths_are_the_ones_served(personas):
    pk = personas.child_a.pk
    assert reverse("programmes:visit_add", args=[pk]) == f"/children/{pk}/visits/new/"
    assert reverse("programmes:call_add", args=[pk]) == f"/children/{pk}/calls/new/"


@pytest.mark.parametrize(
    ("name", "record"),
    [
        ("programmes:visit_detail", "visit"),
        ("programmes:visit_edit", "visit"),
        ("programmes:call_edit", "call"),
        ("programmes:parent_visit_edit", "parent_visit"),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_record_pages_answer_only_within_scope(personas, records, name, record, role):
    url = reverse(name, args=[records[record].pk])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


@pytest.mark.parametrize("role", ROLES)
def test_enrolling_from_the_file_is_for_officials(personas, records, role):
    url = reverse("programmes:enrol_child", args=[personas.child_a.pk])
    expected = {**EXPECTED_CHILD_A, "teacher_a": 403}
    assert _status(personas, role, url) == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_session_can_be_recorded_only_in_a_room_of_ones_own_school(personas, records, role):
    url = reverse("programmes:call_session", args=[records["room_a"].pk])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


def test_another_teacher_of_the_school_reads_but_cannot_change_a_visit(personas, records):
    from tests.factories import TeacherFactory

    colleague = TeacherFactory(schools=[personas.school_a]).user
    client = personas.client_for("anonymous")
    client.force_login(colleague)
    visit = records["visit"]
    assert client.get(reverse("programmes:visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("programmes:visit_edit", args=[visit.pk])).status_code == 403


# --- Writes out of scope change nothing -------------------------------------------------------


def _visit_form(**overrides):
    data = {"date": days_ago(1).isoformat(), "met": "grandparents", "education": "按时完成作业"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["teacher_b", "volunteer", "viewer"])
def test_out_of_scope_writes_are_refused_and_change_nothing(personas, records, role):
    child = personas.child_a
    client = personas.client_for(role)
    visit = client.post(reverse("programmes:visit_add", args=[child.pk]), _visit_form())
    call = client.post(
        reverse("programmes:call_add", args=[child.pk]),
        {
            "room": records["room_a"].pk,
            "at": "2020-01-01T10:00",
            "minutes": 5,
            "with_whom": "mother",
        },
    )
    parent = client.post(
        reverse("programmes:parent_visit_add", args=[child.pk]),
        {"parent": "father", "arrived_on": days_ago(3).isoformat()},
    )
    session = client.post(
        reverse("programmes:call_session", args=[records["room_a"].pk]) + f"?grade={child.grade}",
        {"at": "2020-01-01T10:00", f"minutes_{child.pk}": 5, f"with_{child.pk}": "mother"},
    )
    assert {visit.status_code, call.status_code, parent.status_code, session.status_code} == {404}
    assert HomeVisit.objects.count() == 1  # the fixture's
    assert FamilyCall.objects.count() == 1
    assert ParentVisit.objects.count() == 1


def test_a_teacher_cannot_record_a_call_in_another_schools_room(personas, records):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    response = client.post(
        reverse("programmes:call_add", args=[child.pk]),
        {
            "room": records["room_b"].pk,
            "at": f"{days_ago(1).isoformat()}T10:00",
            "minutes": 5,
            "with_whom": "mother",
        },
    )
    assert response.status_code == 200
    assert "room" in response.context["form"].errors
    assert not FamilyCall.objects.filter(room=records["room_b"]).exists()


def test_a_teacher_of_school_a_cannot_open_a_visit_to_school_bs_child(personas):
    visit_b = HomeVisitFactory(child=personas.child_b, visitor=personas.teacher_b)
    client = personas.client_for("teacher_a")
    assert client.get(reverse("programmes:visit_detail", args=[visit_b.pk])).status_code == 404
    assert (
        client.get(reverse("programmes:visit_add", args=[personas.child_b.pk])).status_code == 404
    )


# --- Lists of teachers and officials ----------------------------------------------------------

STAFF_PAGES = ["programmes:follow_ups", "programmes:room_list", "programmes:contact_gaps"]
EXPECTED_STAFF = {
    "official": 200,
    "teacher_a": 200,
    "teacher_b": 200,
    "volunteer": 403,
    "viewer": 403,
    "partner": 403,
    "anonymous": "login",
}


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_staff_lists_are_for_teachers_and_officials(personas, name, role):
    assert _status(personas, role, reverse(name)) == EXPECTED_STAFF[role]


def test_staff_lists_show_only_children_in_scope(personas, records):
    for child in (personas.child_a, personas.child_b):  # later than the fixture's visit
        HomeVisitFactory(
            child=child, date=days_ago(5), follow_up_needed=True, follow_up_by=days_ago(1)
        )
    client = personas.client_for("teacher_a")
    follow = client.get(reverse("programmes:follow_ups"))
    gaps = client.get(reverse("programmes:contact_gaps"), {"days": 365})
    rooms = client.get(reverse("programmes:room_list"))
    assert [v.child.name for v in follow.context["page"]] == ["张小明"]
    assert [c.name for c in gaps.context["page"]] == []  # child A called 3 days ago
    assert list(rooms.context["rooms"]) == [records["room_a"]]
    official = personas.client_for("official").get(reverse("programmes:follow_ups"))
    assert {v.child.name for v in official.context["page"]} == {"张小明", "李小红"}


# --- The county office's pages ----------------------------------------------------------------

EXPECTED_OFFICIALS = {
    "official": 200,
    "teacher_a": 403,
    "teacher_b": 403,
    "volunteer": 403,
    "viewer": 403,
    "partner": 403,
    "anonymous": "login",
}


def _official_urls(records):
    p, d = records["programme"].pk, records["donation"].pk
    return [
        reverse("programmes:programme_list"),
        reverse("programmes:programme_create"),
        reverse("programmes:programme_detail", args=[p]),
        reverse("programmes:programme_edit", args=[p]),
        reverse("programmes:programme_enrol", args=[p]),
        reverse("programmes:session_add", args=[p]),
        reverse("programmes:session_attendance", args=[records["session"].pk]),
        reverse("programmes:enrolment_end", args=[records["enrolment"].pk]),
        reverse("programmes:donation_list"),
        reverse("programmes:donation_create"),
        reverse("programmes:donation_detail", args=[d]),
        reverse("programmes:donation_edit", args=[d]),
        reverse("programmes:handover_add", args=[d]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_programmes_and_donations_are_the_officials(personas, records, role):
    for url in _official_urls(records):
        # A page about one record answers 404 to a role that may not see it (no hint that it
        # exists); the lists and "new" pages answer 403.
        expected = EXPECTED_OFFICIALS[role]
        if expected == 403 and any(ch.isdigit() for ch in url):
            expected = 404
        assert _status(personas, role, url) == expected, url


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_others_cannot_enrol_or_trace_by_posting(personas, records, role):
    client = personas.client_for(role)
    programme, donation = records["programme"], records["donation"]
    enrol = client.post(
        reverse("programmes:programme_enrol", args=[programme.pk]),
        {"starts_on": days_ago(1).isoformat()},
    )
    hand = client.post(
        reverse("programmes:handover_add", args=[donation.pk]) + f"?school={personas.school_a.pk}",
        {
            "recipients": [personas.child_a.pk],
            "value": "10",
            "handed_over_on": days_ago(1).isoformat(),
            "confirmed_by": "x",
        },
    )
    assert (enrol.status_code, hand.status_code) == (404, 404)
    assert programme.enrolments.count() == 1
    assert not donation.handovers.exists()
