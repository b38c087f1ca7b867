"""The attacker's arithmetic against what a report viewer gets (issue 12, finding 2).

For EVERY table of ``reports.TABLES`` (a new table is covered without a new test), a viewer
fetches the JSON and the CSV of the whole county, of every town, of every school and of a past
day (and of every town on that day); an official's exact figures say what is true. The
attacker then writes down everything the published figures say (a number or "<5" is an
interval of exact counts; a row a viewer does not get is a place with 0–4 children) and every
identity the exact figures obey — a total row is the sum of its rows, a column the sum of
others in every row (children = with + without, due = done + missed + open, total = primary +
middle), the county the sum of its towns, a town the sum of its schools, a town's row the same
in the county's table and in the town's — and tightens every interval against every identity
until nothing moves (interval propagation: the tester's "total minus the other cells", "total
row minus visible rows", "town minus its schools", "sum over towns", all at once and chained).
No exact count of 1 to 4 may end up known. Percentages: shown only from published figures.
"""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lbc_office import reports
from lbc_office.reports import Filters, disclosure, figures
from lbc_office.reports.base import percent
from registry.models import School, Town
from tests.conftest import login
from tests.factories import UserFactory
from tests.lbc_office.report_city import build_city
from tests.lbc_office.report_county import days_ago

pytestmark = pytest.mark.django_db

BASE = disclosure.ROUNDING_BASE
SMALL = disclosure.SMALL
INF = 10**9


@pytest.fixture
def city(db):
    return build_city()


@pytest.fixture
def viewer(city):
    return login(Client(), UserFactory(username="viewer-d", role="viewer"))


# --- What the attacker reads ---------------------------------------------------------------------


def counts(table) -> list[str]:
    return [c.key for c in table.columns if c.children and not c.percent_of]


def identity(table, row) -> tuple:
    """What names a row: its text columns (a level, a town, a school, a month and organisation)."""
    return tuple(row.get(key) for key in NAMES[table.slug])


def _names(table) -> list[str]:
    """The keys of a table's text columns: those that hold text in its exact total or first row."""
    first = reports.build(table.slug).rows[-1]
    return [
        c.key
        for c in table.columns
        if not c.children and not c.percent_of and isinstance(first.get(c.key), str)
    ]


NAMES: dict[str, list[str]] = {}


