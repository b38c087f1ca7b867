"""Casework's reports (issue 14, item 8): referrals by organisation and status, risk levels by
town and school."""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.models import Referral, ReferralUpdate
from lbc_office import reports
from lbc_office.reports.base import Filters
from tests.conftest import login
from tests.factories import AgencyFactory, ChildFactory, SchoolFactory, UserFactory

NOW = timezone.now()
TODAY = timezone.localdate()


def _days(n):
    return NOW - datetime.timedelta(days=n)


def _referral(child, agency, status, *, sent=10, answered=None, changed=None, due_in=5):
    """A referral sent ``sent`` days ago, answered ``answered`` days after it was sent."""
    sender = UserFactory(role="official")
    sent_at = _days(sent)
    referral = Referral.objects.create(
        county=child.county, child=child, agency=agency, asked="请家访", sent_by=sender,
        sent_at=sent_at, due_on=TODAY + datetime.timedelta(days=due_in), status=status,
        status_changed_at=_days(changed) if changed is not None else sent_at,
        answered_at=sent_at + datetime.timedelta(days=answered) if answered is not None else None,
    )  # fmt: skip
    ReferralUpdate.objects.create(referral=referral, status="sent", by=sender, at=sent_at)
    return referral


def _rows(slug, **filters):
    return {str(r["label"]): r for r in reports.build(slug, Filters(**filters)).rows}


def _total(rows):
    return rows.get("合计") or rows["Total"]


def test_referrals_by_organisation_count_statuses_overdue_and_days_to_answer(personas):
    a, b = personas.child_a, personas.child_b
    federation = personas.agency
    police = AgencyFactory(county=a.county, name="派出所", kind="public_security")
    _referral(a, federation, "sent", due_in=-1)  # open, overdue
    _referral(a, federation, "accepted", answered=2)  # open
    _referral(b, federation, "done", answered=4)
    _referral(b, federation, "cancelled", due_in=-3)  # withdrawn: not overdue
    _referral(b, police, "declined", answered=1, due_in=-2)  # declined: not overdue
    _referral(b, police, "in_progress", answered=3, due_in=-1)  # open, overdue

    rows = _rows("referrals")
    fed = rows["县妇联"]
    assert (fed["sent"], fed["open"], fed["accepted"], fed["done"], fed["withdrawn"]) == (
        4, 2, 1, 1, 1,
    )  # fmt: skip
    assert (fed["declined"], fed["in_progress"], fed["overdue"], fed["answered"]) == (0, 0, 1, 2)
    assert fed["days_to_answer"] == 3.0
    assert str(fed["kind"]) == str(federation.get_kind_display())
    pol = rows["派出所"]
    assert (pol["sent"], pol["open"], pol["declined"], pol["in_progress"], pol["overdue"]) == (
        2, 1, 1, 1, 1,
    )  # fmt: skip
    assert pol["days_to_answer"] == 2.0
    total = _total(rows)
    assert (total["sent"], total["open"], total["overdue"], total["answered"]) == (6, 3, 2, 4)
    assert total["days_to_answer"] == 2.5  # (2 + 4 + 1 + 3) / 4, not the mean of the means


def test_referrals_report_follows_the_day_and_the_place(personas):
    a, b = personas.child_a, personas.child_b
    # sent 10 days ago, accepted 8 days ago, done 2 days ago
    done = _referral(a, personas.agency, "done", answered=2, changed=2)
    ReferralUpdate.objects.create(referral=done, status="accepted", by=done.sent_by, at=_days(8))
    ReferralUpdate.objects.create(referral=done, status="done", by=done.sent_by, at=_days(2))
    _referral(b, personas.agency, "sent", sent=1)

    past = _rows("referrals", as_of=(NOW - datetime.timedelta(days=5)).date())
    fed = past["县妇联"]
    assert (fed["sent"], fed["accepted"], fed["done"], fed["open"]) == (1, 1, 0, 1)
    before_answer = _rows("referrals", as_of=(NOW - datetime.timedelta(days=9)).date())
    assert before_answer["县妇联"]["answered"] == 0
    assert before_answer["县妇联"]["days_to_answer"] is None
    here = _rows("referrals", school=personas.school_b.code)
    assert (here["县妇联"]["sent"], here["县妇联"]["done"]) == (1, 0)


