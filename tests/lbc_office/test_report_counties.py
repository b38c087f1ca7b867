"""Counties as tenants in the reports, the downloads, the command, the API and the dashboard
(issue 15): a county's user (official or report viewer) counts their county only, and asking for
another county is out of scope (404); a city user (a municipal official, a city's report viewer)
counts the whole city, the sum of its counties, and drills down city → county → town → school.

Two counties (report_counties.py): 巫溪县, the small-cells city of report_city.py, and 城口县,
whose towns and a school have the same names. Every table of 巫溪县 is counted before 城口县
exists: the county's figures must not move when another county's records arrive.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.renderers import JSONRenderer

from lbc_office import reports
from lbc_office.home import dashboard
from lbc_office.reports import export, figures
from lbc_office.reports.base import Filters, Report
from registry.models import Child
from tests.api.conftest import api_client
from tests.conftest import login
from tests.factories import ChildFactory, CountyFactory, SchoolFactory, TownFactory, UserFactory
from tests.lbc_office.report_city import build_city
from tests.lbc_office.report_counties import CHENGKOU, WUXI, build_second_county
from tests.lbc_office.report_county import TODAY
from tests.lbc_office.test_report_pages import SLUGS, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    """Both counties; ``before``: each table of 巫溪县 alone, counted before 城口县 existed."""
    build_city()
    before = {slug: reports.build(slug).rows for slug in SLUGS}
    build_second_county()
    return before


def _user(username, role, county):
    return UserFactory(username=username, role=role, county_code=county)


def _client(username, role, county):
    return login(Client(), _user(username, role, county))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _exact(slug, county):
    return reports.build(slug, Filters(county=county))


# --- A county counts only itself -----------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_a_countys_tables_do_not_move_when_another_countys_records_arrive(city, slug):
    assert _exact(slug, WUXI).rows == city[slug]
    # and 城口县's records are counted somewhere: in its own county's table
    assert _exact(slug, CHENGKOU).rows != _exact(slug, WUXI).rows


@pytest.mark.parametrize("slug", SLUGS)
def test_a_county_official_and_a_county_viewer_see_their_county_only(city, slug):
    official = _client("wx-official", "official", WUXI)
    page = official.get(url(slug))
    assert page.status_code == 200
    assert page.context["report"].filters.county == WUXI
    assert (
        page.context["report"].records()
        == Report(table=reports.TABLES[slug], filters=Filters(), rows=city[slug]).records()
    )
    # the download is the same table, and says its county in its name
    download = official.get(url(slug, format="csv"))
    assert f"-{WUXI}-" in download["Content-Disposition"]
    assert download.content.decode("utf-8-sig") == export.to_csv(_exact(slug, WUXI))

    viewer = _client("ck-viewer", "viewer", CHENGKOU)
    published = reports.for_viewer(_exact(slug, CHENGKOU))
    assert viewer.get(url(slug)).context["report"].records() == published.records()
    for fmt, parse in [("csv", _csv), ("json", lambda r: json.loads(r.content))]:
        got = viewer.get(url(slug, format=fmt))
        want = export.to_csv(published) if fmt == "csv" else export.to_json(published)
        expected = _csv_text(want) if fmt == "csv" else json.loads(want)
        assert parse(got) == expected, fmt
    # naming their own county changes nothing
    again = viewer.get(url(slug, county=CHENGKOU)).context["report"]
    assert again.records() == published.records()


def _csv_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("slug", SLUGS)
def test_another_county_is_out_of_scope_for_a_countys_user(city, slug):
    for client, other in [
        (_client("wx-official", "official", WUXI), CHENGKOU),
        (_client("ck-viewer", "viewer", CHENGKOU), WUXI),
    ]:
        assert client.get(url(slug, county=other)).status_code == 404
        assert client.get(url(slug, county=other, format="csv")).status_code == 404
        assert client.get(url(slug, county=other, format="xlsx")).status_code == 404


def _number(value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_citys_table_is_the_sum_of_its_counties(city, slug):
    """The municipal official's table (the whole city, exact) adds up its counties' tables:
    the total row, or each row of a table without one (Table 4, by kind of programme)."""
    municipal = _client("municipal", "official", "")
    page = municipal.get(url(slug)).context["report"]
    assert page.records() == reports.build(slug).records()
    rows = page.rows
    key = reports.TABLES[slug].keys[0]
    parts = [_exact(slug, WUXI).rows, _exact(slug, CHENGKOU).rows]
    has_total = any(r.get(key) == "total" for r in rows)
    pick = {"total"} if has_total else {r[key] for r in rows}
    checked = 0
    for value in pick:
        [whole] = [r for r in rows if r.get(key) == value]
        found = [[r for r in part if r.get(key) == value] for part in parts]
        for column, figure in whole.items():
            if _number(figure) and column not in ("days_to_answer", "completion", "coverage"):
                assert figure == sum(f[0][column] for f in found if f), (value, column)
                checked += 1
    assert checked


def test_a_citys_town_rows_say_their_county(city):
    """Town names repeat across counties: the city's rows by town are each one county's town."""
    labels = [str(r["label"]) for r in reports.build("contact-gaps").rows]
    assert "城口县 东镇" in labels and "巫溪县 东镇" in labels and "东镇" not in labels
    risk = {str(r["town"]) for r in reports.build("risk-levels").rows}
    assert {"城口县 东镇", "巫溪县 东镇"} <= risk
    assert {str(r["label"]) for r in _exact("contact-gaps", WUXI).rows} >= {"东镇", "南乡"}


def test_a_town_needs_a_county_when_its_name_is_in_several(city):
    municipal = _client("municipal", "official", "")
    page = municipal.get(url("status", town="东镇"))
    assert "town" in page.context["form"].errors
    assert municipal.get(url("status", town="东镇", format="csv")).status_code == 404
    # within a county the name is one town
    page = municipal.get(url("status", county=CHENGKOU, town="东镇"))
    assert (
        page.context["report"].records()
        == reports.build("status", Filters(county=CHENGKOU, town="东镇")).records()
    )
    assert page.context["report"].rows[-1]["children"] == 14  # CK-P1's pupils
    # a county's user names a town of their county: no county needed
    viewer = _client("ck-viewer", "viewer", CHENGKOU)
    assert viewer.get(url("status", town="东镇")).context["form"].is_valid()


# --- The municipal drill-down --------------------------------------------------------------------


def _places(response) -> dict[str, dict]:
    return {str(line["label"]): line for line in response.context["places"]}


def test_the_municipal_official_drills_down_city_county_town_school(city):
    municipal = _client("municipal", "official", "")
    status = reverse(reports.url_name("status"))
    page = municipal.get(status)
    places = _places(page)
    assert set(places) - {"合计", "Total"} == {"城口县", "巫溪县"}
    assert places["城口县"]["url"] == f"{status}?county={CHENGKOU}"
    total = page.context["report"].rows[-1]["children"]
    assert sum(places[n]["row"]["children"] for n in ("城口县", "巫溪县")) == total

    county = municipal.get(places["巫溪县"]["url"])
    assert county.context["report"].records() == _exact("status", WUXI).records()
    towns = _places(county)
    assert set(towns) - {"合计", "Total"} == {"东镇", "西乡", "北镇", "南乡"}
    assert towns["东镇"]["url"] == f"{status}?county={WUXI}&town=%E4%B8%9C%E9%95%87"
    assert [str(s["label"]) for s in county.context["trail"]][1] == "巫溪县"

    town = municipal.get(towns["东镇"]["url"])
    schools = _places(town)
    assert set(schools) - {"合计", "Total"} == {"东镇小学", "东镇二小"}  # not 城口县's 东镇小学
    assert schools["东镇小学"]["url"].endswith(f"county={WUXI}&town=%E4%B8%9C%E9%95%87&school=P1")
    school = municipal.get(schools["东镇小学"]["url"])
    assert (
        school.context["report"].records()
        == reports.build("status", Filters(county=WUXI, town="东镇", school="P1")).records()
    )
    assert school.context.get("places_level") == ""  # a school has no place below it

    # the report index shows the city's counties too, linking to each county's Table 1
    index = _places(municipal.get(reverse("reports")))
    assert index["城口县"]["url"] == f"{status}?county={CHENGKOU}"


def test_a_county_official_drills_down_from_their_towns(city):
    official = _client("ck-official", "official", CHENGKOU)
    towns = _places(official.get(reverse(reports.url_name("status"))))
    assert set(towns) - {"合计", "Total"} == {"东镇", "西乡"}
    assert "trail" in official.get(towns["东镇"]["url"]).context
    index = _places(official.get(reverse("reports")))
    assert set(index) - {"合计", "Total"} == {"东镇", "西乡"}


def test_the_small_cell_rule_holds_at_every_level_of_the_drill_down(city):
    """A city's viewer drills down too, each level through the one disclosure rule: counts
    rounded to 10, a place of 0–4 children left out (南乡's schools have two pupils each)."""
    viewer = _client("city-viewer", "viewer", "")
    status = reverse(reports.url_name("status"))
    counties = _places(viewer.get(status))
    assert counties["巫溪县"]["row"]["children"] % 10 == 0
    towns = _places(viewer.get(counties["巫溪县"]["url"]))
    assert towns["南乡"]["row"]["children"] == 10  # 8 pupils
    schools = _places(viewer.get(towns["南乡"]["url"]))
    assert set(schools) <= {"合计", "Total"}  # four schools of 2: none shown
    for level in (counties, towns, schools):
        for line in level.values():
            value = line["row"]["children"]
            assert value == reports.SMALL or value % 10 == 0


# --- Who sees what: the command and the API ------------------------------------------------------


def test_the_command_counts_a_county_or_the_whole_city(city):
    out = io.StringIO()
    call_command("lbc_report", "status", "--county", CHENGKOU, stdout=out)
    assert out.getvalue() == export.to_csv(_exact("status", CHENGKOU))
    out = io.StringIO()
    call_command("lbc_report", "status", stdout=out)
    assert out.getvalue() == export.to_csv(reports.build("status"))
    out = io.StringIO()
    call_command("lbc_report", "status", "--county", WUXI, "--town", "东镇", stdout=out)
    assert out.getvalue() == export.to_csv(
        reports.build("status", Filters(county=WUXI, town="东镇"))
    )
    with pytest.raises(CommandError, match="several counties"):
        call_command("lbc_report", "status", "--town", "东镇")
    with pytest.raises(CommandError, match="No county"):
        call_command("lbc_report", "status", "--county", "999999")


def _api_json(records):
    return json.loads(JSONRenderer().render(records))


def test_the_api_report_is_the_users_county(city):
    viewer = _user("ck-viewer", "viewer", CHENGKOU)
    client = api_client(viewer)
    body = client.get("/api/v1/reports/status/").json()
    assert body["county"] == CHENGKOU
    published = reports.for_viewer(_exact("status", CHENGKOU))
    assert body["rows"] == _api_json(published.records())
    assert client.get(f"/api/v1/reports/status/?county={WUXI}").status_code == 404
    assert client.get(f"/api/v1/reports/status/?county={CHENGKOU}").status_code == 200

    municipal = api_client(_user("municipal", "official", ""))
    whole = municipal.get("/api/v1/reports/donations/").json()
    assert whole["county"] == ""
    one = municipal.get(f"/api/v1/reports/donations/?county={WUXI}").json()
    assert one["rows"] == _api_json(_exact("donations", WUXI).records())
    assert one["rows"] != whole["rows"]


# --- The dashboard ---------------------------------------------------------------------------


def _active(county):
    return Child.objects.active().filter(county__code=county).count()


def test_each_officials_dashboard_counts_their_county(city):
    wuxi = _client("wx-official", "official", WUXI).get(reverse("home")).context
    chengkou = _client("ck-official", "official", CHENGKOU).get(reverse("home")).context
    assert wuxi["headline"]["children"] == _active(WUXI)
    assert chengkou["headline"]["children"] == _active(CHENGKOU) == 23
    assert wuxi["by_county"] is None and chengkou["by_county"] is None
    assert chengkou["schools"] == 2
    assert sum(chengkou["trends"]["visits"]) == 12  # 城口县's visits only
    assert {c.child.county.code for c in chengkou["concerns"]} == {CHENGKOU}
    assert {change.child.county.code for change in wuxi["recent"]} <= {WUXI}


def test_the_municipal_dashboard_is_the_city_by_county(city):
    municipal = _client("municipal", "official", "")
    context = municipal.get(reverse("home")).context
    assert context["headline"]["children"] == _active(WUXI) + _active(CHENGKOU)
    rows = {r["code"]: r for r in context["by_county"]}
    assert rows[CHENGKOU]["children"] == 23 and rows[WUXI]["children"] == _active(WUXI)
    html = municipal.get(reverse("home")).content.decode()
    assert f'href="{reverse("home")}?county={CHENGKOU}"' in html
    one = municipal.get(reverse("home") + f"?county={CHENGKOU}").context
    assert one["headline"]["children"] == 23 and one["by_county"] is None
    assert one["county_name"] == "城口县"
    assert municipal.get(reverse("home") + "?county=999999").status_code == 404


def test_a_county_official_asking_another_countys_dashboard_is_refused(city):
    official = _client("wx-official", "official", WUXI)
    assert official.get(reverse("home") + f"?county={CHENGKOU}").status_code == 404
    assert official.get(reverse("home") + f"?county={WUXI}").status_code == 200


def test_the_dashboards_stored_figures_and_cached_trends_are_kept_per_county(city, settings):
    """With a city's stored figures, each official's headline figures are their county's (the
    city's for the municipal official) and each reads the trends cached under their county's key:
    never the city's, never another county's."""
    users = {
        WUXI: _client("wx-official", "official", WUXI),
        CHENGKOU: _client("ck-official", "official", CHENGKOU),
        "": _client("municipal", "official", ""),
    }
    live = {code: client.get(reverse("home")).context for code, client in users.items()}
    settings.REPORT_FIGURES_MINUTES = 10
    figures.count_day()
    keys = [dashboard._trends_key(TODAY, code) for code in users]
    assert len(set(keys)) == 3
    cache.delete_many(keys)
    try:
        dashboard.keep_trends(TODAY)
        for code in users:
            assert cache.get(dashboard._trends_key(TODAY, code)) == dashboard.trends(
                None, TODAY, code
            )
        # the municipal official looks first: the county officials still get their own
        for code in ["", WUXI, CHENGKOU]:
            context = users[code].get(reverse("home")).context
            stored = dict(context["headline"])
            assert stored.pop("counted_at") is not None
            assert stored == live[code]["headline"], code
            assert context["trends"] == live[code]["trends"], code
        assert live[WUXI]["trends"] != live[CHENGKOU]["trends"] != live[""]["trends"]
    finally:
        cache.delete_many(keys)


@pytest.mark.parametrize("extra", [0, 3])
def test_the_municipal_table_1_page_keeps_its_queries_whatever_the_counties(
    city, django_assert_num_queries, extra
):
    """The municipal official's Table 1 (one row per county below it): user, second
    factor; the counties and the towns offered; the report's transaction (in a test a
    savepoint, its work_mem, the release), Table 1, Table 1 by county (the session is saved at
    most once a minute: not by this request)."""
    for i in range(extra):
        county = CountyFactory(code=f"5002{40 + i}", name=f"新县{i}")
        ChildFactory(school=SchoolFactory(town=TownFactory(county=county, name="东镇")))
    municipal = _client("municipal", "official", "")
    transaction = 3 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(2 + 2 + transaction + 2):  # the session: from the cache
        page = municipal.get(url("status"))
    assert len(page.context["places"]) == 2 + extra + 1  # the counties and the total


def test_the_municipal_dashboard_keeps_its_queries_whatever_the_counties(city):
    """The city by county is one GROUP BY: more counties, not more queries."""
    municipal = _client("municipal", "official", "")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert municipal.get(reverse("home")).status_code == 200
        return len(captured)

    before = queries()
    for i in range(3):
        county = CountyFactory(code=f"5002{40 + i}", name=f"新县{i}")
        ChildFactory(school=SchoolFactory(town=TownFactory(county=county, name="东镇")))
    assert queries() == before
