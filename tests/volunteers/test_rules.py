"""The assignment rules, each named once (issue 17): which assignments are active, in force, held
on a day, and which children have a carer. Every caller reaches them through these names."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from registry.models import Child, ChildStatus
from tests.factories import ChildFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import Assignment, CarerRole, Volunteer
from volunteers.selectors import has_carer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def assignments():
    """One of each: now, ended, with an inactive volunteer, of a child who left, started today."""
    child = ChildFactory()
    return {
        "now": AssignmentFactory(child=child, started_on=days_ago(90)),
        "ended": AssignmentFactory(
            child=child, role=CarerRole.FOSTER_MOTHER, started_on=days_ago(90),
            ended_on=days_ago(10),
        ),
        "inactive_volunteer": AssignmentFactory(
            child=ChildFactory(), volunteer=VolunteerFactory(active=False)
        ),
        "child_left": AssignmentFactory(child=ChildFactory(status=ChildStatus.AGED_OUT)),
        "today": AssignmentFactory(child=ChildFactory(), started_on=TODAY),
    }  # fmt: skip


def _keys(assignments, qs) -> set[str]:
    found = set(qs.values_list("pk", flat=True))
    return {k for k, a in assignments.items() if a.pk in found}


def test_active_means_not_ended_whoever_the_volunteer_and_the_child(assignments):
    assert _keys(assignments, Assignment.objects.active()) == {
        "now",
        "inactive_volunteer",
        "child_left",
        "today",
    }


def test_in_force_also_needs_an_active_volunteer_and_a_child_on_the_register(assignments):
    assert _keys(assignments, Assignment.objects.in_force()) == {"now", "today"}


def test_held_on_a_day_means_started_by_then_and_not_ended_by_then(assignments):
    # Ten days ago the foster mother's assignment ended: it is not held that day, it was the day
    # before; the assignment that started today was not held yet.
    assert "ended" not in _keys(assignments, Assignment.objects.held_on(days_ago(10)))
    assert "ended" in _keys(assignments, Assignment.objects.held_on(days_ago(11)))
    assert "today" not in _keys(assignments, Assignment.objects.held_on(days_ago(1)))
    assert _keys(assignments, Assignment.objects.held_on(TODAY)) == _keys(
        assignments, Assignment.objects.active()
    )


def test_a_volunteers_load_counts_the_active_assignments_only(assignments):
    volunteer = assignments["now"].volunteer
    AssignmentFactory(
        child=ChildFactory(), volunteer=volunteer, started_on=days_ago(90), ended_on=days_ago(1)
    )
    assert Volunteer.objects.with_load().get(pk=volunteer.pk).active_count == 1


def test_has_carer_is_the_coverage_rule_by_role_and_on_a_day(assignments):
    child = assignments["now"].child  # a surrogate parent now; a foster mother until 10 days ago

    def has(*args, **kwargs) -> bool:
        return Child.objects.annotate(h=has_carer(*args, **kwargs)).get(pk=child.pk).h

    assert has() and has(CarerRole.SURROGATE_PARENT)
    assert not has(CarerRole.FOSTER_MOTHER)
    assert has(CarerRole.FOSTER_MOTHER, day=days_ago(11))
    assert not has(CarerRole.FOSTER_SIBLING, day=days_ago(11))
    alone = ChildFactory()
    assert not Child.objects.annotate(h=has_carer()).get(pk=alone.pk).h
