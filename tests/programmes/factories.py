"""factory_boy factories for the programmes app. Each record copies its child's county, as the
services do."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from lbc_office.core.models import Role
from programmes.models import (
    Donation,
    Enrolment,
    FamilyCall,
    Handover,
    HomeVisit,
    ParentVisit,
    Programme,
    WithWhom,
)
from tests.factories import ChildFactory, CountyFactory, FamilyRoomFactory, UserFactory


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def moment_days_ago(n: int, hour: int = 16) -> datetime.datetime:
    """An aware datetime at ``hour`` o'clock local time, ``n`` days ago."""
    day = days_ago(n)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


class HomeVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeVisit

    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("child.county")
    visitor = factory.SubFactory(UserFactory, role=Role.TEACHER)
    date = factory.LazyFunction(lambda: days_ago(10))
    met = HomeVisit.Met.GRANDPARENTS
    education = "每天检查作业。"


class _KeepsLastContact(factory.django.DjangoModelFactory):
    """As the services do: a new call or visit home refreshes the child's cached last contact."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from programmes.services.contact import refresh_last_contact

        record = super()._create(model_class, *args, **kwargs)
        refresh_last_contact([record.child_id])
        return record


class FamilyCallFactory(_KeepsLastContact):
    class Meta:
        model = FamilyCall

    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("child.county")
    room = factory.SubFactory(FamilyRoomFactory, school=factory.SelfAttribute("..child.school"))
    at = factory.LazyFunction(lambda: moment_days_ago(3))
    minutes = 8
    with_whom = WithWhom.MOTHER


class ParentVisitFactory(_KeepsLastContact):
    class Meta:
        model = ParentVisit

    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("child.county")
    parent = ParentVisit.Parent.FATHER
    arrived_on = factory.LazyFunction(lambda: days_ago(40))
    left_on = factory.LazyFunction(lambda: days_ago(33))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"爱心午餐{n}")
    kind = Programme.Kind.LOVE_LUNCH
    starts_on = factory.LazyFunction(lambda: days_ago(400))

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("child.county")
    starts_on = factory.LazyFunction(lambda: days_ago(100))


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    county = factory.SubFactory(CountyFactory)
    donor = "重庆某某实业有限公司"
    donor_kind = Donation.DonorKind.ENTERPRISE
    date = factory.LazyFunction(lambda: days_ago(60))
    kind = Donation.Kind.MONEY
    value = Decimal("1000.00")
    destination = Donation.Destination.CHILDREN


class HandoverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Handover

    donation = factory.SubFactory(DonationFactory)
    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("donation.county")
    value = Decimal("100.00")
    handed_over_on = factory.LazyFunction(lambda: days_ago(30))
    confirmed_by = "监护人 王奶奶"
