"""``manage.py seed_demo``: a believable demo county, safe to run on every start."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from casework.models import (
    Agency,
    AgencyKind,
    CasePlan,
    Concern,
    ConcernSource,
    Referral,
    ReferralStatus,
    ReunificationCheck,
)
from lbc_office.core.models import DemoMarker, Role, User
from lbc_office.demo.county import DEFAULT_PASSWORD
from registry import duplicates
from registry.models import (
    Child,
    County,
    FamilyRoom,
    Guardian,
    HealthCheck,
    ParentAway,
    RiskLevel,
    School,
    SchoolTransfer,
    StatusChange,
    Town,
    Village,
)
from tests.factories import CountyFactory, SchoolFactory, UserFactory
from volunteers.models import Assignment

LOGINS = {
    "official": Role.OFFICIAL,
    "teacher": Role.TEACHER,
    "volunteer": Role.VOLUNTEER,
    "viewer": Role.VIEWER,
    "partner": Role.PARTNER,
    "chengkou": Role.OFFICIAL,  # the neighbour county's official
    "city": Role.OFFICIAL,  # the municipal official
}
WUXI, CHENGKOU = "500238", "500229"
COUNTIES = dict.fromkeys(LOGINS, WUXI) | {"chengkou": CHENGKOU, "city": ""}
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

    assert set(County.objects.values_list("code", flat=True)) == {WUXI, CHENGKOU}
    assert Town.objects.count() >= 8
    assert School.objects.count() >= 12
    assert {"primary", "middle"} == set(School.objects.values_list("level", flat=True))
    assert School.objects.filter(family_rooms__isnull=False).distinct().count() >= 5
    assert DemoMarker.objects.count() == 1

    users = {u.username: u for u in User.objects.all()}
    assert {name: u.role for name, u in users.items()} == LOGINS
    assert {name: u.county_code for name, u in users.items()} == COUNTIES
    assert all(u.full_name for u in users.values())
    assert users["teacher"].teacher.schools.count() == 2
    assert all(u.check_password(DEFAULT_PASSWORD) for u in users.values())

    children = list(Child.objects.select_related("school", "county"))
    assert len(children) >= 250
    for child in children:
        child.full_clean()  # identity number, age, grade, boarding, guardian all agree
        maker = "official" if child.county.code == WUXI else "chengkou"
        assert child.created_by == users[maker]
        assert child.school.county_id == child.county_id
        assert child.id_number.startswith(child.county.code)
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


@pytest.mark.django_db
def test_seeds_the_casework():
    output = seed("--children", "60")

    active = Child.objects.filter(status="active")
    assert set(active.values_list("risk_level", flat=True)) == set(RiskLevel.values)
    for child in active.filter(risk_level__in=["high", "urgent"]):
        plan = CasePlan.objects.open().get(child=child)
        actions = list(plan.actions.all())
        assert any(a.owner_user_id for a in actions) and any(a.owner_agency_id for a in actions)
    assert set(Concern.objects.values_list("source", flat=True)) == set(ConcernSource.values)
    assert Concern.objects.filter(triaged_at__isnull=False, closed_at__isnull=True).exists()
    assert Concern.objects.filter(closed_at__isnull=False).exists()
    assert Concern.objects.filter(triaged_at__isnull=True).exists()  # still to look at

    kinds = set(AgencyKind.values) - {"other"}
    assert set(Agency.objects.values_list("kind", flat=True)) == kinds
    assert set(Referral.objects.values_list("agency__kind", flat=True)) == kinds
    statuses = {"sent", "accepted", "declined", "in_progress", "done"}
    assert set(Referral.objects.values_list("status", flat=True)) == statuses
    federation = Agency.objects.get(kind="womens_federation")
    assert set(federation.referrals.values_list("status", flat=True)) == statuses
    done = federation.referrals.get(status=ReferralStatus.DONE)
    assert [u.status for u in done.updates.order_by("at", "pk")] == [
        "sent", "accepted", "in_progress", "done"
    ]  # fmt: skip
    assert all(u.feedback for u in done.updates.exclude(status="sent"))

    reunited = Assignment.objects.filter(child__status="reunited", ended_on__isnull=False)
    assert reunited.exists()
    assert ReunificationCheck.objects.filter(child=reunited.first().child).count() == 2
    assert SchoolTransfer.objects.filter(kind=SchoolTransfer.Kind.BETWEEN_SCHOOLS).count() == 1
    pairs = [
        (a, b)
        for a in Child.objects.all()
        for b in Child.objects.filter(name=a.name, date_of_birth=a.date_of_birth, pk__gt=a.pk)
        if a.village_id == b.village_id
    ]
    assert len(pairs) == 1
    assert duplicates.id_relation(pairs[0][0].id_number, pairs[0][1].id_number)
    assert "partner" in output and federation.name in output


@pytest.mark.django_db
def test_the_partner_login_sees_its_organisations_referrals_only():
    seed("--children", "30")
    partner = User.objects.get(username="partner")
    assert partner.liaison.agency.kind == "womens_federation"

    client = Client()
    client.post(reverse("login"), {"username": "partner", "password": DEFAULT_PASSWORD})
    page = client.get(reverse("referrals:partner_list"))

    assert page.status_code == 200
    html = page.content.decode()
    ours = Referral.objects.filter(agency=partner.liaison.agency)
    assert ours.count() == 5
    for referral in Referral.objects.all():
        link = reverse("referrals:partner_referral", args=[referral.pk])
        assert (link in html) == (referral.agency_id == partner.liaison.agency_id)


@pytest.mark.django_db
def test_two_counties_each_official_sees_their_own_and_the_city_reads_both():
    """Issue 15: Chengkou, with its own towns, schools and children, beside Wuxi; each county
    official's register is their own county's, the municipal official's is both."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from registry.models import Child as Children

    output = seed("--children", "20")
    chengkou = County.objects.get(code=CHENGKOU)
    assert chengkou.name == "城口县"
    ours = Children.objects.filter(county=chengkou)
    assert ours.count() == 36 and Town.objects.filter(county=chengkou).count() >= 4
    assert School.objects.filter(county=chengkou).count() >= 5
    assert Children.objects.filter(county__code=WUXI).count() >= 20  # and the demo duplicate
    visible = {
        name: set(Children.objects.visible_to(User.objects.get(username=name)).values_list(
            "county__code", flat=True))
        for name in ("official", "chengkou", "city")
    }  # fmt: skip
    assert visible == {"official": {WUXI}, "chengkou": {CHENGKOU}, "city": {WUXI, CHENGKOU}}
    # Every official signs in in two steps: each has the demo authenticator.
    assert set(TOTPDevice.objects.filter(name="demo").values_list("user__username", flat=True)) == {
        "official", "chengkou", "city"
    }  # fmt: skip
    for username in ("chengkou", "city"):
        assert username in output
    codes = StringIO()
    with translation.override("en"):
        call_command("demo_code", stdout=codes)
    assert [line.split(":")[0] for line in codes.getvalue().splitlines()] == [
        "Code for official", "Code for chengkou", "Code for city"
    ]  # fmt: skip
