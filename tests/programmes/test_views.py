"""The programmes app's screens do what they say: record, enrol, trace, ignore what they must."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from programmes.models import (
    Attendance,
    Donation,
    Enrolment,
    FamilyCall,
    HomeVisit,
    ParentVisit,
    Programme,
)
from registry import file_sections
from tests.factories import ChildFactory, FamilyRoomFactory, UserFactory
from tests.programmes.factories import (
    EnrolmentFactory,
    HomeVisitFactory,
    ProgrammeFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _visit_data(**overrides):
    data = {
        "date": TODAY.isoformat(),
        "met": "grandparents",
        "guardian_health": "poor",
        "guardian_supervision": "partly",
        "guardian_homework": "no",
        "guardian_situation": "奶奶腿脚不便，不识字。",
        "community": "村里没有图书室。",
        "education": "每周两次课后辅导。",
        "safety": "提醒不要下河游泳。",
        "mental_health": "多和孩子聊天。",
        "child_said": "想让妈妈过年回家。",
        "follow_up_needed": "on",
        "follow_up_by": days_ago(-14).isoformat(),
        "follow_up_note": "看看辅导效果",
    }
    data.update(overrides)
    return data


def test_a_teacher_records_a_home_visit(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    response = client.post(reverse("programmes:visit_add", args=[child.pk]), _visit_data())
    assert response.status_code == 302
    assert response["Location"] == child.get_absolute_url()
    visit = HomeVisit.objects.get()
    assert (visit.child, visit.county, visit.visitor) == (child, child.county, personas.teacher_a)
    assert (visit.created_by, visit.updated_by) == (personas.teacher_a, personas.teacher_a)
    assert visit.guardian_homework == "no"
    assert visit.child_said == "想让妈妈过年回家。"
    assert visit.follow_up_by == days_ago(-14)
    assert visit.history.get().history_user == personas.teacher_a
    detail = client.get(visit.get_absolute_url())
    assert "想让妈妈过年回家。" in detail.content.decode()


def test_extra_fields_in_a_post_are_ignored(personas):
    other_teacher = personas.teacher_b
    client = personas.client_for("teacher_a")
    client.post(
        reverse("programmes:visit_add", args=[personas.child_a.pk]),
        _visit_data(visitor=other_teacher.pk, county=999, child=personas.child_b.pk, created_by=1),
    )
    visit = HomeVisit.objects.get()
    assert (visit.visitor, visit.child) == (personas.teacher_a, personas.child_a)


def test_changing_a_visit_keeps_who_made_it_and_who_changed_it(personas):
    visit = HomeVisitFactory(
        child=personas.child_a, visitor=personas.teacher_a, created_by=personas.teacher_a
    )
    client = personas.client_for("official")
    response = client.post(
        reverse("programmes:visit_edit", args=[visit.pk]),
        _visit_data(date=visit.date.isoformat(), education="改为每天检查作业。"),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.education == "改为每天检查作业。"
    assert (visit.created_by, visit.updated_by) == (personas.teacher_a, personas.official)
    assert visit.visitor == personas.teacher_a


def test_a_call_is_recorded_in_a_few_taps(personas):
    room = FamilyRoomFactory(school=personas.school_a)
    client = personas.client_for("teacher_a")
    url = reverse("programmes:call_add", args=[personas.child_a.pk])
    form = client.get(url).context["form"]
    assert form.initial["at"] <= timezone.localtime()  # now, to the minute: nothing to type
    assert list(form.fields["room"].queryset) == [room]  # preselected: the school's one room
    response = client.post(
        url,
        {"room": room.pk, "at": form.initial["at"].strftime("%Y-%m-%dT%H:%M"), "minutes": "12",
         "with_whom": "both"},
    )  # fmt: skip
    assert response.status_code == 302
    call = FamilyCall.objects.get()
    assert (call.minutes, call.with_whom, call.county) == (12, "both", personas.child_a.county)


def test_a_school_without_a_family_room_says_so(personas):
    response = personas.client_for("teacher_a").get(
        reverse("programmes:call_add", args=[personas.child_a.pk])
    )
    assert response.context["no_room"] is True


def test_a_session_records_several_childrens_calls_at_once(personas):
    room = FamilyRoomFactory(school=personas.school_a)
    a, b, c = (ChildFactory(school=personas.school_a, grade=5, name=n) for n in "甲乙丙")
    ChildFactory(school=personas.school_a, grade=4, name="丁")
    client = personas.client_for("teacher_a")
    url = reverse("programmes:call_session", args=[room.pk])
    page = client.get(url, {"grade": "5"})
    assert [child.name for child in page.context["form"].children] == ["丙", "乙", "甲"] or {
        child.name for child in page.context["form"].children
    } == {"甲", "乙", "丙"}
    response = client.post(
        f"{url}?grade=5",
        {
            "at": f"{days_ago(1).isoformat()}T16:30",
            f"minutes_{a.pk}": "6",
            f"with_{a.pk}": "mother",
            f"minutes_{c.pk}": "9",
            f"with_{c.pk}": "father",
        },
    )
    assert response.status_code == 302
    calls = {call.child.name: call for call in FamilyCall.objects.select_related("child")}
    assert set(calls) == {"甲", "丙"}
    assert calls["甲"].minutes == 6 and calls["丙"].with_whom == "father"
    assert {call.room for call in calls.values()} == {room}
    assert calls["甲"].at == calls["丙"].at
    assert not FamilyCall.objects.filter(child=b).exists()


def test_a_parents_visit_home_is_recorded(personas):
    client = personas.client_for("teacher_a")
    response = client.post(
        reverse("programmes:parent_visit_add", args=[personas.child_a.pk]),
        {
            "parent": "both",
            "arrived_on": days_ago(10).isoformat(),
            "left_on": days_ago(3).isoformat(),
        },
    )
    assert response.status_code == 302
    assert ParentVisit.objects.get().left_on == days_ago(3)


# --- The personal file ------------------------------------------------------------------------


def test_the_file_offers_the_buttons_to_whom_they_belong(personas):
    with translation.override("en"):
        teacher = [a.label for a in file_sections.actions_for(personas.teacher_a, personas.child_a)]
        official = [a.label for a in file_sections.actions_for(personas.official, personas.child_a)]
        volunteer = file_sections.actions_for(personas.volunteer, personas.child_a)
        viewer = file_sections.actions_for(personas.viewer, personas.child_a)
        assert {"Record a home visit", "Record a call", "A parent came home"} <= set(teacher)
        assert "Enrol in a programme" not in teacher
        assert "Enrol in a programme" in official
        assert not any(str(a.label).startswith("Record") for a in volunteer + viewer)
    page = personas.client_for("teacher_a").get(personas.child_a.get_absolute_url())
    html = page.content.decode()
    assert reverse("programmes:visit_add", args=[personas.child_a.pk]) in html
    assert reverse("programmes:call_add", args=[personas.child_a.pk]) in html
    assert 'id="care-card"' in html


# --- Programmes ------------------------------------------------------------------------------


def test_an_official_creates_a_programme_in_some_schools(personas):
    client = personas.client_for("official")
    response = client.post(
        reverse("programmes:programme_create"),
        {
            "county": personas.school_a.county.pk,
            "name": "爱心午餐（2025 秋季）",
            "kind": "love_lunch",
            "starts_on": days_ago(30).isoformat(),
            "schools": [personas.school_a.pk],
        },
    )
    programme = Programme.objects.get()
    assert response["Location"] == programme.get_absolute_url()
    assert list(programme.schools.all()) == [personas.school_a]
    assert programme.created_by == personas.official


def test_every_poor_pupil_of_a_school_is_enrolled_in_one_step(personas):
    programme = ProgrammeFactory(
        kind="daily_subsidy", schools=[personas.school_a, personas.school_b]
    )
    poor_a = ChildFactory.create_batch(4, school=personas.school_a, poor=True)
    ChildFactory.create_batch(3, school=personas.school_a, poor=False)
    ChildFactory.create_batch(2, school=personas.school_b, poor=True)
    already = poor_a[0]
    EnrolmentFactory(programme=programme, child=already, starts_on=days_ago(50))
    client = personas.client_for("official")
    url = reverse("programmes:programme_enrol", args=[programme.pk])
    choice = {"school": personas.school_a.pk, "poor": "yes", "starts_on": days_ago(1).isoformat()}
    preview = client.get(url, choice)
    assert preview.context["count"] == 3  # the fourth is enrolled already
    assert Enrolment.objects.count() == 1
    response = client.post(url, choice)
    assert response.status_code == 302
    enrolled = set(programme.enrolments.values_list("child_id", flat=True))
    assert enrolled == {c.pk for c in poor_a}
    new = programme.enrolments.exclude(child=already)
    assert {(e.starts_on, e.created_by_id, e.county_id) for e in new} == {
        (days_ago(1), personas.official.pk, personas.school_a.county_id)
    }
    assert all(e.history.count() == 1 for e in new)
    again = client.post(url, choice)  # twice is harmless
    assert again.status_code == 302
    assert programme.enrolments.count() == 4


def test_one_child_is_enrolled_from_the_file_and_the_enrolment_ended(personas):
    programme = ProgrammeFactory(name="4+1 试点")
    client = personas.client_for("official")
    response = client.post(
        reverse("programmes:enrol_child", args=[personas.child_a.pk]),
        {"programme": programme.pk, "starts_on": days_ago(20).isoformat()},
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    response = client.post(
        reverse("programmes:enrolment_end", args=[enrolment.pk]),
        {"ends_on": days_ago(2).isoformat()},
    )
    enrolment.refresh_from_db()
    assert enrolment.ends_on == days_ago(2)
    assert enrolment.updated_by == personas.official


def test_a_parent_school_session_keeps_attendance_without_deleting(personas):
    programme = ProgrammeFactory(kind="parent_school", schools=[personas.school_a])
    came, stayed_home = ChildFactory.create_batch(2, school=personas.school_a)
    for child in (came, stayed_home):
        EnrolmentFactory(programme=programme, child=child, starts_on=days_ago(30))
    client = personas.client_for("official")
    response = client.post(
        reverse("programmes:session_add", args=[programme.pk]),
        {"date": days_ago(2).isoformat(), "topic": "如何辅导孩子作业", "place": "村委会"},
    )
    session = programme.sessions.get()
    url = reverse("programmes:session_attendance", args=[session.pk])
    assert response["Location"] == url
    client.post(
        url, {f"came_{came.pk}": "on", f"who_{came.pk}": "奶奶", f"came_{stayed_home.pk}": "on"}
    )
    assert Attendance.objects.filter(present=True).count() == 2
    client.post(url, {f"came_{came.pk}": "on", f"who_{came.pk}": "奶奶"})  # one unticked
    rows = {a.child_id: a for a in Attendance.objects.all()}
    assert (rows[came.pk].present, rows[came.pk].attendee) == (True, "奶奶")
    assert rows[stayed_home.pk].present is False  # kept, marked absent


# --- Donations --------------------------------------------------------------------------------


def test_an_official_records_a_donation_to_a_school(personas):
    client = personas.client_for("official")
    response = client.post(
        reverse("programmes:donation_create"),
        {
            "county": personas.school_a.county.pk,
            "donor": "重庆某电力公司",
            "donor_kind": "enterprise",
            "date": days_ago(3).isoformat(),
            "kind": "money",
            "value": "25000",
            "destination": "school",
            "school": personas.school_a.pk,
            "programme": "",
        },
    )
    donation = Donation.objects.get()
    assert response["Location"] == donation.get_absolute_url()
    assert (donation.value, donation.school, donation.programme) == (
        Decimal("25000"),
        personas.school_a,
        None,
    )


def test_a_donation_form_drops_the_school_of_another_destination(personas):
    client = personas.client_for("official")
    client.post(
        reverse("programmes:donation_create"),
        {
            "county": personas.school_a.county.pk,
            "donor": "张先生",
            "donor_kind": "person",
            "date": days_ago(3).isoformat(),
            "kind": "clothing",
            "value": "800",
            "destination": "children",
            "school": personas.school_a.pk,
        },
    )
    assert Donation.objects.get().school is None


def test_a_user_of_another_role_is_never_the_visiting_teacher(personas):
    viewer = UserFactory(role="viewer")
    client = personas.client_for("anonymous")
    client.force_login(viewer)
    response = client.post(
        reverse("programmes:visit_add", args=[personas.child_a.pk]), _visit_data()
    )
    assert response.status_code == 404
    assert not HomeVisit.objects.exists()
