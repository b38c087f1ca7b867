"""The sync endpoint (docs/OFFLINE.md): records made offline are saved through the same forms
and services as the pages, once per one-time key, with the scope checked again for every record;
a refusal comes back with its reasons, and nothing is saved in another user's name."""

from __future__ import annotations

import datetime
import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from programmes.models import FamilyCall, HomeVisit
from registry.services import set_teacher_schools
from tests.conftest import login
from tests.factories import FamilyRoomFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory, ensure_checkin_roles
from volunteers.models import CheckinRole, MonthlyCheckin
from volunteers.services import care

pytestmark = pytest.mark.django_db
URL = "/offline/sync/"
TODAY = timezone.localdate()
MONTH = f"{TODAY:%Y-%m}"


def _visit(child, key=None, **data):
    return {
        "key": key or str(uuid.uuid4()), "kind": "visit", "target": child.pk,
        "opened_at": timezone.now().isoformat(),
        "data": {"date": TODAY.isoformat(), "met": "grandparents", "education": "按时写作业",
                 **data},
    }  # fmt: skip


def _call(child, room, key=None):
    at = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "key": key or str(uuid.uuid4()), "kind": "call", "target": child.pk,
        "data": {"room": room.pk, "at": f"{at:%Y-%m-%dT%H:%M}", "with_whom": "mother",
                 "minutes": "12", "notes": ""},
    }  # fmt: skip


def _checkin(assignment, key=None, opened_at=None, **data):
    roles = [str(pk) for pk in CheckinRole.objects.values_list("pk", flat=True)[:2]]
    return {
        "key": key or str(uuid.uuid4()), "kind": "checkin", "target": assignment.pk,
        "month": MONTH, "opened_at": (opened_at or timezone.now()).isoformat(),
        "data": {"roles_done": roles, "notes": "陪孩子写作业", **data},
    }  # fmt: skip


def _send(client, user, *records, status=200):
    response = client.post(
        URL, json.dumps({"user": user.pk, "records": list(records)}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == status, response.content
    return response.json().get("results") if status == 200 else response.json()


def test_a_home_visit_sent_twice_is_stored_once(personas):
    client = personas.client_for("teacher_a")
    record = _visit(personas.child_a)
    (first,) = _send(client, personas.teacher_a, record)
    (again,) = _send(client, personas.teacher_a, record)  # the answer was lost: sent again
    assert (first["status"], first["replayed"]) == ("saved", False)
    assert (again["status"], again["replayed"]) == ("saved", True)
    visit = HomeVisit.objects.get()
    assert (visit.child, visit.visitor, visit.created_by) == (
        personas.child_a, personas.teacher_a, personas.teacher_a,
    )  # fmt: skip
    assert visit.education == "按时写作业"


def test_a_family_call_is_saved_through_the_calls_service(personas):
    room = FamilyRoomFactory(school=personas.school_a)
    client = personas.client_for("teacher_a")
    (result,) = _send(client, personas.teacher_a, _call(personas.child_a, room))
    assert result["status"] == "saved"
    call = FamilyCall.objects.get()
    assert (call.child, call.room, call.minutes) == (personas.child_a, room, 12)
    personas.child_a.refresh_from_db()
    assert personas.child_a.last_parent_contact_on == timezone.localdate(call.at)


def test_a_rule_that_fails_comes_back_with_its_reason_and_the_key_may_be_sent_again(personas):
    client = personas.client_for("teacher_a")
    record = _visit(personas.child_a, education="")  # no recommendation at all
    (refused,) = _send(client, personas.teacher_a, record)
    assert refused["status"] == "refused" and refused["messages"]
    assert not HomeVisit.objects.exists()
    record["data"]["education"] = "每周两次课后辅导"  # fixed on the phone, same key
    (saved,) = _send(client, personas.teacher_a, record)
    assert saved["status"] == "saved" and HomeVisit.objects.count() == 1


def test_a_form_error_names_the_field(personas):
    client = personas.client_for("teacher_a")
    (refused,) = _send(client, personas.teacher_a, _visit(personas.child_a, met="nobody"))
    assert refused["status"] == "refused"
    assert any(":" in message for message in refused["messages"])


def test_one_refused_record_does_not_stop_the_others(personas):
    client = personas.client_for("teacher_a")
    results = _send(client, personas.teacher_a, _visit(personas.child_b), _visit(personas.child_a))
    assert [r["status"] for r in results] == ["refused", "saved"]
    assert HomeVisit.objects.get().child == personas.child_a


# --- Scope, for every role ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, child", [("teacher_a", "child_b"), ("teacher_b", "child_a"), ("volunteer", "child_a")]
)
def test_a_visit_of_a_child_outside_the_scope_is_refused(personas, role, child):
    VolunteerFactory(user=personas.volunteer)
    AssignmentFactory(child=personas.child_a, volunteer=personas.volunteer.volunteer)
    user = getattr(personas, role)
    room = FamilyRoomFactory(school=getattr(personas, child).school)
    target = getattr(personas, child)
    results = _send(personas.client_for(role), user, _visit(target), _call(target, room))
    assert [r["status"] for r in results] == ["refused", "refused"]
    assert not HomeVisit.objects.exists() and not FamilyCall.objects.exists()


def test_a_child_who_left_the_teachers_scope_meanwhile_is_refused_in_plain_words(personas):
    client = personas.client_for("teacher_a")
    set_teacher_schools(user=personas.teacher_a, schools=[personas.school_b], by=personas.official)
    (refused,) = _send(client, personas.teacher_a, _visit(personas.child_a))
    assert refused["status"] == "refused" and len(refused["messages"]) == 1
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize("role", ["teacher_a", "teacher_b", "volunteer"])
def test_a_checkin_of_an_assignment_not_ones_own_is_refused(personas, role):
    ensure_checkin_roles()
    VolunteerFactory(user=personas.volunteer)
    someone_elses = AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory())
    (refused,) = _send(personas.client_for(role), getattr(personas, role), _checkin(someone_elses))
    assert refused["status"] == "refused"
    assert not MonthlyCheckin.objects.filter(status="done").exists()


