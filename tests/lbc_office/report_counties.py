"""Two counties of one city, for the tests of counties as tenants in the reports and the
dashboard (tests/lbc_office/test_report_counties.py).

巫溪县 (500238) is the small-cells city of report_city.py (on the hand-built county). 城口县
(500229) is a second county whose towns have the same names (东镇, 西乡: town names repeat
across counties, as in the bench's 40) and whose school 东镇小学 has the same name as 巫溪县's;
it has a record of every kind a table counts: pupils of varied facts, carers and check-ins,
home visits, enrolments, a donation handed to a child, a concern, a referral, risk levels.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from casework.models import Referral, ReferralUpdate
from registry.models import Child
from tests.casework.factories import ConcernFactory
from tests.factories import AgencyFactory, CountyFactory, SchoolFactory, TownFactory, UserFactory
from tests.lbc_office.report_city import _pupils
from tests.lbc_office.report_county import A_YEAR_AGO, TODAY, days_ago
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    HandoverFactory,
    HomeVisitFactory,
    ProgrammeFactory,
)
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, month_start

WUXI, CHENGKOU = "500238", "500229"


def build_second_county():
    """城口县 and its records (see the module's docstring); returns the county."""
    county = CountyFactory(code=CHENGKOU, name="城口县")
    towns = {name: TownFactory(county=county, name=name) for name in ("东镇", "西乡")}
    primary = SchoolFactory(
        town=towns["东镇"], code="CK-P1", name="东镇小学", boarding=True, bathroom=True
    )
    middle = SchoolFactory(
        town=towns["西乡"], code="CK-M1", name="城口西乡中学", level="middle", boarding=True
    )
    pupils = _pupils(primary, 14, range(1, 7), 2) + _pupils(middle, 9, range(7, 10), 3)
    Child.objects.filter(pk__in=[c.pk for c in pupils]).update(created_at=A_YEAR_AGO)
    for i, child in enumerate(pupils):
        Child.objects.filter(pk=child.pk).update(
            risk_level=["none", "low", "medium", "high"][i % 4],
            last_parent_contact_on=None if i % 3 == 0 else days_ago(40 * i),
        )

    volunteer = VolunteerFactory(county=county, town=towns["东镇"], capacity=50)
    month = month_start(TODAY)
    last = month_start(month - datetime.timedelta(days=1))
    for i, child in enumerate(pupils[::3]):
        assignment = AssignmentFactory(child=child, volunteer=volunteer)
        MonthlyCheckin.objects.create(
            assignment=assignment, county=county, month=last,
            status="missed" if i % 2 else "done",
            submitted_at=timezone.now() if i % 2 == 0 else None,
        )  # fmt: skip
    for child in pupils[::2]:
        HomeVisitFactory(child=child, date=TODAY)
    lunch = ProgrammeFactory(county=county, kind="love_lunch")
    for child in pupils[1::2]:
        EnrolmentFactory(programme=lunch, child=child)
    books = DonationFactory(county=county, kind="books", value=Decimal("500.00"), date=days_ago(20))
    HandoverFactory(donation=books, child=pupils[0], value=Decimal("100.00"))
    ConcernFactory(child=pupils[1], county=county)
    ConcernFactory(child=pupils[2], county=county, kind="injury", source="checkin")
    agency = AgencyFactory(county=county, name="城口县妇联")
    sender = UserFactory(username="ck-sender", role="official", county_code=CHENGKOU)
    sent_at = timezone.now() - datetime.timedelta(days=8)
    referral = Referral.objects.create(
        county=county, child=pupils[1], agency=agency, asked="请家访", sent_by=sender,
        sent_at=sent_at, due_on=TODAY + datetime.timedelta(days=3), status="sent",
        status_changed_at=sent_at,
    )  # fmt: skip
    ReferralUpdate.objects.create(referral=referral, status="sent", by=sender, at=sent_at)
    return county
