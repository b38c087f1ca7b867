"""Factories for the volunteers app."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from lbc_office.core.models import Role
from tests.factories import CountyFactory, TownFactory, UserFactory
from volunteers.models import Assignment, CarerRole, Organisation, Volunteer


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"幸福和谐家园{n}")
    kind = Organisation.Kind.VILLAGE_ASSOCIATION


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    county = factory.SubFactory(CountyFactory)
    town = factory.SubFactory(TownFactory, county=factory.SelfAttribute("..county"))
    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    may_be_surrogate_parent = True
    capacity = 5
    vetted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    vetted_by = factory.SubFactory(UserFactory, role=Role.OFFICIAL, username="vetter")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    child = None  # give one
    volunteer = factory.SubFactory(VolunteerFactory)
    county = factory.SelfAttribute("child.county")
    role = CarerRole.SURROGATE_PARENT
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))


def ensure_checkin_roles():
    """The six roles the data migration adds. A transactional test empties every table after
    it runs (data from migrations included), so transactional tests call this first."""
    import importlib

    from volunteers.models import CheckinRole

    if not CheckinRole.objects.exists():
        migration = importlib.import_module("volunteers.migrations.0002_default_checkin_roles")
        CheckinRole.objects.bulk_create(
            [
                CheckinRole(name=zh, name_en=en, position=i)
                for i, (zh, en) in enumerate(migration.ROLES, 1)
            ]
        )