@pytest.mark.parametrize("role", ["official", "viewer"])
def test_officials_and_viewers_send_nothing_from_a_phone(personas, role):
    user = getattr(personas, role)
    response = personas.client_for(role).post(
        URL, json.dumps({"user": user.pk, "records": [_visit(personas.child_a)]}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403 and not HomeVisit.objects.exists()


def test_an_anonymous_sender_is_sent_to_sign_in(personas):
    response = Client().post(
        URL, json.dumps({"user": 1, "records": [_visit(personas.child_a)]}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 302 and not HomeVisit.objects.exists()


def test_the_sync_needs_its_csrf_token(personas):
    client = login(Client(enforce_csrf_checks=True), personas.teacher_a)
    response = client.post(
        URL, json.dumps({"user": personas.teacher_a.pk, "records": [_visit(personas.child_a)]}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403 and not HomeVisit.objects.exists()


def test_records_made_by_another_user_on_this_phone_are_not_saved_in_my_name(personas):
    client = personas.client_for("teacher_a")
    answer = _send(client, personas.teacher_b, _visit(personas.child_a), status=409)
    assert answer["error"] == "other-user" and not HomeVisit.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[]", json.dumps({"records": "x"}).encode(),
     json.dumps({"records": [{}] * 51}).encode()],
)  # fmt: skip
def test_a_malformed_batch_is_refused(personas, payload):
    client = personas.client_for("teacher_a")
    response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "record",
    [{}, {"kind": "visit"}, {"kind": "visit", "target": "x"}, {"kind": "parcel", "target": 1},
     {"kind": "visit", "target": "9" * 40, "key": "k"}, {"kind": "visit", "target": 1, "key": ""}],
)  # fmt: skip
def test_an_unreadable_record_is_refused_not_an_error(personas, record):
    (result,) = _send(personas.client_for("teacher_a"), personas.teacher_a, record)
    assert result["status"] == "refused" and result["messages"]


# --- The volunteer's check-in ----------------------------------------------------------------


@pytest.fixture
def assignment(personas):
    ensure_checkin_roles()
    volunteer = VolunteerFactory(user=personas.volunteer)
    return AssignmentFactory(child=personas.child_a, volunteer=volunteer)


def test_a_checkin_sent_twice_is_stored_once(personas, assignment):
    client = personas.client_for("volunteer")
    record = _checkin(assignment)
    (first,) = _send(client, personas.volunteer, record)
    (again,) = _send(client, personas.volunteer, record)
    assert (first["status"], again["status"], again["replayed"]) == ("saved", "saved", True)
    checkin = MonthlyCheckin.objects.get(assignment=assignment)
    assert checkin.status == "done" and checkin.submitted_by == personas.volunteer
    assert checkin.roles_done.count() == 2 and checkin.notes == "陪孩子写作业"


def test_a_checkin_already_recorded_by_someone_else_is_refused(personas, assignment):
    checkin = care.open_checkin(assignment=assignment)
    care.submit_checkin(checkin=checkin, by=personas.official, notes="电话联系了")
    record = _checkin(assignment, opened_at=timezone.now() - datetime.timedelta(hours=2))
    (refused,) = _send(personas.client_for("volunteer"), personas.volunteer, record)
    assert refused["status"] == "refused"
    assert str(personas.official) in refused["messages"][0]
    checkin.refresh_from_db()
    assert checkin.notes == "电话联系了" and checkin.submitted_by == personas.official


def test_a_checkin_the_volunteer_changed_online_after_opening_the_phone_form_is_kept(
    personas, assignment
):
    opened = timezone.now() - datetime.timedelta(hours=1)
    care.submit_checkin(
        checkin=care.open_checkin(assignment=assignment), by=personas.volunteer, notes="网上填的"
    )
    (refused,) = _send(
        personas.client_for("volunteer"), personas.volunteer, _checkin(assignment, opened_at=opened)
    )
    assert refused["status"] == "refused"
    assert MonthlyCheckin.objects.get().notes == "网上填的"


def test_a_checkin_of_last_month_is_refused(personas, assignment):
    record = {**_checkin(assignment), "month": "2001-01"}
    (refused,) = _send(personas.client_for("volunteer"), personas.volunteer, record)
    assert refused["status"] == "refused"
    assert not MonthlyCheckin.objects.filter(status="done").exists()


def test_an_ended_assignment_is_refused(personas, assignment):
    care.end_assignment(assignment=assignment, by=personas.official, reason="搬家了")
    (refused,) = _send(personas.client_for("volunteer"), personas.volunteer, _checkin(assignment))
    assert refused["status"] == "refused"


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_the_same_record_at_once_store_it_once(personas):
    """Two requests with one key, side by side (two tabs after the signal returns)."""
    record = _visit(personas.child_a)
    barrier = threading.Barrier(2)
    answers = []

    def tab():
        client = personas.client_for("teacher_a")
        barrier.wait()
        answers.append(_send(client, personas.teacher_a, record)[0]["status"])
        connection.close()

    tabs = [threading.Thread(target=tab) for _ in range(2)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    assert answers == ["saved", "saved"]
    assert HomeVisit.objects.count() == 1
