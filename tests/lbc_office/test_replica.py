"""The read replica (issue 15): reports, the dashboard, exports and the API's report endpoints
read a real PostgreSQL streaming standby; a stopped standby sends them back to the primary,
and a user who just wrote reads the primary.

Needs REPLICA_DATABASE_URL naming a standby of DATABASE_URL's server (``bin/start-replica``
makes one on 127.0.0.1:5433). Skipped without it on a laptop; CI makes the standby and sets
LBC_REQUIRE_SERVICES=1, so there these tests must run. The data is committed
(``transaction=True``) so that it streams to the standby, and each test waits for the standby
to replay it before reading. The standby reads the test database under the same name (the
alias is a test mirror: Django lends it the name only; it keeps its own host and port).
"""

from __future__ import annotations

import getpass
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lbc_office import reports
from lbc_office.core import replica
from tests.api.conftest import api_client
from tests.conftest import search
from tests.factories import ChildFactory

CONFIGURED = replica.ALIAS in settings.DATABASES
DATABASES = [DEFAULT_DB_ALIAS, replica.ALIAS] if CONFIGURED else [DEFAULT_DB_ALIAS]
START_REPLICA = Path(settings.BASE_DIR) / "bin" / "start-replica"

pytestmark = pytest.mark.django_db(transaction=True, databases=DATABASES)


@pytest.fixture(autouse=True)
def _standby():
    if not CONFIGURED:
        if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
            pytest.fail("LBC_REQUIRE_SERVICES=1 but REPLICA_DATABASE_URL is not set")
        pytest.skip("no read replica (set REPLICA_DATABASE_URL; bin/start-replica makes one)")
    assert replica.status(fresh=True).state == "ok", "the standby is not streaming"


def wait_for_replay(timeout: float = 20.0) -> None:
    """Until the standby has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        with connections[replica.ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the standby did not replay the test's writes"
        time.sleep(0.05)


def children_read(queries) -> list[str]:
    return [q["sql"] for q in queries if '"registry_child"' in q["sql"]]


def get_on_each(client, url, **extra):
    """GET ``url``; the queries each database ran for it (a streamed body is read inside)."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica.ALIAS]) as standby,
    ):
        response = client.get(url, **extra)
        if response.streaming:
            response.body = b"".join(response.streaming_content)
    return response, primary.captured_queries, standby.captured_queries


@pytest.fixture
def county(personas):
    ChildFactory.create_batch(3, school=personas.school_a)
    wait_for_replay()
    return personas


def test_the_alias_is_a_standby_of_the_test_database():
    with connections[replica.ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database(), inet_server_port()")
        in_recovery, name, port = cursor.fetchone()
    assert in_recovery is True
    assert name == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    assert str(port) == str(connections[replica.ALIAS].settings_dict["PORT"])
    assert port != connections[DEFAULT_DB_ALIAS].cursor().connection.info.port


def test_report_pages_downloads_and_the_api_read_the_standby(county):
    official = county.client_for("official")
    url = reverse("report_status")
    for target in (url, url + "?format=csv"):
        response, primary, standby = get_on_each(official, target)
        assert response.status_code == 200
        assert children_read(standby), "the report was not read from the standby"
        assert not children_read(primary), children_read(primary)
    # The standby's figures are the primary's (five children: two in the personas, three more).
    response, primary, standby = get_on_each(api_client(county.official), "/api/v1/reports/status/")
    assert response.status_code == 200
    assert children_read(standby) and not children_read(primary)
    on_primary = reports.build("status").records()
    assert response.json()["rows"] == on_primary
    assert on_primary[-1]["level"] == "total" and on_primary[-1]["children"] == 5


def test_dashboard_and_export_read_the_standby(county):
    official = county.client_for("official")
    response, primary, standby = get_on_each(official, reverse("home"))
    assert response.status_code == 200
    assert children_read(standby) and not children_read(primary)
    response, primary, standby = get_on_each(official, reverse("registry:child_export"))
    assert response.status_code == 200
    assert response.body.count(b"\n") == 6  # the header and five children
    assert children_read(standby)
    # The export's audit rows are written to the primary, inside the standby's read (one
    # statement: WITH event AS (INSERT …) INSERT … its children).
    assert any("INSERT INTO" in q["sql"] for q in primary)
    assert not any("INSERT INTO" in q["sql"] for q in standby)


def test_other_pages_and_reads_inside_a_transaction_stay_on_the_primary(county):
    official = county.client_for("official")
    response, primary, standby = get_on_each(official, reverse("registry:child_list"))
    assert response.status_code == 200
    assert children_read(primary) and not standby
    with replica.reading(county.official) as alias:
        assert alias == replica.ALIAS
        with transaction.atomic():
            assert replica.read_alias() == DEFAULT_DB_ALIAS


def test_a_user_who_just_wrote_reads_the_primary(county, settings):
    settings.REPLICA_STICKY_SECONDS = 3
    official = county.client_for("official")
    viewer = county.client_for("viewer")
    search(official, reverse("registry:child_list"), "")  # a POST
    url = reverse("report_status")
    _, primary, standby = get_on_each(official, url)
    assert children_read(primary) and not children_read(standby)
    # Someone else, who wrote nothing, still reads the standby.
    _, primary, standby = get_on_each(viewer, url)
    assert children_read(standby) and not children_read(primary)
    # An API token's user too: a POST, then the report from the primary.
    client = api_client(county.official)
    client.post(f"/api/v1/children/{county.child_a.pk}/family-calls/", {}, format="json")
    _, primary, standby = get_on_each(client, "/api/v1/reports/status/")
    assert children_read(primary) and not children_read(standby)
    # Once the sticky time is over, the standby again.
    time.sleep(3.1)
    _, primary, standby = get_on_each(official, url)
    assert children_read(standby) and not children_read(primary)


def test_a_lagging_standby_is_not_read(county, settings, client):
    settings.REPLICA_MAX_LAG_SECONDS = -1  # any lag, even none, is too much
    replica.forget_status()
    _, primary, standby = get_on_each(county.client_for("official"), reverse("report_status"))
    assert children_read(primary) and not children_read(standby)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["replica"] == "lagging 0 s — reading the primary"


def _start_replica(*args: str) -> None:
    subprocess.run([str(START_REPLICA), *args], check=True, capture_output=True, timeout=180)


def test_a_stopped_standby_sends_reads_to_the_primary(county, client):
    """The standby is really stopped (bin/start-replica stop), then started again: this needs
    root or postgres (CI runs as root) and the standby bin/start-replica made."""
    port = str(connections[replica.ALIAS].settings_dict["PORT"])
    if (os.geteuid() != 0 and getpass.getuser() != "postgres") or port != "5433":
        if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
            pytest.fail("cannot stop and start the standby (root, bin/start-replica's port)")
        pytest.skip("the standby is not bin/start-replica's, or this user cannot stop it")
    official = county.client_for("official")
    url = reverse("report_status")
    assert client.get("/healthz").json()["replica"] == "ok"
    _start_replica("stop")
    try:
        replica.forget_status()
        response, primary, standby = get_on_each(official, url)
        assert response.status_code == 200
        assert children_read(primary) and not children_read(standby)
        response = client.get("/healthz")
        assert response.status_code == 200  # the office works on the primary
        assert response.json()["replica"] == "down — reading the primary"
        assert response.json()["database"] is True
    finally:
        _start_replica()
    replica.forget_status()
    wait_for_replay()
    _, primary, standby = get_on_each(official, url)
    assert children_read(standby) and not children_read(primary)
    assert client.get("/healthz").json()["replica"] == "ok"
