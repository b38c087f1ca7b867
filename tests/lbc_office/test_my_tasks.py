"""My tasks (issue 14, item 7): each user's first screen lists what is due for them, from
every app, with counts; the weekly digest tells them once a week, by counts only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Concern
from lbc_office.core.models import AuditEvent
from lbc_office.home import digest, todo
from programmes.models import HomeVisit
from tests.factories import ChildFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, Notification
from volunteers.services import care

TODAY = timezone.localdate()


def _follow_up(child, teacher, days_ago=3):
    return HomeVisit.objects.create(
        county=child.county,
        child=child,
        visitor=teacher,
        date=TODAY - datetime.timedelta(days=10),
        met=HomeVisit.Met.GRANDPARENTS,
        education="多读书",
        follow_up_needed=True,
        follow_up_by=TODAY - datetime.timedelta(days=days_ago),
        follow_up_note="再去一次",
    )


def _concern(child, by):
    return Concern.objects.create(
        county=child.county,
        child=child,
        kind=Concern.Kind.NEGLECT,
        source=Concern.Source.SCHOOL,
        description="没有人做饭",
        raised_by=by,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )


def _keys(response):
    return {d.key: d.count for d in response.context["tasks"]}


def test_teacher_sees_their_own_follow_ups_only(personas):
    _follow_up(personas.child_a, personas.teacher_a)
    _follow_up(personas.child_b, personas.teacher_b)
    response = personas.client_for("teacher_a").get(reverse("my_tasks"))
    assert _keys(response) == {"follow_ups": 1}
    [item] = response.context["tasks"][0].items
    assert (item.title, item.overdue) == ("张小明", True)
    assert "李小红" not in response.content.decode()


def test_official_sees_concerns_to_look_at_and_children_without_consent(personas):
    _concern(personas.child_b, personas.teacher_b)
    response = personas.client_for("official").get(reverse("my_tasks"))
    # the personas' two children have no consent record
    assert _keys(response) == {"concerns": 1, "without_consent": 2}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, user=personas.official).latest(
        "pk"
    )
    assert set(event.children.values_list("child_id", flat=True)) == {
        personas.child_a.pk,
        personas.child_b.pk,
    }


def test_a_count_stops_at_its_limit(personas, monkeypatch):
    """A city's 2.35 million children without consent were counted on every official's first
    screen (2.8 s): the count stops at COUNT_LIMIT and says "1000+"."""
    monkeypatch.setattr(todo, "COUNT_LIMIT", 1)
    response = personas.client_for("official").get(reverse("my_tasks"))
    [due] = [d for d in response.context["tasks"] if d.key == "without_consent"]
    assert due.more and due.shown_count == "1+" and len(due.items) == 2
    assert '<span class="badge text-bg-secondary">1+</span>' in response.content.decode()
    assert "1+" in digest.digest_text([due])[1]


def test_teacher_is_not_told_of_concerns_to_triage(personas):
    _concern(personas.child_a, personas.official)
    response = personas.client_for("teacher_a").get(reverse("my_tasks"))
    assert "concerns" not in _keys(response)


def test_volunteer_sees_their_open_check_ins(personas):
    volunteer = VolunteerFactory(user=personas.volunteer)
    mine = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    AssignmentFactory(child=personas.child_b)  # someone else's
    care.open_checkin(assignment=mine, today=TODAY)
    response = personas.client_for("volunteer").get(reverse("my_tasks"))
    assert _keys(response) == {"checkins": 1}
    assert response.context["tasks"][0].items[0].url == reverse(
        "volunteers:my_checkin", args=[mine.pk]
    )
    MonthlyCheckin.objects.update(status=MonthlyCheckin.Status.DONE, submitted_at=timezone.now())
    response = personas.client_for("volunteer").get(reverse("my_tasks"))
    assert _keys(response) == {}
    assert "Nothing is due" in response.content.decode() or "没有" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer"])
def test_roles_without_tasks_get_an_empty_list(personas, role):
    response = personas.client_for(role).get(reverse("my_tasks"))
    assert response.status_code == 200 and response.context["tasks"] == []


def test_anonymous_is_sent_to_sign_in(personas):
    response = personas.client_for("anonymous").get(reverse("my_tasks"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("n", [1, 12])
def test_my_tasks_query_count(personas, django_assert_num_queries, n):
    for _ in range(n):
        _follow_up(ChildFactory(school=personas.school_a), personas.teacher_a)
    client = personas.client_for("teacher_a")
    # user; the follow-ups' count and items, the reunification checks' count; case-plan
    # actions (none: their count); the VIEW event with its children (1) (the session comes
    # from the cache and is saved at most once a minute)
    with django_assert_num_queries(6):
        response = client.get(reverse("my_tasks"))
    assert _keys(response) == {"follow_ups": n}


def test_weekly_digest_once_per_user_and_week_with_counts_only(personas, settings):
    personas.teacher_a.phone = "13900000001"
    personas.teacher_a.save()
    _follow_up(personas.child_a, personas.teacher_a)
    _concern(personas.child_b, personas.teacher_b)
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    assert digest.send_weekly_digests(monday) == 2  # teacher_a and the official
    assert digest.send_weekly_digests(monday + datetime.timedelta(days=2)) == 0  # same week
    teacher_note = Notification.objects.get(user=personas.teacher_a)
    assert teacher_note.kind == Notification.Kind.DIGEST
    assert teacher_note.period == digest.week_of(monday)
    assert "张小明" not in teacher_note.body and "李小红" not in teacher_note.body
    assert teacher_note.deliveries.filter(channel="sms").count() == 1
    assert teacher_note.link == reverse("my_tasks")
    # the next week, again once
    assert digest.send_weekly_digests(monday + datetime.timedelta(days=7)) == 2


def test_every_source_is_for_a_known_role():
    from lbc_office.core.models import Role

    for source in todo.SOURCES:
        assert set(source.roles) <= set(Role.values), source.key
