"""Reunification checks: scheduled at one and three months by the status change to reunited,
once; listed for the teachers of the child's school; recorded by them; reminded once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import reunification
from casework.models import ReunificationCheck
from casework.models.reunification import add_months
from lbc_office.upkeep import reunification as reminders
from registry import services
from registry.models import ChildStatus
from volunteers.models import Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def reunited(personas):
    return services.change_child_status(
        child=personas.child_a, status=ChildStatus.REUNITED, on=TODAY, reason="父母返乡创业",
        by=personas.official,
    )  # fmt: skip


def test_reunification_schedules_two_checks_once(personas, reunited):
    checks = list(ReunificationCheck.objects.filter(child=personas.child_a))
    assert [(c.after_months, c.due_on) for c in checks] == [
        (1, add_months(TODAY, 1)), (3, add_months(TODAY, 3)),
    ]  # fmt: skip
    again = reunification.schedule(child=personas.child_a, change=reunited, by=None)
    assert again[0].count == 0
    assert ReunificationCheck.objects.count() == 2


def test_another_closing_schedules_none(personas):
    services.change_child_status(
        child=personas.child_a, status=ChildStatus.CLOSED, on=TODAY, reason="x",
        by=personas.official,
    )  # fmt: skip
    assert not ReunificationCheck.objects.exists()


def test_add_months_keeps_to_the_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


def test_a_due_check_is_reminded_once_to_the_schools_teachers(personas, reunited):
    first_due = add_months(TODAY, 1)
    assert reminders.remind_due(today=first_due - datetime.timedelta(days=1)) == 0
    assert reminders.remind_due(today=first_due) == 1
    assert reminders.remind_due(today=first_due) == 0  # run again: nothing left to claim
    sent = Notification.objects.filter(kind=Notification.Kind.REUNIFICATION_CHECK)
    assert [n.user for n in sent] == [personas.teacher_a]
    assert reminders.remind_due(today=add_months(TODAY, 3)) == 1
    assert sent.all().count() == 2  # (a fresh query: ``sent`` was read above)


def test_teachers_of_the_school_list_and_record_the_check(personas, reunited):
    check = ReunificationCheck.objects.get(child=personas.child_a, after_months=1)
    ReunificationCheck.objects.filter(pk=check.pk).update(due_on=TODAY)
    teacher_a = personas.client_for("teacher_a")
    home = teacher_a.get(reverse("home")).content.decode()
    assert 'id="tasks-reunification_checks"' in home and personas.child_a.name in home
    url = reverse("reunification_check", args=[check.pk])
    assert personas.client_for("teacher_b").get(url).status_code == 404
    assert personas.client_for("volunteer").get(url).status_code == 404
    assert personas.client_for("teacher_b").post(url, {"note": "x"}).status_code == 404
    response = teacher_a.post(url, {"note": "孩子和妈妈在一起，很开心。"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.done_by == personas.teacher_a and check.note.startswith("孩子")
    assert personas.client_for("official").get(url).status_code == 200
    assert teacher_a.post(url, {"note": "again"}).status_code == 200  # already recorded
    listed = teacher_a.get(reverse("reunification_checks")).context["page"]
    assert [c.after_months for c in listed] == [3]
