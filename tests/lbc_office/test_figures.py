"""Stored school figures (lbc_office/reports/figures.py): a city's slow reports read them.

They must say exactly what the live count says, for every filter and for a past day; they are
used only when REPORT_FIGURES_MINUTES is set and a count exists for the day; counting again
replaces the day's count; two counts at once do not both write."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client

from lbc_office import reports
from lbc_office.figures.models import PROGRAMME_FIELDS, SchoolFigures
from lbc_office.home import dashboard
from lbc_office.reports import Filters, figures
from lbc_office.upkeep import tasks
from programmes.models import Programme
from tests.conftest import login
from tests.factories import UserFactory
from tests.lbc_office.report_county import TODAY, build_county, days_ago
from tests.programmes.factories import EnrolmentFactory, HomeVisitFactory, ProgrammeFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
STORED = [slug for slug, table in reports.TABLES.items() if table.from_figures]


@pytest.fixture
def county(db):
    county = build_county()
    c = county.children
    mother = VolunteerFactory(may_be_foster_mother=True, may_be_surrogate_parent=False)
    parent = VolunteerFactory()
    AssignmentFactory(child=c["c1"], volunteer=mother, role="foster_mother")
    AssignmentFactory(child=c["c1"], volunteer=parent, role="surrogate_parent")
    AssignmentFactory(child=c["c4"], volunteer=parent, role="surrogate_parent")
    AssignmentFactory(child=c["c7"], volunteer=parent, role="surrogate_parent")
    AssignmentFactory(child=c["c2"], volunteer=parent, started_on=days_ago(60),
                      ended_on=days_ago(10))  # fmt: skip
    AssignmentFactory(child=c["c6"], volunteer=mother, role="foster_mother",
                      started_on=days_ago(60), ended_on=days_ago(10))  # fmt: skip
    HomeVisitFactory(child=c["c1"], date=TODAY)
    HomeVisitFactory(child=c["c1"], date=TODAY)
    HomeVisitFactory(child=c["c3"], date=days_ago(20))
    HomeVisitFactory(child=c["c6"], date=days_ago(20))  # left the register since
    HomeVisitFactory(child=c["c9"], date=TODAY)
    lunch = ProgrammeFactory(kind="love_lunch", starts_on=days_ago(100))
    lunch_2 = ProgrammeFactory(kind="love_lunch", starts_on=days_ago(100))
    milk = ProgrammeFactory(kind="egg_milk", starts_on=days_ago(100))
    EnrolmentFactory(programme=lunch, child=c["c1"], starts_on=days_ago(50))
    EnrolmentFactory(programme=lunch_2, child=c["c1"], starts_on=days_ago(50))  # counts once
    EnrolmentFactory(programme=lunch, child=c["c2"], starts_on=days_ago(50), ends_on=days_ago(5))
    EnrolmentFactory(programme=lunch, child=c["c7"], starts_on=days_ago(50))
    EnrolmentFactory(programme=lunch, child=c["c6"], starts_on=days_ago(50))
    EnrolmentFactory(programme=milk, child=c["c1"], starts_on=days_ago(50))
    EnrolmentFactory(programme=milk, child=c["c9"], starts_on=days_ago(50))
    return county


@pytest.fixture
def stored_on(settings):
    settings.REPORT_FIGURES_MINUTES = 10


def test_every_programme_kind_has_a_column():
    names = {f.name for f in SchoolFigures._meta.get_fields()}
    assert set(PROGRAMME_FIELDS) == set(Programme.Kind.values)
    assert set(PROGRAMME_FIELDS.values()) <= names


PLACES = [{}, {"town": "东镇"}, {"town": "西乡"}, {"school": "P1"}, {"school": "M2"}]


@pytest.mark.parametrize("slug", STORED)
@pytest.mark.parametrize("place", PLACES)
def test_stored_figures_say_what_the_live_count_says(county, stored_on, slug, place):
    live = reports.build(slug, Filters(**place))
    assert live.counted_at is None  # nothing stored yet: counted live
    assert figures.count_day() > 0
    stored = reports.build(slug, Filters(**place))
    assert stored.counted_at is not None
    assert stored.rows == live.rows


@pytest.mark.parametrize("slug", STORED)
def test_a_past_days_figures_are_that_days_count(county, stored_on, slug):
    """20 days ago c6 was on the register (with a foster mother and a visit) and c2 had a
    surrogate parent; the day's stored count says so, as the live count does."""
    day = days_ago(20)
    live = reports.build(slug, Filters(as_of=day))
    figures.count_day(day)
    stored = reports.build(slug, Filters(as_of=day))
    assert stored.counted_at is not None and stored.rows == live.rows
    assert reports.build(slug, Filters(as_of=days_ago(19))).counted_at is None  # not counted


