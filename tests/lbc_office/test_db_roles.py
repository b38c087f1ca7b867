"""Issue 12, finding 9: the application's database role cannot empty or rewrite the audit log.

On PostgreSQL the test database plays the production one for the length of a test: two roles
with names unique to the run are created, every table is handed to the owner role, the owner
runs ``grant_app_role`` (what ``migrate`` runs), and the test then works as the application
role (``SET LOCAL ROLE``). Everything, the roles included, is rolled back with the test's
transaction. It needs a connection that may create roles (CI connects as ``postgres``).
``.ci/run`` does the same with real logins: it migrates as the owner and runs the app as the
application role.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from lbc_office.core import audit, dbroles
from lbc_office.core.models import AuditEvent, AuditEventChild, User
from registry.importing import import_file
from tests.factories import CountyFactory, SchoolFactory, TownFactory, make_id_number

pytestmark = pytest.mark.django_db
AUDIT = AuditEvent._meta.db_table
INSUFFICIENT_PRIVILEGE = "42501"


def _sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _refused(statement) -> str | None:
    """The SQLSTATE PostgreSQL answered, or None if the statement went through."""
    try:
        with transaction.atomic():  # a savepoint: the test's transaction goes on
            _sql(statement)
    except DatabaseError as exc:
        return getattr(exc.__cause__, "sqlstate", "?")
    return None


@pytest.fixture
def roles(db):
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's (CI runs this on PostgreSQL)")
    if not _sql("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")[0][
        0
    ]:
        pytest.skip("the test connection may not create roles")
    suffix = uuid.uuid4().hex[:12]
    owner, app = f"lbc_test_owner_{suffix}", f"lbc_test_app_{suffix}"
    q = connection.ops.quote_name
    _sql(f"CREATE ROLE {q(owner)} NOLOGIN")
    _sql(f"CREATE ROLE {q(app)} NOLOGIN")
    # As in production (scripts/db-roles.sql): the owner role owns the database, the schema
    # and every table.
    _sql(f"ALTER DATABASE {q(connection.settings_dict['NAME'])} OWNER TO {q(owner)}")
    _sql(f"ALTER SCHEMA public OWNER TO {q(owner)}")
    for (table,) in _sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        _sql(f"ALTER TABLE {q(table)} OWNER TO {q(owner)}")
    _sql(f"SET LOCAL ROLE {q(owner)}")
    dbroles.grant_app_role(using="default", app=app)  # what `manage.py migrate` runs last
    return owner, app


def _as(role):
    _sql(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")


@pytest.mark.parametrize("table", [AUDIT, AuditEventChild._meta.db_table])
def test_the_application_role_cannot_empty_or_rewrite_the_audit_log(roles, table):
    """Both tables of the log: the events, and the children a list showed (issue 12, finding 8)."""
    owner, app = roles
    _as(owner)
    audit.record(audit.Action.BACKUP, detail="before")
    _as(app)
    assert _sql("SELECT current_user")[0][0] == app
    trigger = _sql(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
        [table],
    )[0][0]
    column = "detail" if table == AUDIT else "child_id"
    value = "'rewritten'" if table == AUDIT else "0"
    refused = {
        statement: _refused(statement)
        for statement in (
            f"TRUNCATE {table}",
            f"DELETE FROM {table}",
            f"UPDATE {table} SET {column} = {value}",
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
            f"ALTER TABLE {table} OWNER TO {connection.ops.quote_name(app)}",
            f"DROP TABLE {table}",
            "DROP FUNCTION lbc_audit_append_only()",
            f"CREATE TABLE lbc_test_{uuid.uuid4().hex[:8]} (x int)",
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)",
        )
    }
    assert refused == dict.fromkeys(refused, INSUFFICIENT_PRIVILEGE)
    # It still writes and reads the log: INSERT and SELECT are all it has there.
    event = audit.record(audit.Action.BACKUP, detail="after")
    AuditEventChild.objects.create(event=event, child_id=1)
    assert list(AuditEvent.objects.values_list("detail", flat=True).order_by("pk")) == [
        "before",
        "after",
    ]
    assert AuditEventChild.objects.filter(event=event).count() == 1
    rights = _sql(
        "SELECT privilege_type FROM information_schema.role_table_grants "
        "WHERE grantee = %s AND table_name = %s ORDER BY 1",
        [app, table],
    )
    assert [r for (r,) in rights] == ["INSERT", "SELECT"]


def test_the_application_role_does_what_the_app_does(roles):
    """Plain DML on the other tables, keys from sequences, and an import (COPY FROM STDIN, a
    temporary table, history rows, the audit event) as the application role."""
    _owner, app = roles
    _as(app)
    user = User.objects.create(username="clerk-roles", role="official")
    user.first_name = "改"
    user.save()
    county = CountyFactory(code="500238", name="巫溪县")
    town = TownFactory(county=county, name="城厢镇")
    SchoolFactory(county=county, town=town, code="S001", level="primary")
    born = datetime.date(2015, 3, 5)
    header = (
        "id_number,name,sex,date_of_birth,school_code,grade,town,village,father_away,"
        "mother_away,guardian,boarding,poor"
    )
    lines = [
        f"{make_id_number(born, 'M', area=f'50023{i}')},王小{i},M,{born},S001,5,城厢镇,东风村,"
        "yes,yes,grandparents,no,no"
        for i in range(3)
    ]
    data = ("\r\n".join([header, *lines]) + "\r\n").encode()
    report = import_file("children", data, by=user)
    assert report.ok and len(report.created) == 3, report
    again = import_file("children", data.replace(b",5,", b",6,"), by=user)
    assert len(again.updated) == 3  # the update path: a temporary table and UPDATE … FROM
    assert _sql("SELECT current_user")[0][0] == app
    User.objects.create(username="gone", role="viewer").delete()  # DELETE elsewhere: allowed


def test_tables_of_later_migrations_are_granted_by_default(roles):
    owner, app = roles
    _as(owner)
    _sql("CREATE TABLE lbc_test_later (id bigint GENERATED BY DEFAULT AS IDENTITY, x text)")
    _as(app)
    _sql("INSERT INTO lbc_test_later (x) VALUES ('a')")
    _sql("UPDATE lbc_test_later SET x = 'b'")
    assert _sql("SELECT x FROM lbc_test_later") == [("b",)]
    assert _refused("TRUNCATE lbc_test_later") == INSUFFICIENT_PRIVILEGE


def test_grants_refuse_an_application_role_that_owns_tables_or_is_the_owner(roles):
    owner, app = roles
    with pytest.raises(dbroles.RoleError, match="the role that migrates"):
        dbroles.grant_app_role(using="default", app=owner)
    _sql("RESET ROLE")
    _sql(f"ALTER TABLE {AUDIT} OWNER TO {connection.ops.quote_name(app)}")
    _as(owner)
    with pytest.raises(dbroles.RoleError, match="owns tables"):
        dbroles.grant_app_role(using="default", app=app)


# --- Settings: which connection migrates -------------------------------------------------------


def _settings_of(**environ):
    """The databases and the ``migrate`` command a process would get from ``environ``."""
    script = (
        "import json, django; django.setup();"
        "from django.conf import settings; from django.core.management import get_commands;"
        "from lbc_office.core.management.commands.migrate import Command;"
        "p = Command().create_parser('manage.py', 'migrate');"
        "print(json.dumps({'aliases': {k: [v['USER'], v['NAME'], v.get('TEST', {}).get('MIRROR')]"
        " for k, v in settings.DATABASES.items()}, 'migrate': get_commands()['migrate'],"
        " 'database': p.parse_args([]).database}))"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MIGRATE_DATABASE_URL", "REPLICA_DATABASE_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="lbc_office.settings", **environ)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, (json.loads(result.stdout) if result.returncode == 0 else result)


def test_migrate_uses_the_owner_login_when_one_is_configured():
    code, found = _settings_of(
        DATABASE_URL="postgres://lbc_app@127.0.0.1:5432/lbc",
        MIGRATE_DATABASE_URL="postgres://lbc_owner@127.0.0.1:5432/lbc",
    )
    assert code == 0, found
    assert found["aliases"]["default"][:2] == ["lbc_app", "lbc"]
    # The tests' copy of the alias is the test database's own connection.
    assert found["aliases"]["owner"] == ["lbc_owner", "lbc", "default"]
    assert found["migrate"] == "lbc_office.core" and found["database"] == "owner"


def test_without_an_owner_login_migrate_is_djangos_as_it_is():
    code, found = _settings_of(DATABASE_URL="postgres://lbc@127.0.0.1:5432/lbc")
    assert code == 0, found
    assert set(found["aliases"]) == {"default"} and found["database"] == "default"


def test_the_owner_login_must_name_the_same_database():
    code, result = _settings_of(
        DATABASE_URL="postgres://lbc_app@127.0.0.1:5432/lbc",
        MIGRATE_DATABASE_URL="postgres://lbc_owner@127.0.0.1:5432/other",
    )
    assert code != 0 and "MIGRATE_DATABASE_URL" in result.stderr


def test_a_replica_url_adds_the_alias_and_its_router_and_nothing_else_without_it():
    script = (
        "import json, django; django.setup(); from django.conf import settings;"
        "r = settings.DATABASES.get('replica');"
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers':"
        " settings.DATABASE_ROUTERS, 'replica': r and [r['HOST'], str(r['PORT']), r['NAME'],"
        " r['OPTIONS'].get('connect_timeout'), r['TEST']['MIRROR']]}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "REPLICA_DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="lbc_office.settings", DATABASE_URL="postgres://a@h1/lbc")

    def settings_with(**environ):
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=Path(__file__).resolve().parents[2],
            env={**env, **environ},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    found = settings_with()
    assert found == {"aliases": ["default"], "routers": [], "replica": None}
    found = settings_with(REPLICA_DATABASE_URL="postgres://a@h2:5433/lbc")
    assert found["aliases"] == ["default", "replica"]
    assert found["routers"] == ["lbc_office.core.replica.ReplicaRouter"]
    # Its own host and port, a short connect timeout; in the tests it borrows the test name.
    assert found["replica"] == ["h2", "5433", "lbc", 2, "default"]