def test_viewers_get_no_small_referral_row_and_no_days_over_few_answers(personas):
    for _ in range(3):
        _referral(personas.child_a, personas.agency, "done", answered=2)
    exact = reports.build("referrals").rows
    assert exact[-1]["days_to_answer"] == 2.0
    report = reports.build_for(personas.viewer, "referrals")
    assert [r["label"] for r in report.rows] == [exact[-1]["label"]]  # the total only
    assert report.rows[-1]["sent"] == reports.SMALL
    assert report.rows[-1]["days_to_answer"] is None  # an average of 3 answers says too much


def test_viewers_get_the_days_to_answer_over_enough_answers(personas):
    for days in (1, 2, 3, 4, 5, 6):
        _referral(personas.child_a, personas.agency, "done", answered=days)
    report = reports.build_for(personas.viewer, "referrals")
    fed = {str(r["label"]): r for r in report.rows}["县妇联"]
    assert (fed["sent"], fed["answered"], fed["days_to_answer"]) == (10, 10, 3.5)


def _risk_children(personas):
    """Town A (schools A and B): one child at each level in school A plus two urgent in B;
    another town: two high."""
    for level in ("none", "low", "medium", "high", "urgent"):
        ChildFactory(school=personas.school_a, risk_level=level)
    for _ in range(2):
        ChildFactory(school=personas.school_b, risk_level="urgent")
    elsewhere = SchoolFactory(code="Z009", name="丙小学")
    for _ in range(2):
        ChildFactory(school=elsewhere, risk_level="high")
    return elsewhere


def test_risk_levels_by_town_and_by_school(personas):
    elsewhere = _risk_children(personas)
    town_a = personas.school_a.town.name
    rows = _rows("risk-levels")
    # personas' own children A and B are at no known risk
    here = rows[town_a]
    levels = ("none", "low", "medium", "high", "urgent", "children")
    assert tuple(here[k] for k in levels) == (3, 1, 1, 1, 3, 9)
    there = rows[elsewhere.town.name]
    assert tuple(there[k] for k in levels) == (0, 0, 0, 2, 0, 2)
    assert tuple(_total(rows)[k] for k in levels) == (3, 1, 1, 3, 3, 11)

    by_school = _rows("risk-levels-by-school", town=town_a)
    assert set(by_school) - {"合计", "Total"} == {"甲小学", "乙小学"}
    assert (by_school["乙小学"]["urgent"], by_school["乙小学"]["children"]) == (2, 3)
    assert by_school["甲小学"]["school_code"] == "A001"


def test_risk_levels_drill_down_to_the_children_at_that_level(personas):
    _risk_children(personas)
    town_a = personas.school_a.town.name
    town_row = _rows("risk-levels")[town_a]
    links = reports.TABLES["risk-levels"].drill_down(town_row, {})
    assert "school_town=" in links["urgent"] and "risk=urgent" in links["urgent"]
    school_row = _rows("risk-levels-by-school")["乙小学"]
    links = reports.TABLES["risk-levels-by-school"].drill_down(school_row, {})
    assert links["high"].endswith("school_code=B001&risk=high")
    assert "risk=" not in links["children"]


def test_viewers_get_risk_levels_rounded_without_small_rows(personas):
    _risk_children(personas)
    report = reports.build_for(personas.viewer, "risk-levels")
    labels = [str(r["label"]) for r in report.rows]
    # town A has 9 children (shown 10), the other town 2: no row for it
    assert personas.school_a.town.name in labels and len(labels) == 2
    here = report.rows[0]
    assert (here["children"], here["urgent"], here["low"]) == (10, reports.SMALL, reports.SMALL)


def test_the_command_and_the_index_give_the_new_tables(personas, client):
    for days in (1, 2):
        _referral(personas.child_a, personas.agency, "done", answered=days)
    out = io.StringIO()
    call_command("lbc_report", "referrals", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data[-1]["organisation"] == "total" and data[-1]["days_to_answer"] == 1.5
    out = io.StringIO()
    call_command("lbc_report", "risk-levels-by-school", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "town,school_code,school,none,low,medium,high,urgent,children"
    )
    out = io.StringIO()
    call_command("lbc_report", "referrals", "--format", "json", "--suppress-small", stdout=out)
    assert json.loads(out.getvalue())[-1]["days_to_answer"] is None
    login(client, personas.official)
    index = client.get(reverse("reports")).content.decode()
    for slug in ("referrals", "risk-levels", "risk-levels-by-school"):
        assert reverse(reports.url_name(slug)) in index
