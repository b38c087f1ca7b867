"""Assignment rules: vetting, capacity, role, one active carer per child and role, history."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from registry.models import Child
from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import Assignment, CarerRole, Volunteer
from volunteers.services import care

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def official():
    return UserFactory(role="official")


def _refusal(**kwargs) -> dict:
    with pytest.raises(ValidationError) as exc:
        care.assign_volunteer(**kwargs)
    return exc.value.message_dict


def test_a_vetted_volunteer_with_room_is_assigned(official):
    child, volunteer = ChildFactory(), VolunteerFactory()
    assignment = care.assign_volunteer(
        child=child, volunteer=volunteer, role=CarerRole.SURROGATE_PARENT, by=official
    )
    assert assignment.active and assignment.county == child.county
    assert assignment.created_by == official
    assert assignment.history.count() == 1


def test_an_unvetted_volunteer_cannot_be_assigned(official):
    volunteer = VolunteerFactory(vetted_on=None, vetted_by=None)
    errors = _refusal(
        child=ChildFactory(), volunteer=volunteer, role="surrogate_parent", by=official
    )
    assert "not been vetted" in errors["volunteer"][0]


def test_a_volunteer_vetted_in_the_future_is_not_vetted(official):
    volunteer = VolunteerFactory(vetted_on=TODAY + datetime.timedelta(days=1))
    errors = _refusal(
        child=ChildFactory(), volunteer=volunteer, role="surrogate_parent", by=official
    )
    assert "not been vetted" in errors["volunteer"][0]


def test_a_volunteer_at_capacity_cannot_take_another_child(official):
    volunteer = VolunteerFactory(may_be_foster_mother=True, capacity=1)
    care.assign_volunteer(
        child=ChildFactory(), volunteer=volunteer, role="foster_mother", by=official
    )
    errors = _refusal(child=ChildFactory(), volunteer=volunteer, role="foster_mother", by=official)
    assert "already looks after 1 children" in errors["volunteer"][0]


def test_ending_an_assignment_frees_the_place_and_keeps_history(official):
    volunteer = VolunteerFactory(may_be_foster_mother=True, capacity=1)
    first = care.assign_volunteer(
        child=ChildFactory(), volunteer=volunteer, role="foster_mother", by=official
    )
    care.end_assignment(assignment=first, by=official, reason="孩子随父母外出")
    care.assign_volunteer(
        child=ChildFactory(), volunteer=volunteer, role="foster_mother", by=official
    )
    first.refresh_from_db()
    assert first.ended_on == TODAY and first.end_reason == "孩子随父母外出"
    assert Assignment.objects.filter(volunteer=volunteer).count() == 2


def test_a_role_the_volunteer_may_not_take_is_refused(official):
    volunteer = VolunteerFactory(may_be_surrogate_parent=True, may_be_foster_mother=False)
    errors = _refusal(child=ChildFactory(), volunteer=volunteer, role="foster_mother", by=official)
    assert "may not take the role “Foster mother”" in errors["volunteer"][0]


def test_a_child_has_one_active_carer_per_role(official):
    child = ChildFactory()
    care.assign_volunteer(
        child=child, volunteer=VolunteerFactory(), role="surrogate_parent", by=official
    )
    errors = _refusal(
        child=child, volunteer=VolunteerFactory(), role="surrogate_parent", by=official
    )
    assert "already has a carer in the role “Surrogate parent”" in errors["role"][0]
    # Another kind of carer is fine.
    sibling = VolunteerFactory(may_be_foster_sibling=True)
    care.assign_volunteer(child=child, volunteer=sibling, role="foster_sibling", by=official)


def test_the_database_keeps_one_active_carer_per_role():
    child = ChildFactory()
    AssignmentFactory(child=child)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(child=child)


def test_an_ended_assignment_cannot_end_again_or_before_it_started(official):
    assignment = AssignmentFactory(child=ChildFactory())
    with pytest.raises(ValidationError) as exc:
        care.end_assignment(
            assignment=assignment, by=official, reason="x",
            ended_on=assignment.started_on - datetime.timedelta(days=1),
        )  # fmt: skip
    assert "before it started" in exc.value.message_dict["ended_on"][0]
    care.end_assignment(assignment=assignment, by=official, reason="x")
    with pytest.raises(ValidationError):
        care.end_assignment(assignment=assignment, by=official, reason="x")


def test_a_child_who_left_the_register_gets_no_new_carer(official):
    child = ChildFactory(status="closed")
    errors = _refusal(
        child=child, volunteer=VolunteerFactory(), role="surrogate_parent", by=official
    )
    assert "child" in errors


def test_default_capacity_follows_the_role(official):
    town = VolunteerFactory().town
    volunteer = care.save_volunteer(
        volunteer=Volunteer(), by=official, name="王秀英", town=town, may_be_foster_sibling=True,
        capacity=None,
    )  # fmt: skip
    assert volunteer.capacity == 2
    assert volunteer.county == town.county
    mother = care.save_volunteer(
        volunteer=Volunteer(), by=official, name="李桂兰", town=town, may_be_foster_mother=True,
        capacity=None, vetted_on=TODAY,
    )  # fmt: skip
    assert mother.capacity == 1 and mother.vetted_by == official


def test_a_volunteer_needs_a_role():
    with pytest.raises(ValidationError) as exc:
        care.save_volunteer(
            volunteer=Volunteer(), by=None, name="x", town=VolunteerFactory().town, capacity=1
        )
    assert "at least one role" in exc.value.message_dict["may_be_foster_mother"][0]


@pytest.mark.django_db(transaction=True)
def test_two_officials_assigning_the_last_place_at_once(official):
    """The volunteer's row lock serialises them: exactly one assignment is made."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (CI runs this on PostgreSQL)")
    volunteer = VolunteerFactory(may_be_foster_mother=True, capacity=1)
    children = [ChildFactory(), ChildFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(child_pk):
        try:
            barrier.wait()
            care.assign_volunteer(
                child=Child.objects.get(pk=child_pk), volunteer=volunteer, role="foster_mother",
                by=official,
            )  # fmt: skip
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(c.pk,)) for c in children]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Assignment.objects.filter(volunteer=volunteer, ended_on=None).count() == 1
