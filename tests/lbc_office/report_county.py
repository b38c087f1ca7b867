"""A small county built by hand, whose tables were counted by hand (see each test).

Towns: 东镇 (P1, P2), 西乡 (M1), 北镇 (M2, and a closed boarding school).

| child | school | grade | parents away | guardian     | boarding | poor | status |
|-------|--------|-------|--------------|--------------|----------|------|--------|
| c1    | P1     | 3     | both         | grandparents | yes      | yes  | active |
| c2    | P1     | 5     | father       | mother       |          |      | active |
| c3    | P1     | 1     | both         | relatives    | yes      |      | active |
| c4    | P2     | 2     | both         | nobody       |          | yes  | active |
| c5    | P2     | 6     | mother       | father       |          | yes  | active |
| c6    | P2     | 4     | both         | grandparents |          |      | reunited 10 days ago |
| c7    | M1     | 8     | both         | grandparents | yes      |      | active |
| c8    | M1     | 9     | father       | mother       | yes      | yes  | active |
| c9    | M2     | 7     | both         | relatives    |          |      | active |

Every file was opened a year ago.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from registry.models import Child, StatusChange
from tests.factories import ChildFactory, CountyFactory, SchoolFactory, TownFactory

TODAY = timezone.localdate()
A_YEAR_AGO = timezone.now() - datetime.timedelta(days=365)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@dataclass
class County:
    towns: dict
    schools: dict
    children: dict


def build_county() -> County:
    county = CountyFactory()
    towns = {name: TownFactory(county=county, name=name) for name in ("东镇", "西乡", "北镇")}
    s = {
        "P1": SchoolFactory(town=towns["东镇"], code="P1", name="东镇小学", boarding=True,
                            bathroom=True, canteen=True),
        "P2": SchoolFactory(town=towns["东镇"], code="P2", name="东镇二小", canteen=False),
        "M1": SchoolFactory(town=towns["西乡"], code="M1", name="西乡中学", level="middle",
                            boarding=True, bathroom=False, canteen=True),
        "M2": SchoolFactory(town=towns["北镇"], code="M2", name="北镇中学", level="middle"),
        "X": SchoolFactory(town=towns["北镇"], code="X", name="已撤并小学", boarding=True,
                           active=False),
    }  # fmt: skip
    both = {"father_away": True, "mother_away": True}
    father = {"father_away": True, "mother_away": False, "guardian": "mother"}
    mother = {"father_away": False, "mother_away": True, "guardian": "father"}
    c = {
        "c1": ChildFactory(school=s["P1"], grade=3, **both, guardian="grandparents",
                           boarding=True, poor=True),
        "c2": ChildFactory(school=s["P1"], grade=5, **father),
        "c3": ChildFactory(school=s["P1"], grade=1, **both, guardian="relatives", boarding=True),
        "c4": ChildFactory(school=s["P2"], grade=2, **both, guardian="none", poor=True),
        "c5": ChildFactory(school=s["P2"], grade=6, **mother, poor=True),
        "c6": ChildFactory(school=s["P2"], grade=4, **both, guardian="grandparents",
                           status="reunited", status_changed_on=days_ago(10)),
        "c7": ChildFactory(school=s["M1"], grade=8, **both, guardian="grandparents",
                           boarding=True),
        "c8": ChildFactory(school=s["M1"], grade=9, **father, boarding=True, poor=True),
        "c9": ChildFactory(school=s["M2"], grade=7, **both, guardian="relatives"),
    }  # fmt: skip
    StatusChange.objects.create(
        child=c["c6"], from_status="active", to_status="reunited", date=days_ago(10),
        reason="父母返乡",
    )  # fmt: skip
    Child.objects.update(created_at=A_YEAR_AGO)
    return County(towns=towns, schools=s, children=c)
