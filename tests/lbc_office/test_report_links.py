"""Each report table declares its own drill-down links (``Table.links``): the report page asks
the table, never picks by slug. These are the links the page gave before issue 17, table by
table, on a town's row and on the total row, with and without a place in the filters."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from lbc_office import reports

PLACE = {"school_town": "城关镇", "school_code": "S01"}


def _children(**params) -> str:
    return reverse("registry:child_list") + ("?" + urlencode(params) if params else "")


def test_every_table_answers_for_its_links():
    """A table without links gives none (the county's tables 2 and 4 count schools and
    enrolments, which no list of children shows; casework's count concerns and referrals)."""
    without = {slug for slug, t in reports.TABLES.items() if t.links is None}
    assert without == {
        "family-connection", "programmes", "concerns-by-kind", "concerns-by-source", "referrals"
    }  # fmt: skip
    assert reports.TABLES["programmes"].drill_down({"programme": "x"}, PLACE) == {}


@pytest.mark.parametrize("slug", ["status", "boarding"])
def test_tables_by_level_link_each_measure_at_the_level_within_the_place(slug):
    table = reports.TABLES[slug]
    links = table.drill_down({"level": "primary"}, PLACE)
    assert links["children"] == _children(**PLACE, level="primary")
    total = table.drill_down({"level": "total"}, {})
    assert total["children"] == _children()
    if slug == "status":
        assert set(links) == {
            "children", "both_parents_away", "grandparents", "relatives", "boarding", "poor"
        }  # fmt: skip
        assert total["both_parents_away"] == _children(both_parents_away="yes")
        assert total["grandparents"] == _children(guardian="grandparents")
        assert links["poor"].endswith("level=primary&poor=yes")
    else:
        assert set(links) == {"children"}


def test_coverage_links_the_towns_children_and_the_lists_without_a_carer():
    table = reports.TABLES["volunteer-coverage"]
    town = table.drill_down({"town": "河口乡"}, {"school_code": "S01"})
    assert town["children"] == _children(school_code="S01", school_town="河口乡")
    assert town["without_any_carer"].endswith("&attention=no_carer")
    for role in ("foster_mother", "foster_sibling", "surrogate_parent"):
        assert town[f"without_{role}"] == reverse("volunteers:without_carer") + f"?role={role}"
    total = table.drill_down({"town": "total"}, {})
    assert total["children"] == _children()
    assert total["without_any_carer"] == _children(attention="no_carer")


def test_contact_gaps_link_each_gap_to_its_list():
    links = reports.TABLES["contact-gaps"].drill_down({"town": "total"}, PLACE)
    url = reverse("programmes:contact_gaps")
    assert links == {f"no_contact_{d}": f"{url}?days={d}" for d in (30, 90, 365)}


def test_checkins_link_each_status_of_the_month_but_not_the_total():
    table = reports.TABLES["checkins"]
    links = table.drill_down({"month": "2026-03"}, PLACE)
    url = reverse("volunteers:checkins")
    assert links == {s: f"{url}?month=2026-03&status={s}" for s in ("done", "missed", "open")}
    assert table.drill_down({"month": "total"}, PLACE) == {}


def test_home_visits_link_the_schools_children_but_not_the_total():
    table = reports.TABLES["home-visits"]
    assert table.drill_down({"town": "城关镇", "school_code": "S07"}, PLACE) == {
        "children": _children(school_code="S07")
    }
    assert table.drill_down({"town": "total", "school_code": ""}, PLACE) == {}


def test_donations_link_the_open_donations():
    links = reports.TABLES["donations"].drill_down({"kind": "money"}, PLACE)
    assert links == {"open_donations": reverse("programmes:donation_list") + "?open=1"}
