"""Every form that creates a record carries a one-time key (``lbc_office.core.forms``): the same
POST sent twice — a double tap, a form re-sent after a lost answer — stores one record and
answers as the first did (the same redirect and the same message); a refused form comes back
with the same key, so the corrected one still stores once; a key used for another form is
refused; a POST without a key saves as before."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from lbc_office.core.models import AuditEvent, Role
from programmes.models import FamilyCall, HomeVisit
from tests.factories import ChildFactory, FamilyRoomFactory, make_id_number
from tests.programmes.factories import DonationFactory, ProgrammeFactory, days_ago
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()
# A call recorded yesterday morning: "today at 08:00" is still to come before 08:00 local time.
YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
WRITES = [AuditEvent.Action.CREATE, AuditEvent.Action.CHANGE]
KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')


@dataclass
class Case:
    who: str
    url: str
    data: dict
    query: str = ""  # for a form that POSTs to its page's query (?grade=, ?school=)


def _visit():
    return {"date": TODAY, "met": "grandparents", "guardian_health": "poor",
            "guardian_supervision": "partly", "guardian_homework": "no",
            "education": "每周两次课后辅导。"}  # fmt: skip


def _cases(p) -> dict[str, Case]:
    """Each create form, with a POST that its service accepts."""
    child, school = p.child_a, p.school_a
    room = FamilyRoomFactory(school=school)
    programme = ProgrammeFactory(schools=[school])
    donation = DonationFactory(destination="school", school=school)
    volunteer = VolunteerFactory(user=p.volunteer, may_be_foster_mother=True, capacity=5)
    spare = VolunteerFactory(may_be_foster_sibling=True)
    assignment = AssignmentFactory(child=child, volunteer=volunteer)
    session = programme.sessions.create(
        county=programme.county, date=days_ago(2), topic="家庭教育", place="村委会"
    )
    kid = ChildFactory(school=school, name="丙")
    programme.enrolments.create(child=kid, county=kid.county, starts_on=days_ago(30))
    c = lambda name, *args: reverse(name, args=args)  # noqa: E731
    return {
        "child": Case(
            "teacher_a",
            c("registry:child_create"),
            {
                "name": "刘小燕",
                "sex": "F",
                "date_of_birth": "2016-05-01",
                "school": school.pk,
                "id_number": make_id_number(datetime.date(2016, 5, 1), "F"),
                "grade": "3",
                "village": child.village_id,
                "guardian": "grandparents",
                "father_away": "on",
                "mother_away": "on",
            },
        ),
        "status": Case(
            "official",
            c("registry:child_status", child.pk),
            {"status": "closed", "date": TODAY, "reason": "重复档案"},
        ),
        "health_check": Case(
            "teacher_a",
            c("registry:health_check_add", child.pk),
            {"date": TODAY, "height_cm": "131", "weight_kg": "27"},
        ),
        "consent": Case(
            "teacher_a",
            c("registry:consent_add", child.pk),
            {
                "date": TODAY,
                "guardian_name": "王奶奶",
                "guardian_relation": "grandmother",
                "keep_file": "on",
            },
        ),
        "consent_override": Case(
            "official", c("registry:consent_override", child.pk), {"reason": "无法联系监护人"}
        ),
        "sharing_override": Case(
            "official",
            c("registry:sharing_override", child.pk),
            {"reason": "监护人外出", "valid_until": days_ago(-20)},
        ),
        "guardian": Case(
            "teacher_a",
            c("registry:guardian_add", child.pk),
            {"name": "张奶奶", "relation": "grandmother"},
        ),
        "school": Case(
            "official",
            c("registry:school_create"),
            {
                "code": "5002380999",
                "name": "红池坝小学",
                "town": school.town_id,
                "level": "primary",
                "active": "on",
            },
        ),
        "family_room": Case(
            "official",
            c("registry:family_room_add", school.pk),
            {"kind": "chat_room", "active": "on"},
        ),
        "town": Case(
            "official",
            c("registry:town_create"),
            {"county": school.county_id, "name": "红池坝镇", "kind": "town"},
        ),
        "village": Case(
            "official",
            c("registry:village_add", school.town_id),
            {"name": "红池村", "kind": "village"},
        ),
        "home_visit": Case("teacher_a", c("programmes:visit_add", child.pk), _visit()),
        "family_call": Case(
            "teacher_a",
            c("programmes:call_add", child.pk),
            {"room": room.pk, "at": f"{YESTERDAY}T08:00", "minutes": "12", "with_whom": "both"},
        ),
        "call_session": Case(
            "teacher_a",
            c("programmes:call_session", room.pk),
            {"at": f"{YESTERDAY}T08:00", f"minutes_{child.pk}": "6", f"with_{child.pk}": "mother"},
            query="?grade=3",
        ),
        "parent_visit": Case(
            "teacher_a",
            c("programmes:parent_visit_add", child.pk),
            {"parent": "both", "arrived_on": days_ago(9), "left_on": TODAY},
        ),
        "enrol_child": Case(
            "official",
            c("programmes:enrol_child", child.pk),
            {"programme": programme.pk, "starts_on": TODAY},
        ),
        "enrol_by_filter": Case(
            "official",
            c("programmes:programme_enrol", programme.pk),
            {"school": school.pk, "starts_on": TODAY},
        ),
        "programme": Case(
            "official",
            c("programmes:programme_create"),
            {
                "county": school.county_id,
                "name": "爱心午餐（秋季）",
                "kind": "love_lunch",
                "starts_on": TODAY,
                "schools": [school.pk],
            },
        ),
        "session": Case(
            "official",
            c("programmes:session_add", programme.pk),
            {"date": TODAY, "topic": "如何辅导作业", "place": "村委会"},
        ),
        "attendance": Case(
            "official",
            c("programmes:session_attendance", session.pk),
            {f"came_{kid.pk}": "on", f"who_{kid.pk}": "奶奶"},
        ),
        "donation": Case(
            "official",
            c("programmes:donation_create"),
            {
                "county": school.county_id,
                "donor": "张先生",
                "donor_kind": "person",
                "date": TODAY,
                "kind": "money",
                "value": "800",
                "destination": "school",
                "school": school.pk,
            },
        ),
        "handover": Case(
            "official",
            c("programmes:handover_add", donation.pk),
            {
                "recipients": [child.pk],
                "value": "80",
                "handed_over_on": TODAY,
                "confirmed_by": "校长",
                "items": "图书",
            },
            query=f"?school={school.pk}",
        ),
        "volunteer": Case(
            "official",
            c("volunteers:create"),
            {"name": "刘芳", "town": school.town_id, "may_be_foster_mother": "on", "active": "on"},
        ),
        "organisation": Case(
            "official",
            c("volunteers:organisation_create"),
            {
                "county": school.county_id,
                "name": "幸福家园",
                "kind": "village_association",
                "active": "on",
            },
        ),
        "checkin_role": Case(
            "official",
            c("volunteers:checkin_role_create"),
            {"name": "读书", "position": "9", "active": "on"},
        ),
        "assign_for_child": Case(
            "official",
            c("volunteers:assign_for_child", child.pk),
            {"role": "foster_sibling", "volunteer": spare.pk, "started_on": TODAY},
        ),
        "checkin": Case(
            "volunteer",
            c("volunteers:my_checkin", assignment.pk),
            {"contact": "visit", "notes": "孩子很好"},
        ),
        "account": Case(
            "official",
            c("accounts:create"),
            {"username": "new_viewer", "role": Role.VIEWER, "full_name": "赵六"},
        ),
    }


def _writes() -> int:
    return AuditEvent.objects.filter(action__in=WRITES).count()


def _answer(client, url, data):
    client.cookies.pop("messages", None)  # each answer's own messages, as a second tab sees
    response = client.post(url, data)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    return response.status_code, response.get("Location"), said


def _errors(client, url, data):
    response = client.post(url, data)
    return response.context and response.context["form"].errors


def _key(client, url) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = KEY.findall(page.content.decode())
    assert len(found) == 1, "the form carries one one-time key"
    return found[0]


COUNTED = {"call_session", "enrol_by_filter", "attendance", "handover"}
CASES = [
    "child", "status", "health_check", "consent", "consent_override", "sharing_override",
    "guardian", "school", "family_room", "town", "village", "home_visit", "family_call",
    "call_session", "parent_visit", "enrol_child", "enrol_by_filter", "programme", "session",
    "attendance", "donation", "handover", "volunteer", "organisation", "checkin_role",
    "assign_for_child", "checkin", "account",
]  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_a_double_post_stores_once_and_answers_the_same(personas, name):
    case = _cases(personas)[name]
    client = personas.client_for(case.who)
    url = case.url + case.query
    data = {**case.data, "once_key": _key(client, url)}
    before = _writes()
    first = _answer(client, url, data)
    assert first[0] == (200 if name == "account" else 302), (first, _errors(client, url, data))
    made = _writes() - before
    assert made >= 1
    second = _answer(client, url, data)
    assert _writes() - before == made, "the repeat wrote nothing"
    if name == "account":  # the new password is shown once only; a repeat goes to the list
        assert second[:2] == (302, reverse("accounts:list"))
    elif name in COUNTED:  # the count of records saved at once is not kept
        with translation.override(settings.LANGUAGE_CODE):
            assert second == (*first[:2], [gettext("This was already saved.")])
    else:
        assert second == first


def test_the_assign_button_on_the_volunteers_page_stores_once(personas):
    volunteer = VolunteerFactory(may_be_foster_mother=True)
    client = personas.client_for("official")
    url = reverse("volunteers:assign_child", args=[volunteer.pk])
    data = {"child": personas.child_a.pk, "role": "foster_mother", "once_key": "k-assign-1"}
    first, second = _answer(client, url, data), _answer(client, url, data)
    assert first == second and first[0] == 302
    assert volunteer.assignments.count() == 1


def test_a_refused_form_comes_back_with_the_same_key_and_the_corrected_one_stores_once(
    personas,
):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    url = reverse("programmes:visit_add", args=[child.pk])
    key = _key(client, url)
    refused = client.post(url, {**_visit(), "met": "", "once_key": key})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert KEY.findall(refused.content.decode()) == [key]
    assert not HomeVisit.objects.exists()
    corrected = {**_visit(), "once_key": key}
    first, second = (_answer(client, url, corrected) for _ in range(2))
    assert first == second and first[0] == 302
    assert HomeVisit.objects.count() == 1


def test_a_key_used_for_another_form_is_refused(personas):
    child = personas.child_a
    room = FamilyRoomFactory(school=personas.school_a)
    client = personas.client_for("teacher_a")
    key = _key(client, reverse("programmes:visit_add", args=[child.pk]))
    client.post(reverse("programmes:visit_add", args=[child.pk]), {**_visit(), "once_key": key})
    call = {"room": room.pk, "at": f"{YESTERDAY}T08:00", "minutes": "5", "with_whom": "both"}
    response = client.post(
        reverse("programmes:call_add", args=[child.pk]), {**call, "once_key": key}
    )
    assert response.status_code == 200
    assert "已用于别的表单" in response.content.decode() or response.context["form"].errors
    assert not FamilyCall.objects.exists()
    fresh = KEY.findall(response.content.decode())
    assert fresh and fresh != [key], "the page comes back with a new key"
    again = client.post(
        reverse("programmes:call_add", args=[child.pk]), {**call, "once_key": fresh[0]}
    )
    assert again.status_code == 302 and FamilyCall.objects.count() == 1


def test_a_post_without_a_key_saves_as_before(personas):
    client = personas.client_for("teacher_a")
    url = reverse("programmes:visit_add", args=[personas.child_a.pk])
    assert client.post(url, _visit()).status_code == 302
    assert client.post(url, _visit()).status_code == 302
    assert HomeVisit.objects.count() == 2


def test_another_users_key_is_another_request(personas):
    """(user, key) is what is unique: the same key from two users stores twice."""
    url = reverse("programmes:visit_add", args=[personas.child_a.pk])
    for who in ("teacher_a", "official"):
        personas.client_for(who).post(url, {**_visit(), "once_key": "shared-key"})
    assert HomeVisit.objects.count() == 2


def test_every_page_with_a_create_form_gives_a_new_key_each_time(personas):
    client = personas.client_for("teacher_a")
    url = reverse("programmes:visit_add", args=[personas.child_a.pk])
    assert _key(client, url) != _key(client, url)