def interval(shown) -> tuple[int, int]:
    """What a published count says about the exact one. A number that is not a multiple of the
    base is taken as exact (as it was before the rule)."""
    if shown == SMALL:
        return 0, disclosure.SMALL_CELL - 1
    assert isinstance(shown, int), shown
    if shown % BASE:
        return shown, shown
    return max(0, shown - BASE // 2), shown + BASE - BASE // 2 - 1


def views_of(table, city) -> dict[str, Filters]:
    """Every view the attacker fetches: the county, each town, each school, a past day."""
    past = days_ago(11)  # c6 (reunited ten days ago) still counts
    found = {"county": Filters()}
    if "town" in table.filters:
        for name in Town.objects.values_list("name", flat=True):
            found[f"town:{name}"] = Filters(town=name)
    if "school" in table.filters:
        for code in School.objects.values_list("code", flat=True):
            found[f"school:{code}"] = Filters(school=code)
    if "as_of" in table.filters:
        found["past"] = Filters(as_of=past)
        if "town" in table.filters:
            for name in Town.objects.values_list("name", flat=True):
                found[f"past-town:{name}"] = Filters(as_of=past, town=name)
    return found


def query(filters: Filters, fmt: str) -> str:
    params = {"format": fmt}
    if filters.as_of:
        params["as_of"] = filters.as_of.isoformat()
    if filters.town:
        params["town"] = filters.town
    if filters.school:
        params["school"] = filters.school
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def fetch(client, slug: str, filters: Filters, xlsx: bool = False) -> list[dict]:
    """The viewer's JSON of a view, checked against the CSV (and the XLSX) of the same view."""
    page = reverse(reports.url_name(slug))
    response = client.get(page + query(filters, "json"))
    assert response.status_code == 200
    rows = json.loads(response.content)
    as_text = [[same(v) for v in row.values()] for row in rows]
    got = list(csv.reader(io.StringIO(client.get(page + query(filters, "csv")).content.decode())))
    assert got[0][0].lstrip("\ufeff") == reports.TABLES[slug].keys[0]
    assert [[same(v) for v in r] for r in got[1:]] == as_text
    if xlsx:
        sheet = load_workbook(io.BytesIO(client.get(page + query(filters, "xlsx")).content)).active
        assert [[same(v) for v in r] for r in sheet.iter_rows(values_only=True)][1:] == as_text
    return rows


def same(value):
    """A cell as CSV, XLSX and JSON all give it: a number as a number, nothing as ""."""
    if value is None:
        return ""
    try:
        return float(value)
    except ValueError:
        return str(value)


def check_published(table, truth: dict, row: dict) -> None:
    """Every child count a multiple of the base or "<5", a function of its own exact value only;
    every percentage made from the published counts (its base times it gives back the published
    count, nothing finer), and never over a small part."""
    for key in counts(table):
        assert row[key] == SMALL or (row[key] > 0 and row[key] % BASE == 0), (key, row)
        assert row[key] == disclosure.publish_count(truth[key])
    for column in (c for c in table.columns if c.percent_of):
        part, whole = column.percent_of
        shown = row[column.key]
        if shown is not None:
            assert isinstance(row[whole], int) and row[whole] >= disclosure.PERCENT_MIN_BASE
            assert shown == percent(row[part], row[whole])
            assert not 0 < truth[part] < disclosure.SMALL_CELL


# --- The attack ----------------------------------------------------------------------------------


class Attack:
    """Intervals of exact counts and the identities between them, tightened to a fixed point."""

    def __init__(self):
        self.bounds: dict[tuple, list[int]] = {}
        self.truth: dict[tuple, int] = {}
        self.relations: list[list[tuple[int, tuple]]] = []

    def know(self, var, truth: int, low: int, high: int):
        self.truth[var] = truth
        self.bounds[var] = [low, high]

    def relate(self, terms: list[tuple[int, tuple]]):
        """Σ coefficient × variable = 0, kept only when the exact figures obey it."""
        known = all(var in self.truth for _c, var in terms)
        if known and sum(c * self.truth[var] for c, var in terms) == 0:
            self.relations.append(terms)

    def run(self):
        for _round in range(500):
            moved = False
            for terms in self.relations:
                for j, (cj, vj) in enumerate(terms):
                    low = high = 0  # bounds of -Σ_{i≠j} c_i x_i
                    for i, (ci, vi) in enumerate(terms):
                        if i != j:
                            lo, hi = self.bounds[vi]
                            low -= ci * (hi if ci > 0 else lo)
                            high -= ci * (lo if ci > 0 else hi)
                    if cj < 0:
                        low, high = -high, -low
                    bound = self.bounds[vj]
                    new = [max(bound[0], low), min(bound[1], high)]
                    if new != bound:
                        bound[:] = new
                        moved = True
            if not moved:
                return
        raise AssertionError("the attack did not settle")

    def recovered(self) -> list:
        """Exact counts of 1–4 the published figures pin down (and a sanity check of the attack:
        the truth always lies within what the attacker worked out)."""
        for var, truth in self.truth.items():
            low, high = self.bounds[var]
            assert low <= truth <= high, (var, truth, low, high)
        return [
            (var, truth)
            for var, truth in self.truth.items()
            if 0 < truth < disclosure.SMALL_CELL and self.bounds[var][0] == self.bounds[var][1]
        ]


def attack_table(client, slug: str, city) -> Attack:
    table = reports.TABLES[slug]
    NAMES[slug] = _names(table)
    keys = counts(table)
    attack = Attack()
    exact_rows, views = {}, views_of(table, city)
    for name, filters in views.items():
        exact = reports.build(slug, filters).rows
        shown = {identity(table, r): r for r in fetch(client, slug, filters, name == "county")}
        exact_rows[name] = {identity(table, r): r for r in exact}
        for row_id, row in shown.items():
            check_published(table, exact_rows[name][row_id], row)
        for row_id, row in exact_rows[name].items():
            published = shown.get(row_id)
            if published is None:  # a row the viewer does not get: 0–4 children, or none
                assert table.row_count, (slug, name, row_id)
                assert disclosure.publish_count(row[table.row_count]) == SMALL
            for key in keys:
                var = (name, row_id, key)
                if published is not None:
                    attack.know(var, row[key], *interval(published[key]))
                elif key == table.row_count:
                    attack.know(var, row[key], 0, disclosure.SMALL_CELL - 1)
                else:
                    attack.know(var, row[key], 0, INF)
        assert set(shown) <= set(exact_rows[name])

    zero = ("zero",)
    attack.know(zero, 0, 0, 0)
    for name, rows in exact_rows.items():
        ids = list(rows)
        body = [i for i in ids if i[0] != "total"]
        total = [i for i in ids if i[0] == "total"]
        for key in keys:
            # The total row is the sum of the rows.
            for t in total:
                attack.relate([(1, (name, t, key)), *((-1, (name, b, key)) for b in body)])
        # One column the sum of two or three others, in every row.
        for target in keys:
            others = [k for k in keys if k != target]
            for size in (2, 3):
                for parts in itertools.combinations(others, size):
                    holds = all(
                        r[target] == sum(r[p] for p in parts)
                        for rows_ in exact_rows.values()
                        for r in rows_.values()
                    )
                    if holds:
                        for row_id in ids:
                            attack.relate(
                                [(1, (name, row_id, target)),
                                 *((-1, (name, row_id, p)) for p in parts)]
                            )  # fmt: skip

    # Across filters: the county is the sum of its towns, a town the sum of its schools, on
    # the day and on the past day.
    def partition(parent: str, children: list[str]):
        for row_id in exact_rows[parent]:
            for key in keys:
                parts = [(-1, (c, row_id, key)) for c in children if row_id in exact_rows[c]]
                attack.relate([(1, (parent, row_id, key)), *(parts or [(1, zero)])])

    towns = {name: [] for name in Town.objects.values_list("name", flat=True)}
    for code, town in School.objects.values_list("code", "town__name"):
        towns[town].append(code)
    for prefix, parent in [("town:", "county"), ("past-town:", "past")]:
        if f"{prefix}{next(iter(towns))}" in exact_rows:
            partition(parent, [f"{prefix}{t}" for t in towns])
    for town, codes in towns.items():
        if f"town:{town}" in exact_rows and f"school:{codes[0]}" in exact_rows:
            partition(f"town:{town}", [f"school:{c}" for c in codes])
    attack.run()
    return attack


@pytest.mark.parametrize("slug", list(reports.TABLES))
def test_no_small_count_can_be_worked_out_from_a_viewers_figures(city, viewer, slug):
    """Also: every figure is rounded, every percentage made from rounded figures (above)."""
    attack = attack_table(viewer, slug, city)
    if len(counts(reports.TABLES[slug])) > 1:  # (donations: one count, its total not a sum)
        assert attack.relations, "the attacker found no identity to use: the test proves nothing"
    assert attack.recovered() == []


@pytest.mark.parametrize("slug", [t.slug for t in reports.TABLES.values() if t.from_figures])
def test_stored_figures_give_viewers_the_same_protected_figures(city, viewer, settings, slug):
    settings.REPORT_FIGURES_MINUTES = 10
    figures.count_day()
    figures.count_day(days_ago(11))
    assert reports.build(slug).counted_at is not None
    assert attack_table(viewer, slug, city).recovered() == []


# --- The rule itself -----------------------------------------------------------------------------


def pinned(publish, parts: int, top: int) -> list[tuple]:
    """Every way ``parts`` counts under ``top`` and their total can be published by ``publish``,
    and the exact counts of 1–4 that what is published pins down (a perfect attacker on one
    additive relation: a total and its parts, a town and its schools, the county and its towns)."""
    seen: dict[tuple, list[tuple]] = {}
    for cells in itertools.product(range(top), repeat=parts):
        shown = tuple(publish(x) for x in (*cells, sum(cells)))
        seen.setdefault(shown, []).append(cells)
    found = []
    for shown, tables in seen.items():
        if any(max(cells) >= top - BASE for cells in tables):
            continue  # near the end of the enumeration, which the attacker does not know
        for i in range(parts):
            values = {cells[i] for cells in tables}
            if len(values) == 1 and 0 < next(iter(values)) < disclosure.SMALL_CELL:
                found.append((shown, i, values))
    return found


@pytest.mark.parametrize("parts", [1, 2, 3, 4])
def test_one_total_and_its_parts_never_pin_a_small_count(parts):
    top = {1: 60, 2: 60, 3: 32, 4: 24}[parts]
    assert pinned(disclosure.publish_count, parts, top) == []


def test_rounding_to_five_would_not_do():
    """Why the base is 10: four schools of 2 pupils (each 0–2 when shown as 0) under a town of
    8 (8–12 when shown as 10) can only be 2, 2, 2, 2."""

    def to_five(x):
        return 5 * ((x + 2) // 5)

    assert ((0, 0, 0, 0, 10), 0, {2}) in pinned(to_five, 4, 24)


def test_a_count_is_refused_unless_it_is_a_count():
    assert [disclosure.publish_count(n) for n in (0, 4, 5, 14, 15, 46)] == [
        SMALL, SMALL, 10, 10, 20, 50,
    ]  # fmt: skip
    for wrong in (-1, 2.5, True, "3"):
        with pytest.raises(TypeError):
            disclosure.publish_count(wrong)
    assert disclosure.publish_percent(20, 40) is None  # a whole under PERCENT_MIN_BASE
    assert disclosure.publish_percent(SMALL, 60) is None
    assert disclosure.publish_percent(20, 60) == 33.3


# --- Every way a viewer sees a figure ------------------------------------------------------------


def page_values(line) -> list:
    return [cell["value"] for cell in line["cells"]]


def test_the_pages_the_index_and_the_long_tables_pages_show_the_protected_figures(
    city, viewer, monkeypatch
):
    json_rows = fetch(viewer, "status", Filters())
    expected = [[row[k] for k in reports.TABLES["status"].keys[1:]] for row in json_rows]
    index = viewer.get(reverse("reports")).context["status_table"]
    assert [page_values(line) for line in index] == expected
    page = viewer.get(reverse(reports.url_name("status"))).context["lines"]
    assert [page_values(line) for line in page] == expected

    # A long table, a page at a time: the rows of all its pages are the download's rows, and
    # each page ends with the same (rounded) total.
    monkeypatch.setattr("lbc_office.reports.views.ROWS_PER_PAGE", 1)
    table = reports.TABLES["home-visits"]
    rows = [[row[k] for k in table.keys[1:]] for row in fetch(viewer, "home-visits", Filters())]
    shown, number = [], 1
    while True:
        response = viewer.get(reverse(reports.url_name("home-visits")) + f"?page={number}")
        lines = response.context["lines"]
        assert lines[-1]["total"] and page_values(lines[-1]) == rows[-1]
        assert all(cell["url"] is None for line in lines for cell in line["cells"])
        shown += [page_values(line) for line in lines[:-1]]
        if not response.context["page"].has_next():
            break
        number += 1
    assert shown == rows[:-1]
    # The schools of 南乡 (two pupils each) are not among them; their town's total is.
    assert len(shown) == 2  # P1 and M1: every other school has fewer than 5 pupils


def test_a_viewer_lands_on_the_reports_not_on_the_officials_dashboard(viewer):
    response = viewer.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("reports")
