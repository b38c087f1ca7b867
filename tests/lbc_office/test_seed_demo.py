"""``manage.py seed_demo``: a believable demo county, safe to run on every start."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from lbc_office.core.models import DemoMarker, Role, User
from lbc_office.demo.county import DEFAULT_PASSWORD
from registry.models import (
    Child,
    County,
    FamilyRoom,
    Guardian,
    HealthCheck,
    ParentAway,
    School,
    StatusChange,
    Town,
    Village,
)
from tests.factories import CountyFactory, SchoolFactory, UserFactory

LOGINS = {
    "official": Role.OFFICIAL,
    "teacher": Role.TEACHER,
    "volunteer": Role.VOLUNTEER,
    "viewer": Role.VIEWER,
}
MODELS = [User, County, Town, Village, School, FamilyRoom, Child, ParentAway, Guardian, HealthCheck]


def seed(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in [*MODELS, StatusChange, DemoMarker]}


@pytest.mark.django_db
def test_seeds_a_believable_county():
    output = seed()

    assert County.objects.get().code == "500238"
    assert Town.objects.count() >= 8
    assert School.objects.count() >= 12
    assert {"primary", "middle"} == set(School.objects.values_list("level", flat=True))
    assert School.objects.filter(family_rooms__isnull=False).distinct().count() >= 5
    assert DemoMarker.objects.count() == 1

    users = {u.username: u for u in User.objects.all()}
    assert {name: u.role for name, u in users.items()} == LOGINS
    assert all(u.full_name for u in users.values())
    assert users["teacher"].teacher.schools.count() == 2
    assert all(u.check_password(DEFAULT_PASSWORD) for u in users.values())

    children = list(Child.objects.select_related("school"))
    assert len(children) >= 250
    for child in children:
        child.full_clean()  # identity number, age, grade, boarding, guardian all agree
        assert child.created_by == users["official"]
    both = sum(c.both_parents_away for c in children) / len(children)
    assert 0.2 <= both <= 0.4
    assert all(c.school.boarding for c in children if c.boarding)
    assert ParentAway.objects.count() == sum(c.father_away + c.mother_away for c in children)
    assert not Child.objects.filter(health_checks__isnull=True).exists()
    assert Guardian.objects.filter(relation__startswith="grand").exists()
    assert Child.objects.exclude(wishes="").exists()
    assert StatusChange.objects.exists()
    assert Child.objects.exclude(status="active").count() == StatusChange.objects.count()

    for username in LOGINS:
        assert username in output
    assert DEFAULT_PASSWORD in output


@pytest.mark.django_db
def test_running_twice_is_harmless():
    seed("--children", "20")
    before = counts()

    output = seed("--children", "20")

    assert counts() == before
    assert "already loaded" in output
    for username in LOGINS:
        assert username in output
    assert DEFAULT_PASSWORD in output


@pytest.mark.django_db
def test_password_option():
    output = seed("--children", "5", "--password", "another-demo-pw")

    assert "another-demo-pw" in output
    assert User.objects.get(username="teacher").check_password("another-demo-pw")
    # A later run without --password does not print a password that would not work.
    again = seed()
    assert DEFAULT_PASSWORD not in again
    assert "official" in again


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [SchoolFactory, UserFactory, CountyFactory])
def test_refuses_a_database_with_records_it_did_not_create(factory):
    factory()
    before = counts()

    with pytest.raises(CommandError, match="did not create") as refusal:
        seed()

    assert refusal.value.returncode != 0  # manage.py exits with it
    assert counts() == before
