"""The working set a phone keeps (docs/OFFLINE.md): the user's own children and nothing else,
no identity number, audited as a view of those children, never stored by HTTP caches; officials
and report viewers get none."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from lbc_office.core.models import AuditEvent, AuditEventChild
from registry.models import Guardian, ParentAway
from tests.factories import ChildFactory, FamilyRoomFactory
from tests.programmes.factories import FamilyCallFactory, HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
URL = "/offline/working-set/"


def _get(client):
    response = client.get(URL)
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    return response, response.json()


def _everything_about(child) -> list[str]:
    """What must never leave the server in a working set: the number, in any of its forms."""
    return [child.id_number, child.id_number[-4:] + '"', child.date_of_birth.isoformat()]


def test_a_teacher_keeps_the_children_of_their_schools_and_no_other(personas):
    a, b = personas.child_a, personas.child_b
    Guardian.objects.create(child=a, name="张奶奶", relation="grandmother", phone="13800001111")
    ParentAway.objects.create(child=a, relation="mother", name="王丽", phone="13900002222",
                              work_city="深圳")  # fmt: skip
    visit = HomeVisitFactory(child=a, visitor=personas.teacher_a)
    call = FamilyCallFactory(child=a)
    room = call.room
    FamilyRoomFactory(school=b.school)  # school B's room: not teacher A's
    response, data = _get(personas.client_for("teacher_a"))
    assert data["user"] == personas.teacher_a.pk and data["role"] == "teacher"
    assert [c["id"] for c in data["children"]] == [a.pk]
    (kept,) = data["children"]
    assert kept["name"] == a.name and kept["grade"] == a.grade
    assert kept["school"] == personas.school_a.name and kept["guardian"]
    (guardian,) = kept["guardians"]
    assert (guardian["name"], guardian["phone"]) == ("张奶奶", "13800001111")
    assert kept["parents"][0]["phone"] == "13900002222"
    assert kept["last_visit"] == visit.date.isoformat()
    assert kept["last_call"] == timezone.localtime(call.at).isoformat()[:16]
    assert data["rooms"] == {str(personas.school_a.pk): [{"id": room.pk, "name": str(room)}]}
    text = response.content.decode()
    for secret in _everything_about(a) + _everything_about(b) + [b.name]:
        assert secret not in text
    assert set(kept) == {
        "id", "name", "grade", "school", "school_id", "guardian", "last_visit", "last_call",
        "guardians", "parents",
    }  # fmt: skip


def test_the_server_stamps_how_long_the_phone_may_keep_it(personas):
    _, data = _get(personas.client_for("teacher_a"))
    made = datetime.datetime.fromisoformat(data["made_at"])
    until = datetime.datetime.fromisoformat(data["keep_until"])
    assert until - made == datetime.timedelta(days=14)
    assert data["month"] == f"{timezone.localdate():%Y-%m}"


def test_a_volunteer_keeps_their_assigned_children_and_this_months_checklist(personas):
    volunteer = VolunteerFactory(user=personas.volunteer)
    mine = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    AssignmentFactory(child=personas.child_b, volunteer=VolunteerFactory())  # someone else's
    ended = AssignmentFactory(
        child=ChildFactory(school=personas.school_a), volunteer=volunteer,
        ended_on=timezone.localdate(),
    )  # fmt: skip
    response, data = _get(personas.client_for("volunteer"))
    assert [c["id"] for c in data["children"]] == [personas.child_a.pk]
    assert data["assignments"] == [
        {"id": mine.pk, "child": personas.child_a.pk, "role": mine.get_role_display(),
         "form": "roles", "done": False},
    ]  # fmt: skip
    text = response.content.decode()
    for child in (personas.child_a, personas.child_b, ended.child):
        assert child.id_number not in text
    assert personas.child_b.name not in text and ended.child.name not in text
    assert "last_visit" not in text  # a volunteer does not see the teachers' visits


def test_a_child_not_shared_with_volunteers_keeps_its_name_only(personas):
    from registry import consent

    volunteer = VolunteerFactory(user=personas.volunteer)
    AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    Guardian.objects.create(child=personas.child_a, name="张奶奶", relation="grandmother",
                            phone="13800001111")  # fmt: skip
    consent.record_consent(
        child=personas.child_a, by=personas.teacher_a, date=timezone.localdate(),
        guardian_name="张奶奶", guardian_relation=Guardian.Relation.GRANDMOTHER,
        keep_file=True, share_with_volunteers=False, photos=False,
    )  # fmt: skip
    response, data = _get(personas.client_for("volunteer"))
    assert data["children"] == [
        {"id": personas.child_a.pk, "name": personas.child_a.name, "shared": False}
    ]
    assert "13800001111" not in response.content.decode()


@pytest.mark.parametrize("role", ["official", "viewer"])
def test_officials_and_viewers_keep_nothing_on_a_phone(personas, role):
    response = personas.client_for(role).get(URL)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFUSED).count() == 1


def test_an_anonymous_visitor_is_sent_to_sign_in(personas):
    response = personas.client_for("anonymous").get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_working_set_is_audited_as_a_view_of_its_children(personas):
    ChildFactory(school=personas.school_a, name="赵小刚")
    personas.client_for("teacher_a").get(URL)
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW)
    assert event.user == personas.teacher_a
    assert event.detail.startswith("offline:working_set children=2")
    shown = set(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    assert personas.child_a.pk in shown and personas.child_b.pk not in shown


def test_the_working_set_costs_the_same_queries_for_many_children(
    personas, django_assert_max_num_queries
):
    for i in range(12):
        child = ChildFactory(school=personas.school_a, name=f"孩子{i}")
        Guardian.objects.create(child=child, name=f"监护人{i}", relation="grandmother")
        HomeVisitFactory(child=child)
    client = personas.client_for("teacher_a")
    with django_assert_max_num_queries(14):
        data = json.loads(client.get(URL).content)
    assert len(data["children"]) == 13
