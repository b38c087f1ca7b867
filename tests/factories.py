"""factory_boy factories for the register. Identity numbers are valid and agree with the record."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.utils import timezone

from lbc_office.core.models import Role, User
from registry.idnumber import check_digit_for
from registry.models import (
    Child,
    County,
    FamilyRoom,
    GuardianType,
    HealthCheck,
    School,
    SchoolLevel,
    Teacher,
    Town,
    Village,
)

_sequence = itertools.count(1)


def make_id_number(birth_date: datetime.date, sex: str, area: str = "500238") -> str:
    """A valid identity number: the 3-digit sequence is odd for boys and even for girls."""
    n = next(_sequence) % 500
    seq = n * 2 + (1 if sex == "M" else 0)
    first17 = f"{area}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_digit_for(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    role = Role.OFFICIAL
    county_code = "500238"  # CountyFactory's: every test account works in the test county
    password = factory.django.Password("pw-for-tests-2026")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["code"]

    code = "500238"
    name = "巫溪县"


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"镇{n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"村{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    town = factory.SubFactory(TownFactory)
    county = factory.SelfAttribute("town.county")
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}小学")
    level = SchoolLevel.PRIMARY
    boarding = False
    canteen = True


class FamilyRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyRoom

    school = factory.SubFactory(SchoolFactory)
    kind = FamilyRoom.Kind.PHONE


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.TEACHER)

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)


def _birth_date_for(grade: int) -> datetime.date:
    today = timezone.localdate()
    return datetime.date(today.year - grade - 6, 3, 15)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    school = factory.SubFactory(SchoolFactory)
    county = factory.SelfAttribute("school.county")
    village = factory.SubFactory(VillageFactory, town=factory.SelfAttribute("..school.town"))
    name = factory.Sequence(lambda n: f"王小{n}")
    sex = "M"
    grade = 3
    date_of_birth = factory.LazyAttribute(lambda o: _birth_date_for(o.grade))
    id_number = factory.LazyAttribute(lambda o: make_id_number(o.date_of_birth, o.sex))
    father_away = True
    mother_away = True
    guardian = GuardianType.GRANDPARENTS


class HealthCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthCheck

    child = factory.SubFactory(ChildFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    height_cm = 130
    weight_kg = 28


# --- Casework: the joint conference's organisations and their partner logins ------------------


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "casework.Agency"
        django_get_or_create = ["county", "name"]

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"合作单位{n}")
    kind = "womens_federation"


def partner_of(agency, **user_fields):
    """A partner login acting for ``agency`` (a user with the partner role and its liaison)."""
    from casework.models import Liaison

    user = UserFactory(role=Role.PARTNER, **user_fields)
    Liaison.objects.create(user=user, agency=agency)
    return user