def test_figures_are_a_count_not_a_live_view(county, stored_on):
    """Until counted again, the stored figures keep what they counted; counting again
    replaces the day's rows (run twice, no duplicate)."""
    figures.count_day()
    before = reports.build("programmes").rows
    EnrolmentFactory(child=county.children["c3"], programme__kind="egg_milk")
    assert reports.build("programmes").rows == before
    rows = SchoolFigures.objects.count()
    # the city's trends and its county's, each under its own key (issue 15)
    keys = {code: dashboard._trends_key(TODAY, code) for code in ("", "500238")}
    cache.delete_many(keys.values())
    try:
        tasks.count_report_figures()
        tasks.count_report_figures()
        # the task also keeps the dashboard's trends of the whole register in the cache
        for code, key in keys.items():
            assert cache.get(key) == dashboard.trends(None, TODAY, code)
    finally:
        cache.delete_many(keys.values())
    assert SchoolFigures.objects.count() == rows
    egg_milk = {r["programme"]: r for r in reports.build("programmes").rows}["egg_milk"]
    assert (egg_milk["primary"], egg_milk["middle"]) == (2, 1)  # c1, c3; c9


def test_figures_are_ignored_when_the_setting_is_off(county, settings):
    settings.REPORT_FIGURES_MINUTES = 10
    figures.count_day()
    EnrolmentFactory(child=county.children["c3"], programme__kind="egg_milk")
    settings.REPORT_FIGURES_MINUTES = 0
    report = reports.build("programmes")
    assert report.counted_at is None
    egg_milk = {r["programme"]: r for r in report.rows}["egg_milk"]
    assert egg_milk["primary"] == 2


def test_a_viewer_sees_stored_figures_suppressed_and_when_they_were_counted(county, stored_on):
    figures.count_day()
    viewer = login(Client(), UserFactory(username="viewer-f", role="viewer"))
    response = viewer.get("/reports/volunteer-coverage/")
    assert response.status_code == 200
    assert b'id="counted-at"' in response.content
    east = next(line for line in response.context["lines"] if line["label"] == "东镇")
    assert east["cells"][1]["value"] == "<5"  # one child with a foster mother
    assert "links" not in east["row"]


def test_reading_stored_figures_takes_a_fixed_number_of_queries(
    county, stored_on, django_assert_num_queries
):
    figures.count_day()
    transaction_queries = 3 if connection.vendor == "postgresql" else 2
    # the day's count, its rows summed (programmes); + the names (coverage, home visits)
    for slug, own in [
        ("status", 2),
        ("programmes", 2),
        ("volunteer-coverage", 3),
        ("home-visits", 3),
        ("contact-gaps", 3),
    ]:
        with django_assert_num_queries(transaction_queries + own):
            reports.build(slug, Filters(town="东镇"))


def test_the_command_fills_the_dashboards_trend_cache_for_today_only(county, stored_on):
    # The city's trends and the county's, each under its own key.
    keys = {f"dashboard-trends:{c}:{TODAY.isoformat()}": c for c in ("city", "500238")}
    cache.delete_many(list(keys))
    try:
        call_command("count_report_figures", "--day", days_ago(3).isoformat())
        assert cache.get_many(list(keys)) == {}  # a past day's count leaves today's alone
        call_command("count_report_figures")
        for key, county in keys.items():
            expected = dashboard.trends(None, TODAY, "" if county == "city" else county)
            assert cache.get(key) == expected, key
    finally:
        cache.delete_many(list(keys))


def test_the_command_counts_a_day_and_refuses_a_future_or_malformed_one(county, capsys):
    call_command("count_report_figures", "--day", days_ago(3).isoformat())
    assert "figures of 4 school levels stored" in capsys.readouterr().out
    assert set(SchoolFigures.objects.values_list("day", flat=True)) == {days_ago(3)}
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="future day"):
        call_command("count_report_figures", "--day", tomorrow.isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("count_report_figures", "--day", "3/5")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's advisory locks (CI runs this)"
)
def test_a_second_count_while_one_runs_does_nothing():
    build_county()
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [figures.LOCK])
                holding.set()
                release.wait(10)
                cursor.execute("ROLLBACK")
        finally:
            other.close()

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    try:
        assert holding.wait(10)
        assert figures.count_day() is None
        assert not SchoolFigures.objects.exists()
    finally:
        release.set()
        thread.join()
    assert figures.count_day() == 4


def test_the_beat_counts_the_figures_only_when_the_setting_is_on():
    """Settings are read once at start: ask a fresh interpreter, with and without it."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'lbc_office.settings';"
        "django.setup(); from django.conf import settings as s;"
        "from lbc_office.celery import app; import lbc_office.upkeep.tasks;"
        "e = {k: v for k, v in s.CELERY_BEAT_SCHEDULE.items() if 'report_figures' in k};"
        "print(sorted((v['task'], str(v['schedule'])) for v in e.values()),"
        " 'lbc_office.tasks.count_report_figures' in app.tasks)"
    )
    env = {k: v for k, v in os.environ.items() if k != "REPORT_FIGURES_MINUTES"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert off.stdout.startswith("[] "), off.stderr
    env["REPORT_FIGURES_MINUTES"] = "15"
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "0:15:00" in on.stdout and "crontab: 55 23 * * *" in on.stdout, on.stdout
    assert on.stdout.strip().endswith("True")
