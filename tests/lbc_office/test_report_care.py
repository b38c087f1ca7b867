"""The office's working reports on the hand-built county (tests/lbc_office/report_county.py):
carers, check-ins, home visits, contact with parents, donations. Figures counted by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from lbc_office import reports
from lbc_office.reports import Filters
from lbc_office.reports.care import school_year_start
from registry.models import Child
from tests.lbc_office.report_county import TODAY, build_county, days_ago
from tests.programmes.factories import DonationFactory, HandoverFactory, HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, month_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    return build_county()


def table(slug, **filters):
    report = reports.build(slug, Filters(**filters))
    keys = report.table.keys
    return {row[keys[0]]: dict(zip(keys[1:], [row[k] for k in keys[1:]], strict=True))
            for row in report.rows}  # fmt: skip


def test_volunteer_coverage_by_town(county):
    c = county.children
    mother = VolunteerFactory(may_be_foster_mother=True, may_be_surrogate_parent=False)
    parent = VolunteerFactory()
    AssignmentFactory(child=c["c1"], volunteer=mother, role="foster_mother")
    AssignmentFactory(child=c["c1"], volunteer=parent, role="surrogate_parent")
    AssignmentFactory(child=c["c4"], volunteer=parent, role="surrogate_parent")
    AssignmentFactory(child=c["c7"], volunteer=parent, role="surrogate_parent")
    # Ended before today: c2 has no carer now, but had one 20 days ago.
    AssignmentFactory(child=c["c2"], volunteer=parent, started_on=days_ago(60),
                      ended_on=days_ago(10))  # fmt: skip
    rows = table("volunteer-coverage")
    east = rows["东镇"]
    assert east["children"] == 5
    assert (east["with_foster_mother"], east["without_foster_mother"]) == (1, 4)
    assert (east["with_surrogate_parent"], east["without_surrogate_parent"]) == (2, 3)
    assert (east["with_foster_sibling"], east["without_foster_sibling"]) == (0, 5)
    assert east["without_any_carer"] == 3  # c2, c3, c5
    assert rows["西乡"]["without_any_carer"] == 1  # c8 (c7 has a surrogate parent)
    assert rows["北镇"]["without_any_carer"] == 1  # c9
    assert rows["total"]["children"] == 8 and rows["total"]["without_any_carer"] == 5
    assert list(rows) == ["东镇", "北镇", "西乡", "total"]  # towns by name
    # 20 days ago: c2 had a carer; c6 was still on the register, without one (c3, c5, c6).
    earlier = table("volunteer-coverage", as_of=days_ago(20))["东镇"]
    assert (earlier["children"], earlier["without_any_carer"]) == (6, 3)


def test_checkins_by_month_and_organisation(county):
    c = county.children
    this_month = month_start(TODAY)
    last_month = month_start(this_month - datetime.timedelta(days=1))
    home = OrganisationFactory(name="幸福和谐家园")
    a1 = AssignmentFactory(child=c["c1"], volunteer=VolunteerFactory(organisation=home))
    a2 = AssignmentFactory(child=c["c7"], volunteer=VolunteerFactory(organisation=None))
    now = datetime.datetime.now(datetime.UTC)
    for assignment, status in [(a1, "done"), (a2, "missed")]:
        MonthlyCheckin.objects.create(
            assignment=assignment, county=assignment.county, month=last_month, status=status,
            submitted_at=now if status == "done" else None,
        )  # fmt: skip
    MonthlyCheckin.objects.create(assignment=a1, county=a1.county, month=this_month)
    report = reports.build("checkins", Filters())
    got = [(r["month"], r["organisation"], r["due"], r["done"], r["missed"], r["open"],
            r["completion"]) for r in report.rows]  # fmt: skip
    assert got == [
        (f"{this_month:%Y-%m}", "幸福和谐家园", 1, 0, 0, 1, 0.0),
        (f"{last_month:%Y-%m}", "幸福和谐家园", 1, 1, 0, 0, 100.0),
        (f"{last_month:%Y-%m}", "", 1, 0, 1, 0, 0.0),  # volunteers of no organisation last
        ("total", "", 3, 1, 1, 1, 33.3),
    ]
    assert [r["month"] for r in reports.build("checkins", Filters(town="西乡")).rows] == [
        f"{last_month:%Y-%m}",
        "total",
    ]


def test_home_visit_coverage_this_school_year(county):
    c = county.children
    start = school_year_start(TODAY)
    HomeVisitFactory(child=c["c1"], date=TODAY)
    HomeVisitFactory(child=c["c1"], date=TODAY)  # twice: one child visited, two visits
    HomeVisitFactory(child=c["c3"], date=start)
    HomeVisitFactory(child=c["c2"], date=start - datetime.timedelta(days=1))  # last year
    HomeVisitFactory(child=c["c9"], date=TODAY)
    rows = {r["school_code"]: r for r in reports.build("home-visits", Filters()).rows}
    p1 = rows["P1"]
    assert (p1["children"], p1["visited"], p1["not_visited"], p1["visits"]) == (3, 2, 1, 3)
    assert p1["coverage"] == 66.7
    assert (rows["M2"]["visited"], rows["P2"]["visited"]) == (1, 0)
    total = rows[""]
    assert (total["children"], total["visited"], total["visits"]) == (8, 3, 4)
    assert school_year_start(datetime.date(2026, 8, 31)) == datetime.date(2025, 9, 1)
    assert school_year_start(datetime.date(2026, 9, 1)) == datetime.date(2026, 9, 1)


def test_contact_gaps_by_town(county):
    c = county.children
    contact = {"c1": 10, "c2": 45, "c3": 100, "c4": 400}  # days since; c5 never
    for key, days in contact.items():
        Child.objects.filter(pk=c[key].pk).update(last_parent_contact_on=days_ago(days))
    east = table("contact-gaps")["东镇"]
    assert (east["children"], east["no_contact_30"], east["no_contact_90"]) == (5, 4, 3)
    assert (east["no_contact_365"], east["never"]) == (2, 1)  # c4, c5; c5


def test_donation_tracing(county):
    c = county.children
    books = DonationFactory(kind="books", value=Decimal("500.00"), date=days_ago(100))
    money = DonationFactory(kind="money", value=Decimal("1000.00"), date=days_ago(100))
    DonationFactory(kind="money", value=Decimal("300.00"), date=days_ago(5))
    HandoverFactory(donation=books, child=c["c1"], value=Decimal("500.00"),
                    handed_over_on=days_ago(50))  # fmt: skip
    HandoverFactory(donation=money, child=c["c1"], value=Decimal("400.00"),
                    handed_over_on=days_ago(50))  # fmt: skip
    HandoverFactory(donation=money, child=c["c2"], value=Decimal("100.00"),
                    handed_over_on=days_ago(3))  # fmt: skip
    rows = table("donations")
    assert rows["books"]["open_donations"] == 0 and rows["books"]["children_reached"] == 1
    money_row = rows["money"]
    assert money_row["donations"] == 2 and money_row["value"] == Decimal("1300.00")
    assert money_row["traced"] == Decimal("500.00") and money_row["untraced"] == Decimal("800.00")
    assert money_row["open_donations"] == 2 and money_row["children_reached"] == 2
    assert rows["total"]["children_reached"] == 2  # c1 counted once over both kinds
    assert rows["total"]["value"] == Decimal("1800.00")
    earlier = table("donations", as_of=days_ago(10))["money"]
    assert (earlier["donations"], earlier["traced"], earlier["children_reached"]) == (
        1,
        Decimal("400.00"),
        1,
    )
