"""Casework's reports (issue 14, item 8): concerns by kind, source and outcome."""

from __future__ import annotations

import datetime

from django.utils import timezone

from casework.models import Concern
from lbc_office import reports
from lbc_office.reports.base import Filters
from tests.factories import ChildFactory, SchoolFactory

NOW = timezone.now()


def _concern(child, by, kind, source, *, closed=None, outcome="", triaged=None, due_hours=48):
    return Concern.objects.create(
        county=child.county,
        child=child,
        kind=kind,
        source=source,
        description="…",
        raised_by=by,
        raised_at=NOW - datetime.timedelta(days=5),
        due_at=NOW - datetime.timedelta(days=5) + datetime.timedelta(hours=due_hours),
        triaged_at=triaged,
        triaged_by=by if triaged else None,
        closed_at=closed,
        closed_by=by if closed else None,
        outcome=outcome,
    )


def _rows(slug, **filters):
    return {r["label"]: r for r in reports.build(slug, Filters(**filters)).rows}


def test_concerns_by_kind_and_source_count_open_overdue_and_outcomes(personas):
    K, S, OUT = Concern.Kind, Concern.Source, Concern.Outcome
    a, b, by = personas.child_a, personas.child_b, personas.official
    on_time = NOW - datetime.timedelta(days=4)
    late = NOW - datetime.timedelta(days=1)
    _concern(a, by, K.NEGLECT, S.HOME_VISIT)  # open, never looked at, past due
    _concern(a, by, K.NEGLECT, S.CHECKIN, triaged=on_time)  # open, looked at in time
    _concern(b, by, K.NEGLECT, S.CHECKIN, triaged=late, closed=late, outcome=OUT.RESOLVED)
    _concern(b, by, K.DROPPING_OUT, S.SCHOOL, triaged=on_time, closed=late, outcome=OUT.REFERRED)
    _concern(b, by, K.ABUSE, S.SCHOOL, due_hours=24 * 30)  # open, deadline not yet come

    by_kind = _rows("concerns-by-kind")
    neglect = by_kind[str(K.NEGLECT.label)]
    assert (neglect["raised"], neglect["open"], neglect["overdue"], neglect["closed"]) == (
        3,
        2,
        2,
        1,
    )
    assert neglect["outcome_resolved"] == 1 and neglect["outcome_referred"] == 0
    total = by_kind["合计"] if "合计" in by_kind else by_kind["Total"]
    assert (total["raised"], total["open"], total["closed"], total["overdue"]) == (5, 3, 2, 2)
    assert str(K.INJURY.label) not in by_kind  # no row for a kind nobody raised

    by_source = _rows("concerns-by-source")
    assert by_source[str(S.CHECKIN.label)]["raised"] == 2
    assert by_source[str(S.SCHOOL.label)]["outcome_referred"] == 1


def test_concerns_report_follows_the_place_and_the_day(personas):
    other_school = SchoolFactory(code="Z009", name="丙小学")
    elsewhere = ChildFactory(school=other_school)
    _concern(elsewhere, personas.official, Concern.Kind.INJURY, Concern.Source.CHILD)
    _concern(personas.child_a, personas.official, Concern.Kind.INJURY, Concern.Source.CHILD)
    rows = _rows("concerns-by-kind", school=personas.school_a.code)
    assert rows[str(Concern.Kind.INJURY.label)]["raised"] == 1
    earlier = _rows("concerns-by-kind", as_of=(NOW - datetime.timedelta(days=10)).date())
    assert str(Concern.Kind.INJURY.label) not in earlier


def test_viewers_get_concern_counts_rounded(personas):
    for _ in range(3):
        _concern(personas.child_a, personas.official, Concern.Kind.NEGLECT, Concern.Source.SCHOOL)
    report = reports.build_for(personas.viewer, "concerns-by-kind")
    # 3 concerns of one kind are a small cell: no row for the kind, and the total shows "<5"
    labels = [r["label"] for r in report.rows]
    assert str(Concern.Kind.NEGLECT.label) not in labels
    assert report.rows[-1]["raised"] == reports.SMALL
