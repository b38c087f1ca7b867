"""The county's four tables, counted from a county built by hand (report_county.py).

Each expected figure below was counted by hand from the table in that module's docstring.
"""

from __future__ import annotations

import datetime

import pytest

from lbc_office import reports
from lbc_office.reports import Filters
from programmes.models import Programme
from registry.models import Child, FamilyRoom, StatusChange
from tests.factories import ChildFactory, FamilyRoomFactory, SchoolFactory, TownFactory
from tests.lbc_office.report_county import A_YEAR_AGO, build_county, days_ago
from tests.programmes.factories import EnrolmentFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    return build_county()


def table(slug, **filters):
    report = reports.build(slug, Filters(**filters))
    return {
        row[report.table.keys[0]]: [row[k] for k in report.table.keys[1:]] for row in report.rows
    }


# --- Table 1 -----------------------------------------------------------------------------------


def test_status_table(county):
    rows = table("status")
    # children, both away, grandparents, relatives, boarding, poor
    assert rows["primary"] == [5, 3, 1, 1, 2, 3]  # c1–c5 (c6 left)
    assert rows["middle"] == [3, 2, 1, 1, 2, 1]  # c7–c9
    assert rows["total"] == [8, 5, 2, 2, 4, 4]
    assert list(rows) == ["primary", "middle", "total"]


def test_status_table_for_a_town_and_a_school(county):
    assert table("status", town="东镇")["total"] == [5, 3, 1, 1, 2, 3]
    assert table("status", town="西乡")["total"] == [2, 1, 1, 0, 2, 1]
    assert table("status", school="P2")["total"] == [2, 1, 0, 0, 0, 2]  # c4, c5
    assert table("status", town="西乡", school="P2")["total"] == [0] * 6
    assert table("status", town="无此镇")["total"] == [0] * 6


def test_as_of_rebuilds_who_was_on_the_register(county):
    c = county.children
    # c10 came back: reunited 30 days ago, active again 15 days ago.
    c10 = ChildFactory(school=county.schools["M2"], grade=7, status="active")
    StatusChange.objects.create(child=c10, from_status="active", to_status="reunited",
                                date=days_ago(30), reason="x")  # fmt: skip
    StatusChange.objects.create(child=c10, from_status="reunited", to_status="active",
                                date=days_ago(15), reason="y")  # fmt: skip
    # c11's file was opened 5 days ago.
    c11 = ChildFactory(school=county.schools["M2"], grade=7)
    Child.objects.filter(pk=c10.pk).update(created_at=A_YEAR_AGO)
    Child.objects.filter(pk=c11.pk).update(created_at=datetime.datetime.now(datetime.UTC)
                                           - datetime.timedelta(days=5))  # fmt: skip
    total = lambda day: table("status", as_of=day)["total"][0]  # noqa: E731
    assert total(None) == 8 + 2  # today: c10 active again, c11 opened
    assert total(days_ago(3)) == 10  # the same
    assert total(days_ago(6)) == 9  # before c11's file was opened
    assert total(days_ago(10)) == 9  # c6 left that day: at the end of it, not active
    assert total(days_ago(11)) == 10  # c6 still there, c10 back, c11 not yet
    assert total(days_ago(20)) == 9  # c10 away (reunited), c6 there
    assert total(days_ago(40)) == 10  # c10 there before leaving, c6 there
    assert total(days_ago(400)) == 0  # before any file was opened
    assert c["c6"].status == "reunited"


# --- Table 2 -----------------------------------------------------------------------------------


def _pupils(school, n):
    """``n`` pupils with both parents away, inserted in one go."""
    village = county_village(school)
    grades = list(school.grades)
    Child.objects.bulk_create(
        [
            ChildFactory.build(school=school, village=village, county=school.county,
                               grade=grades[i % len(grades)], sex="MF"[i % 2])
            for i in range(n)
        ]
    )  # fmt: skip


def county_village(school):
    from tests.factories import VillageFactory

    return VillageFactory(town=school.town)


