"""/reports/ and /reports/<table>/: who may see them, what viewers see, the downloads, the
command, and a fixed number of queries whatever the size of the register."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lbc_office import reports
from lbc_office.reports.export import neutralise
from tests.conftest import login
from tests.factories import ChildFactory, SchoolFactory, UserFactory
from tests.lbc_office.report_county import build_county, days_ago
from tests.programmes.factories import HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
SLUGS = list(reports.TABLES)


def url(slug, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(reports.url_name(slug)) + (f"?{query}" if query else "")


@pytest.fixture
def county(db):
    return build_county()


@pytest.fixture
def official(county):
    return login(Client(), UserFactory(username="official-r", role="official"))


@pytest.fixture
def viewer(county):
    return login(Client(), UserFactory(username="viewer-r", role="viewer"))


# --- Who may see --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [None, *SLUGS])
def test_teachers_volunteers_and_strangers_are_refused(personas, slug):
    target = reverse("reports") if slug is None else url(slug)
    for role in ("teacher_a", "volunteer"):
        assert personas.client_for(role).get(target).status_code == 403
        assert personas.client_for(role).get(target + "?format=csv").status_code == 403
    response = personas.client_for("anonymous").get(target)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("slug", SLUGS)
def test_officials_and_viewers_see_every_table(official, viewer, slug):
    for client in (official, viewer):
        response = client.get(url(slug))
        assert response.status_code == 200
        assert 'id="report-table"' in response.content.decode()


def test_an_unknown_table_or_format_is_not_found(official):
    assert official.get("/reports/nothing/").status_code == 404
    assert official.get(url("status", format="pdf")).status_code == 404


# --- What viewers see ---------------------------------------------------------------------------


def test_viewers_see_child_counts_rounded_to_ten_and_under_five_as_under_five(viewer):
    rows = {
        line["row"]["level"]: line["cells"] for line in viewer.get(url("status")).context["lines"]
    }
    # children, both away, grandparents, relatives, boarding, poor (officials: 8, 5, 2, 2, 4, 4)
    assert [c["value"] for c in rows["total"]] == [10, 10, "<5", "<5", "<5", "<5"]
    assert [c["value"] for c in rows["middle"]] == ["<5"] * 6
    assert all(c["url"] is None for cells in rows.values() for c in cells)


def test_viewers_see_school_facilities_but_no_small_child_count(viewer):
    lines = viewer.get(url("family-connection")).context["lines"]
    first = [c["value"] for c in lines[0]["cells"]]
    # schools, pupils with both parents away, … : schools and rooms are not children
    assert first == [4, 10, 0, 0, 0, 0]  # 5 pupils: rounded to 10
    lines = viewer.get(url("family-connection", town="东镇")).context["lines"]
    assert [c["value"] for c in lines[0]["cells"]][:2] == [2, "<5"]


def test_viewers_never_receive_a_name_or_a_number(county, viewer):
    HomeVisitFactory(child=county.children["c1"])
    AssignmentFactory(child=county.children["c1"], volunteer=VolunteerFactory(name="志愿者甲"))
    pages = [reverse("reports"), *[url(s) for s in SLUGS]]
    pages += [url(s, format=f) for s in SLUGS for f in ("csv", "json")]
    for page in pages:
        body = viewer.get(page).content.decode("utf-8-sig")
        for child in county.children.values():
            assert child.name not in body, page
            assert child.id_number[-6:] not in body, page
        assert "志愿者甲" not in body
        assert "/children/" not in body, page  # no drill-down link


def test_viewer_downloads_are_suppressed_too(viewer):
    rows = list(
        csv.reader(io.StringIO(viewer.get(url("status", format="csv")).content.decode("utf-8-sig")))
    )
    assert rows[3] == ["total", "10", "10", "<5", "<5", "<5", "<5"]


# --- Officials drill down ----------------------------------------------------------------------


def test_officials_drill_down_from_a_count_to_the_children_behind_it(county, official):
    lines = official.get(url("status", town="东镇")).context["lines"]
    poor = lines[0]["cells"][5]  # primary, poor
    assert poor["value"] == 3
    response = official.get(poor["url"])
    names = {child.name for child in response.context["page"]}
    c = county.children
    assert names == {c["c1"].name, c["c4"].name, c["c5"].name}


def test_a_past_day_has_no_drill_down(official):
    lines = official.get(url("status", as_of=days_ago(3).isoformat())).context["lines"]
    assert all(cell["url"] is None for line in lines for cell in line["cells"])


def test_a_long_table_is_shown_a_page_at_a_time_with_its_total(county, official, monkeypatch):
    monkeypatch.setattr("lbc_office.reports.views.ROWS_PER_PAGE", 2)
    everything = reports.build("home-visits").rows
    schools = [row["school_code"] for row in everything if row["town"] != "total"]
    assert len(schools) == 4  # the county's schools with pupils: two pages of two
    shown = []
    for number in (1, 2):
        response = official.get(url("home-visits", page=number))
        lines = response.context["lines"]
        assert lines[-1]["total"] and lines[-1]["cells"][2]["value"] == everything[-1]["children"]
        shown += [line["row"]["school_code"] for line in lines[:-1]]
        assert response.context["page"].paginator.num_pages == 2
        assert "page=" not in response.context["query"]
    assert shown == schools
    assert len(_csv(official, "home-visits")) == 1 + len(schools) + 1  # header, schools, total


def test_a_future_day_is_refused(official):
    response = official.get(url("status", as_of="2999-01-01"))
    assert response.status_code == 200 and response.context["form"].errors
    assert official.get(url("status", as_of="2999-01-01", format="csv")).status_code == 404


# --- Downloads ---------------------------------------------------------------------------------


def _csv(client, slug):
    response = client.get(url(slug, format="csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(client, slug):
    response = client.get(url(slug, format="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _json(client, slug):
    return json.loads(client.get(url(slug, format="json")).content)


def _text(value) -> str:
    return "" if value is None else str(value)


def _same(rows):
    """Numbers compared as numbers (a spreadsheet keeps 0.0 as 0)."""

    def norm(v):
        try:
            return float(v)
        except ValueError:
            return v

    return [[norm(v) for v in row] for row in rows]


@pytest.mark.parametrize("slug", SLUGS)
def test_csv_json_and_xlsx_agree(county, official, slug):
    HomeVisitFactory(child=county.children["c1"])
    table = reports.TABLES[slug]
    rows = _csv(official, slug)
    assert rows[0] == table.keys
    assert _same(_xlsx(official, slug)) == _same(rows)
    as_json = _json(official, slug)
    assert [[_text(obj[k]) for k in table.keys] for obj in as_json] == rows[1:]
    # and the command prints the same
    out = io.StringIO()
    call_command("lbc_report", slug, stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == rows


def test_text_a_spreadsheet_would_run_is_neutralised(db, official):
    ChildFactory(school=SchoolFactory(code="=1+1", name='=HYPERLINK("http://x")'))
    rows = [row for row in _csv(official, "home-visits") if row[1].endswith("=1+1")]
    assert rows[0][1:3] == ["'=1+1", '\'=HYPERLINK("http://x")']
    sheet = [row for row in _xlsx(official, "home-visits") if row[1].endswith("=1+1")]
    assert sheet[0][1:3] == rows[0][1:3]
    for value in ("=x", "+x", "-x", "@x", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise("0-50") == "0-50" and neutralise(-3) == -3


# --- The command -------------------------------------------------------------------------------


def test_command_prints_csv_and_json(county):
    out = io.StringIO()
    call_command("lbc_report", "status", stdout=out)
    assert out.getvalue().splitlines() == [
        "level,children,both_parents_away,grandparents,relatives,boarding,poor",
        "primary,5,3,1,1,2,3",
        "middle,3,2,1,1,2,1",
        "total,8,5,2,2,4,4",
    ]
    out = io.StringIO()
    call_command("lbc_report", "status", "--format", "json", "--town", "东镇", stdout=out)
    data = json.loads(out.getvalue())
    assert [d["level"] for d in data] == ["primary", "middle", "total"]
    assert data[2] == {"level": "total", "children": 5, "both_parents_away": 3,
                       "grandparents": 1, "relatives": 1, "boarding": 2, "poor": 3}  # fmt: skip


def test_command_filters_and_as_of(county):
    def total(*args):
        out = io.StringIO()
        call_command("lbc_report", "status", *args, stdout=out)
        return out.getvalue().splitlines()[-1]

    assert total("--school", "P2") == "total,2,1,0,0,0,2"
    assert total("--as-of", days_ago(11).isoformat()) == "total,9,6,3,2,4,4"  # c6 still there
    assert total("--as-of", days_ago(11).isoformat(), "--suppress-small") == (
        "total,10,10,<5,<5,<5,<5"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["status", "--as-of", "2026-13-01"], "YYYY-MM-DD"),
        (["status", "--as-of", "2999-01-01"], "future"),
        (["donations", "--town", "东镇"], "--town"),
        (["contact-gaps", "--as-of", "2020-01-01"], "--as-of"),
    ],
)
def test_command_refuses_what_it_cannot_count(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("lbc_report", *args, stdout=io.StringIO())


# --- Queries -----------------------------------------------------------------------------------


def _grow(county, n):
    school = county.schools["P1"]
    volunteer = VolunteerFactory(capacity=1000)
    for i in range(n):
        child = ChildFactory(school=school, grade=1 + i % 6)
        AssignmentFactory(child=child, volunteer=volunteer)
        HomeVisitFactory(child=child)


# user, second-factor device, the town choices, the report's transaction (a savepoint
# in a test, its work_mem, the release), the table's own queries (the session comes from the
# cache and is saved at most once a minute: not by these requests)
REPORT_TRANSACTION = 3 if connection.vendor == "postgresql" else 2
TABLE_QUERIES = {
    "status": 1,
    "family-connection": 1,
    "boarding": 3,
    "programmes": 1,
    "volunteer-coverage": 4,
    "checkins": 1,
    "home-visits": 3,
    "contact-gaps": 2,
    "donations": 3,
    "concerns-by-kind": 1,
    "concerns-by-source": 1,
    "referrals": 1,
    "risk-levels": 1,
    "risk-levels-by-school": 1,
}


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("n", [1, 12])
def test_a_tables_queries_do_not_grow_with_the_register(
    county, official, django_assert_num_queries, slug, n
):
    _grow(county, n)
    # Table 1's page also counts it by place, in its transaction (the drill-down, issue 15)
    by_place = 1 if slug == "status" else 0
    with django_assert_num_queries(2 + 1 + REPORT_TRANSACTION + TABLE_QUERIES[slug] + by_place):
        assert official.get(url(slug)).status_code == 200
    with django_assert_num_queries(2 + 1 + REPORT_TRANSACTION + TABLE_QUERIES[slug]):
        assert official.get(url(slug, format="xlsx")).status_code == 200
