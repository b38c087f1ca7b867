"""The register's operations: what they write, who they record, and that reruns are harmless."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registry import services
from registry.models import Child, ChildStatus, StatusChange
from registry.tasks import mark_aged_out
from tests.factories import ChildFactory, SchoolFactory, UserFactory, VillageFactory, make_id_number

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_create_child_records_author_county_and_history():
    official = UserFactory(role="official")
    school = SchoolFactory()
    dob = datetime.date(TODAY.year - 10, 2, 1)
    child = services.create_child(
        by=official,
        name="陈小雨",
        id_number=make_id_number(dob, "F"),
        sex="F",
        date_of_birth=dob,
        school=school,
        grade=4,
        village=VillageFactory(town=school.town),
        father_away=True,
        mother_away=False,
        guardian="mother",
    )
    assert child.county == school.county
    assert child.created_by == official and child.updated_by == official
    assert child.status == ChildStatus.ACTIVE
    assert child.history.count() == 1
    assert child.history.first().history_user == official


def test_update_child_cannot_change_the_status_behind_the_log():
    child = ChildFactory()
    official = UserFactory(role="official")
    services.update_child(child=child, by=official, name="新名字", status="closed")
    child.refresh_from_db()
    assert child.name == "新名字"
    assert child.status == ChildStatus.ACTIVE
    assert child.history.count() == 2


def test_status_change_is_logged_with_date_reason_and_author():
    child = ChildFactory()
    official = UserFactory(role="official")
    on = TODAY - datetime.timedelta(days=3)
    services.change_child_status(
        child=child, status=ChildStatus.REUNITED, on=on, reason="父母回乡务工", by=official
    )
    child.refresh_from_db()
    assert (child.status, child.status_changed_on) == (ChildStatus.REUNITED, on)
    change = StatusChange.objects.get(child=child)
    assert (change.from_status, change.to_status, change.reason, change.created_by) == (
        ChildStatus.ACTIVE,
        ChildStatus.REUNITED,
        "父母回乡务工",
        official,
    )


def test_a_closed_file_can_be_reopened_and_is_never_deleted(personas):
    child = personas.child_a
    client = personas.client_for("official")
    url = reverse("registry:child_status", args=[child.pk])
    client.post(url, {"status": "closed", "date": TODAY.isoformat(), "reason": "录入错误"})
    client.post(url, {"status": "active", "date": TODAY.isoformat(), "reason": "恢复"})
    child.refresh_from_db()
    assert child.status == ChildStatus.ACTIVE
    assert child.status_changes.count() == 2


def _born_years_ago(years, days=0):
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)


def test_aged_out_task_at_its_boundary_and_run_twice():
    school = SchoolFactory(level="middle")
    turned_17_today = ChildFactory(school=school, grade=9, date_of_birth=_born_years_ago(17))
    still_16 = ChildFactory(school=school, grade=9, date_of_birth=_born_years_ago(17, days=1))
    assert mark_aged_out.apply().get() == 1
    assert mark_aged_out.apply().get() == 0  # the second run finds nothing left

    turned_17_today.refresh_from_db()
    still_16.refresh_from_db()
    assert turned_17_today.status == ChildStatus.AGED_OUT
    assert still_16.status == ChildStatus.ACTIVE
    assert StatusChange.objects.filter(child=turned_17_today).count() == 1


def test_aged_out_task_leaves_closed_children_alone():
    school = SchoolFactory(level="middle")
    child = ChildFactory(school=school, grade=9, date_of_birth=_born_years_ago(16))
    services.change_child_status(child=child, status="closed", on=TODAY, reason="x", by=None)
    Child.objects.filter(pk=child.pk).update(date_of_birth=_born_years_ago(18))
    assert services.mark_aged_out() == 0
    child.refresh_from_db()
    assert child.status == ChildStatus.CLOSED