def test_family_connection_brackets_and_their_boundaries(db):
    town = TownFactory(name="南镇")
    schools = {
        n: SchoolFactory(town=town, code=f"B{n}", level="middle" if n > 100 else "primary")
        for n in (0, 50, 51, 100, 101, 200, 201)
    }
    for n, school in schools.items():
        _pupils(school, n)
    # A pupil with one parent away does not count towards the bracket.
    ChildFactory(school=schools[0], father_away=True, mother_away=False, guardian="mother")
    ChildFactory(school=schools[50], father_away=True, mother_away=False, guardian="mother")
    FamilyRoomFactory(school=schools[50], kind="phone")
    FamilyRoomFactory(school=schools[51], kind="phone")
    FamilyRoomFactory(school=schools[51], kind="phone")
    FamilyRoomFactory(school=schools[51], kind="phone", active=False)  # out of use
    FamilyRoomFactory(school=schools[101], kind=FamilyRoom.Kind.CHAT_ROOM)
    FamilyRoomFactory(school=schools[201], kind="phone")
    FamilyRoomFactory(school=schools[201], kind=FamilyRoom.Kind.CHAT_ROOM)
    FamilyRoomFactory(school=schools[201], kind=FamilyRoom.Kind.CHAT_ROOM)
    rows = table("family-connection")
    # schools, pupils, schools with phones, phones, schools with chat rooms, chat rooms
    assert rows["0-50"] == [2, 50, 1, 1, 0, 0]  # the schools of 0 and 50
    assert rows["51-100"] == [2, 151, 1, 2, 0, 0]  # 51 and 100
    assert rows["101-200"] == [2, 301, 0, 0, 1, 1]  # 101 and 200
    assert rows["201+"] == [1, 201, 1, 1, 1, 2]
    assert rows["total"] == [7, 703, 3, 4, 2, 3]
    assert list(rows) == ["0-50", "51-100", "101-200", "201+", "total"]


def test_family_connection_on_the_hand_built_county(county):
    FamilyRoomFactory(school=county.schools["P1"], kind="phone")
    rows = table("family-connection")
    # P1 2 (c1, c3), P2 1 (c4; c6 left), M1 1, M2 1: four schools, all under 51; X is closed
    assert rows["0-50"] == [4, 5, 1, 1, 0, 0]
    assert rows["total"] == [4, 5, 1, 1, 0, 0]
    assert table("family-connection", town="东镇")["0-50"] == [2, 3, 1, 1, 0, 0]


# --- Table 3 -----------------------------------------------------------------------------------


def test_boarding_table(county):
    rows = table("boarding")
    # children, boarding schools, with bathroom, with canteen, towns without such a school
    assert rows["primary"] == [5, 1, 1, 1, 2]  # P1; 西乡 and 北镇 have none (X is closed)
    assert rows["middle"] == [3, 1, 0, 1, 2]  # M1; 东镇 and 北镇 have none
    assert rows["total"] == [8, 2, 1, 2, 1]  # 北镇 has no boarding school at all
    assert table("boarding", town="北镇")["total"] == [1, 0, 0, 0, 1]
    assert table("boarding", school="P1")["primary"] == [3, 1, 1, 1, 0]


# --- Table 4 -----------------------------------------------------------------------------------


def test_programmes_table(county):
    c = county.children
    lunch = ProgrammeFactory(kind=Programme.Kind.LOVE_LUNCH, starts_on=days_ago(200))
    lunch_2 = ProgrammeFactory(kind=Programme.Kind.LOVE_LUNCH, starts_on=days_ago(200))
    milk = ProgrammeFactory(kind=Programme.Kind.EGG_MILK, starts_on=days_ago(200))
    EnrolmentFactory(programme=lunch, child=c["c1"], starts_on=days_ago(50))
    EnrolmentFactory(programme=lunch_2, child=c["c1"], starts_on=days_ago(50))  # counts once
    EnrolmentFactory(programme=lunch, child=c["c2"], starts_on=days_ago(50), ends_on=days_ago(5))
    EnrolmentFactory(programme=lunch, child=c["c7"], starts_on=days_ago(50))
    EnrolmentFactory(programme=lunch, child=c["c6"], starts_on=days_ago(50))  # left the register
    EnrolmentFactory(programme=milk, child=c["c1"], starts_on=days_ago(50))
    EnrolmentFactory(programme=milk, child=c["c9"], starts_on=days_ago(50))
    rows = table("programmes")
    assert rows["love_lunch"] == [1, 1, 2]  # c1; c7
    assert rows["egg_milk"] == [1, 1, 2]  # c1; c9
    assert rows["summer_camp"] == [0, 0, 0]
    assert list(rows) == list(Programme.Kind.values)
    # 20 days ago c2 was still enrolled and c6 still on the register.
    assert table("programmes", as_of=days_ago(20))["love_lunch"] == [3, 1, 4]
    assert table("programmes", as_of=days_ago(60))["love_lunch"] == [0, 0, 0]
    assert table("programmes", town="西乡")["love_lunch"] == [0, 1, 1]
