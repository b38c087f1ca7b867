"""A register with small cells everywhere, for the attacker's tests of what report viewers get
(tests/lbc_office/test_report_disclosure.py).

The hand-built county (report_county.py) and, on top of it: 37 more pupils at P1 and 21 at
M1 with varied facts (so that the tables hold counts of every size next to small ones), a town
南乡 of four schools with two pupils each (the case that unpicks a round-to-5 scheme), carers,
check-ins, home visits, enrolments, contacts with parents and donations given to a few
children.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from registry.models import Child
from tests.factories import ChildFactory, SchoolFactory, TownFactory
from tests.lbc_office.report_county import A_YEAR_AGO, TODAY, County, build_county, days_ago
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    HandoverFactory,
    HomeVisitFactory,
    ProgrammeFactory,
)
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, month_start

GUARDIANS = ["grandparents", "relatives", "none", "grandparents"]
ROLES = ["surrogate_parent", "foster_mother", "foster_sibling"]


def _pupils(school, n: int, grades: range, seed: int) -> list:
    made = []
    for i in range(n):
        k = i + seed
        both = k % 4 != 3
        made.append(
            ChildFactory(
                school=school,
                grade=grades[k % len(grades)],
                father_away=True,
                mother_away=both,
                guardian=GUARDIANS[k % 4] if both else "mother",
                boarding=k % 5 == 0,
                poor=k % 7 == 0,
            )
        )
    return made


def build_city() -> County:
    county = build_county()
    s, towns = county.schools, county.towns
    place = towns["东镇"].county
    towns["南乡"] = TownFactory(county=place, name="南乡")
    for i in range(1, 5):
        s[f"S{i}"] = SchoolFactory(town=towns["南乡"], code=f"S{i}", name=f"南乡村小{i}")
    pupils = _pupils(s["P1"], 37, range(1, 7), 0) + _pupils(s["M1"], 21, range(7, 10), 1)
    for i in range(1, 5):
        pupils += _pupils(s[f"S{i}"], 2, range(1, 7), i)
    Child.objects.update(created_at=A_YEAR_AGO)
    children = [*county.children.values(), *pupils]
    active = [c for c in children if c.status == "active"]

    # Carers: every third child has one, of a role in turn; one in five of those has two.
    home = OrganisationFactory(county=place, name="幸福和谐家园")
    volunteers = [
        VolunteerFactory(
            county=place,
            town=towns["东镇"],
            organisation=home if i % 2 else None,
            may_be_foster_mother=True,
            may_be_foster_sibling=True,
            capacity=50,
        )
        for i in range(4)
    ]
    assignments = []
    for i, child in enumerate(active[::3]):
        volunteer = volunteers[i % 4]
        assignments.append(AssignmentFactory(child=child, volunteer=volunteer, role=ROLES[i % 3]))
        if i % 5 == 0:
            AssignmentFactory(
                child=child, volunteer=volunteers[(i + 1) % 4], role=ROLES[(i + 1) % 3]
            )

    # Check-ins of this month and the last two, in every status.
    month = month_start(TODAY)
    months = [month]
    for _i in range(2):
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    now = timezone.now()
    for i, assignment in enumerate(assignments):
        for j, m in enumerate(months):
            status = ["done", "missed", "open"][(i + j) % 3] if m != month else "open"
            MonthlyCheckin.objects.create(
                assignment=assignment,
                county=assignment.county,
                month=m,
                status=status,
                submitted_at=now if status == "done" else None,
            )

    # Home visits to every other child, twice to some.
    for i, child in enumerate(active[::2]):
        HomeVisitFactory(child=child, date=TODAY)
        if i % 4 == 0:
            HomeVisitFactory(child=child, date=TODAY)

    # Programmes: most pupils in love lunch, a few in egg-and-milk, one in a summer camp.
    lunch = ProgrammeFactory(county=place, kind="love_lunch")
    eggs = ProgrammeFactory(county=place, kind="egg_milk")
    camp = ProgrammeFactory(county=place, kind="summer_camp")
    for i, child in enumerate(active):
        if i % 6:
            EnrolmentFactory(programme=lunch, child=child)
        if i % 9 == 0:
            EnrolmentFactory(programme=eggs, child=child)
    EnrolmentFactory(programme=camp, child=active[4])

    # Contact with parents: spread over the gaps, some never.
    for i, child in enumerate(active):
        days = [5, 40, 100, 400, None][i % 5]
        Child.objects.filter(pk=child.pk).update(
            last_parent_contact_on=None if days is None else days_ago(days)
        )

    # Donations: books to three children, money to two (one of them also got books).
    books = DonationFactory(county=place, kind="books", value=Decimal("600.00"), date=days_ago(90))
    money = DonationFactory(county=place, kind="money", value=Decimal("900.00"), date=days_ago(90))
    for child in active[:3]:
        HandoverFactory(donation=books, child=child, value=Decimal("200.00"))
    for child in active[2:4]:
        HandoverFactory(donation=money, child=child, value=Decimal("300.00"))
    return County(towns=towns, schools=s, children={c.pk: c for c in children})
