"""Backups: make, restore (only into an empty database), prune, and the nightly task.

The PostgreSQL round trip (pg_dump → a fresh database → pg_restore, then row counts of every
table and a checksum of the children agree) needs PostgreSQL: skipped on SQLite, required in CI
(LBC_REQUIRE_SERVICES=1). The SQLite round trip runs everywhere, on temporary files.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import sqlite3
import stat
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from lbc_office.celery import app as celery_app
from lbc_office.core.models import AuditEvent, Role
from lbc_office.upkeep import backup, tasks
from tests.factories import (
    ChildFactory,
    HealthCheckFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
)

SQLITE = "django.db.backends.sqlite3"
CHILDREN_CHECKSUM = (
    "SELECT md5(string_agg(id_number || '|' || name || '|' || school_id::text, ',' ORDER BY id)) "
    "FROM registry_child"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def require_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
            pytest.fail("CI must run on PostgreSQL: the pg_dump/pg_restore round trip needs it")
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): pg_dump/pg_restore round trip")


def some_register():
    """Schools, children (one with a health check), a teacher and an official."""
    schools = SchoolFactory.create_batch(3)
    children = [ChildFactory(school=school) for school in schools for _ in range(4)]
    children.append(ChildFactory(school=schools[0], name="欧阳小花", sex="F"))
    HealthCheckFactory(child=children[0])
    TeacherFactory(schools=schools[:2])
    UserFactory(role=Role.OFFICIAL)
    return children


def our_tables() -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return sorted({*tables, "django_migrations"})


def row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def backup_events() -> list[str]:
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.BACKUP)
        .order_by("pk")
        .values_list("detail", flat=True)
    )


# --- PostgreSQL ---------------------------------------------------------------------------------


def pg_params(dbname: str) -> dict:
    settings_dict = connection.settings_dict
    params = {"dbname": dbname}
    for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if settings_dict.get(setting):
            params[key] = str(settings_dict[setting])
    if settings_dict.get("PASSWORD"):
        params["password"] = settings_dict["PASSWORD"]
    return params


@contextlib.contextmanager
def scratch_database():
    """A fresh, empty PostgreSQL database on the test server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"lbc_restore_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**pg_params("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(**pg_params("postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump sees the rows
def test_postgresql_round_trip_restores_every_row(settings, tmp_path):
    require_postgresql()
    import psycopg

    settings.BACKUP_DIR = tmp_path / "backups"
    some_register()
    tables = our_tables()
    with connection.cursor() as cursor:
        before = row_counts(cursor, tables)
        cursor.execute(CHILDREN_CHECKSUM)
        checksum = cursor.fetchone()[0]
    assert before["registry_child"] == 13 and checksum

    path = backup.make_backup()

    assert path.parent == settings.BACKUP_DIR
    assert backup.BACKUP_NAME.match(path.name) and path.suffix == ".dump"
    assert path.read_bytes()[:5] == b"PGDMP"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in settings.BACKUP_DIR.iterdir()] == [path.name]  # no temporary left
    with scratch_database() as scratch:
        backup.restore(path, database=scratch)

        with psycopg.connect(**pg_params(scratch)) as restored, restored.cursor() as cursor:
            assert row_counts(cursor, tables) == before
            cursor.execute(CHILDREN_CHECKSUM)
            assert cursor.fetchone()[0] == checksum
            # A working copy: the search extension and the audit log's trigger came along.
            cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'lbc_audit_append_only'")
            assert cursor.fetchone()[0] == 1

        # Restoring twice is refused: the scratch database now holds records.
        with pytest.raises(backup.BackupError, match="holds records"):
            backup.restore(path, database=scratch)
    assert backup_events() == [path.name, f"restored {path.name}"]


@pytest.mark.django_db
def test_postgresql_restore_refuses_a_database_in_use(tmp_path):
    require_postgresql()
    fake = tmp_path / "lbc-20261101-013000.dump"
    fake.write_bytes(b"PGDMP" + b"\0" * 100)  # refused before pg_restore ever reads it

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(fake))

    message = str(refused.value)
    assert message.startswith(f"The database {connection.settings_dict['NAME']} is not empty (")
    assert "createdb --owner=" in message  # says how to make an empty one
    assert backup_events() == []


def test_postgresql_password_never_on_the_command_line(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda program: f"/usr/bin/{program}")
    db = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "lbc",
        "HOST": "db.internal",
        "PORT": 5433,
        "USER": "lbc",
        "PASSWORD": "s3cret-Pa55",
        "OPTIONS": {"sslmode": "require", "connect_timeout": 10, "pool": True},
    }

    args, env = backup._pg_command("pg_dump", db)

    assert not any("s3cret" in arg for arg in args)
    assert env["PGPASSWORD"] == "s3cret-Pa55" and env["PGSSLMODE"] == "require"
    assert env["PGCONNECT_TIMEOUT"] == "10"
    # Django's own PostgreSQL client line (as `manage.py dbshell`), less the database name,
    # which goes in --dbname.
    assert args == [
        "/usr/bin/pg_dump",
        "--no-password",
        *("-U", "lbc", "-h", "db.internal", "-p", "5433"),
    ]


# --- SQLite -------------------------------------------------------------------------------------


def make_sqlite(path: Path, *, children: int = 3, users: int = 1) -> Path:
    """A small SQLite database with our two record tables and one more."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE lbc_office_user (id INTEGER PRIMARY KEY, username TEXT)")
        conn.execute(
            "CREATE TABLE registry_child "
            "(id INTEGER PRIMARY KEY, id_number TEXT UNIQUE, name TEXT, school_id INTEGER)"
        )
        conn.execute("CREATE TABLE registry_school (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO registry_school (name) VALUES ('甲小学')")
        conn.executemany(
            "INSERT INTO registry_child (id_number, name, school_id) VALUES (?, ?, 1)",
            [(f"50023820150315{n:03d}X", f"王小{n}") for n in range(children)],
        )
        conn.executemany(
            "INSERT INTO lbc_office_user (username) VALUES (?)",
            [(f"user{n}",) for n in range(users)],
        )
    conn.close()
    return path


def sqlite_db(path: Path) -> dict:
    return {"ENGINE": SQLITE, "NAME": str(path)}


def dump_of(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.django_db
def test_sqlite_round_trip_on_files(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    source = make_sqlite(tmp_path / "live" / "db.sqlite3", children=25)

    path = backup.make_backup(database=sqlite_db(source))

    assert path.parent == settings.BACKUP_DIR
    assert backup.BACKUP_NAME.match(path.name) and path.name.endswith(".sqlite3.gz")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in settings.BACKUP_DIR.iterdir()] == [path.name]  # no temporary left
    assert gzip.decompress(path.read_bytes())[:16] == b"SQLite format 3\0"

    target = tmp_path / "restored" / "new" / "db.sqlite3"  # the folder need not exist yet
    backup.restore(path, database=sqlite_db(target))

    assert dump_of(target) == dump_of(source)
    assert [p.name for p in target.parent.iterdir()] == ["db.sqlite3"]  # no temporary left
    assert backup_events() == [path.name, f"restored {path.name}"]


@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_of_the_app_database(settings, tmp_path):
    """The laptop default: the app's own SQLite database, backed up as `make backup` does."""
    if connection.vendor != "sqlite":
        pytest.skip("the app's database is PostgreSQL here (its round trip is tested above)")
    settings.BACKUP_DIR = tmp_path
    children = some_register()
    tables = our_tables()
    with connection.cursor() as cursor:
        before = row_counts(cursor, tables)
    rows = [(c.pk, c.id_number, c.name, c.school_id) for c in sorted(children, key=lambda c: c.pk)]

    path = backup.make_backup()
    target = tmp_path / "restored.sqlite3"
    backup.restore(path, database=sqlite_db(target))

    restored = sqlite3.connect(target)
    try:
        assert row_counts(restored.cursor(), tables) == before
        query = "SELECT id, id_number, name, school_id FROM registry_child ORDER BY id"
        assert hashlib.md5(repr(restored.execute(query).fetchall()).encode()).hexdigest() == (
            hashlib.md5(repr(rows).encode()).hexdigest()
        )
    finally:
        restored.close()


@pytest.mark.django_db
def test_two_backups_in_the_same_second_both_stay(settings, tmp_path, monkeypatch):
    settings.BACKUP_DIR = tmp_path
    source = make_sqlite(tmp_path / "db.sqlite3")
    frozen = backup.timezone.now()
    monkeypatch.setattr(backup.timezone, "now", lambda: frozen)

    first = backup.make_backup(database=sqlite_db(source))
    second = backup.make_backup(database=sqlite_db(source))

    assert first != second and first.exists() and second.exists()
    assert second.name == first.name.replace(".sqlite3.gz", "-2.sqlite3.gz")
    assert backup.backup_files(tmp_path) == [second, first]


# --- Restore refuses a database in use ----------------------------------------------------------


@pytest.fixture
def sqlite_backup(settings, tmp_path) -> Path:
    settings.BACKUP_DIR = tmp_path / "backups"
    return backup.make_backup(database=sqlite_db(make_sqlite(tmp_path / "source.sqlite3")))


@pytest.mark.django_db
def test_restore_refuses_a_database_holding_records(sqlite_backup, tmp_path):
    target = make_sqlite(tmp_path / "live.sqlite3", children=1, users=0)
    before = dump_of(target)

    for force in (False, True):  # --force never goes over records
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(sqlite_backup, database=sqlite_db(target), force=force)
        assert str(refused.value).startswith(
            f"The database {target} holds records (children: 1, users: 0): a backup is "
            "restored only into an empty database, never over records."
        )
    assert dump_of(target) == before
    assert backup_events() == [sqlite_backup.name]  # the backup; no restore


@pytest.mark.django_db
def test_restore_refuses_tables_unless_forced_when_they_hold_no_records(sqlite_backup, tmp_path):
    target = make_sqlite(tmp_path / "migrated.sqlite3", children=0, users=0)

    with pytest.raises(backup.BackupError, match=r"is not empty \(tables: 3\).*--force"):
        backup.restore(sqlite_backup, database=sqlite_db(target))

    backup.restore(sqlite_backup, database=sqlite_db(target), force=True)
    assert dump_of(target) == dump_of(tmp_path / "source.sqlite3")


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup_of_this_kind(sqlite_backup, tmp_path):
    target = sqlite_db(tmp_path / "new.sqlite3")
    postgresql_dump = tmp_path / "lbc-20261101-013000.dump"
    postgresql_dump.write_bytes(b"PGDMP" + b"\0" * 100)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")

    with pytest.raises(backup.BackupError, match="is a PostgreSQL backup, but the database is SQL"):
        backup.restore(postgresql_dump, database=target)
    with pytest.raises(backup.BackupError, match="is not a backup made by"):
        backup.restore(notes, database=target)
    with pytest.raises(backup.BackupError, match="There is no backup file at"):
        backup.restore(tmp_path / "missing.sqlite3.gz", database=target)
    assert not (tmp_path / "new.sqlite3").exists()


# --- Prune --------------------------------------------------------------------------------------

OURS = [
    "lbc-20261101-013000.dump",
    "lbc-20261102-013000.sqlite3.gz",
    "lbc-20261103-013000.dump",
    "lbc-20261103-013000-2.dump",
    "lbc-20261104-013000.sqlite3.gz",
]
FOREIGN = [
    "notes.txt",
    "lbc-latest.dump",
    "lbc-20261001-013000.dump.bak",
    "other-20261001-013000.dump",
    "LBC-20261001-013000.dump",
    "lbc-20261001-013000.sql",
]


def test_prune_keeps_the_newest_of_our_files_only(tmp_path):
    for name in OURS + FOREIGN:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "lbc-20261001-013000.dump.d").mkdir()
    stale = tmp_path / ".lbc-20261001-013000-k2j4.partial"  # left by a killed backup
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    running = tmp_path / ".lbc-20261105-013000-a8d1.partial"  # a backup being written now
    running.write_bytes(b"x")

    removed = backup.prune(tmp_path, 3)

    assert sorted(p.name for p in removed) == sorted([*OURS[:2], stale.name])
    assert [p.name for p in backup.backup_files(tmp_path)] == [
        "lbc-20261104-013000.sqlite3.gz",
        "lbc-20261103-013000-2.dump",
        "lbc-20261103-013000.dump",
    ]
    assert all((tmp_path / name).exists() for name in FOREIGN)
    assert running.exists() and (tmp_path / "lbc-20261001-013000.dump.d").is_dir()
    assert backup.prune(tmp_path, 3) == []  # idempotent


def test_prune_keeps_at_least_one_and_tolerates_a_missing_folder(tmp_path):
    with pytest.raises(ValueError):
        backup.prune(tmp_path, 0)
    assert backup.prune(tmp_path / "not-yet", 14) == []


# --- Commands and the nightly task --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # SQLite copies only outside one
def test_backup_command_writes_a_file(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    out = StringIO()

    call_command("backup", stdout=out)

    [path] = backup.backup_files(tmp_path)
    assert out.getvalue().startswith(f"Backup written: {path} (")
    assert backup_events() == [path.name]


@pytest.mark.django_db
def test_restore_command_says_what_is_wrong(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file at"):
        call_command("restore", str(tmp_path / "missing.dump"))


@pytest.mark.django_db(transaction=True)  # SQLite copies only outside one
def test_nightly_task_writes_a_backup_prunes_and_audits(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_KEEP = 2
    for name in ("lbc-20200101-013000.dump", "lbc-20200102-013000.sqlite3.gz", "keep-me.txt"):
        (tmp_path / name).write_bytes(b"old")

    name = tasks.backup.apply().get()

    assert backup.BACKUP_NAME.match(name)
    assert [p.name for p in backup.backup_files(tmp_path)] == [
        name,
        "lbc-20200102-013000.sqlite3.gz",
    ]
    assert (tmp_path / "keep-me.txt").exists()
    assert backup_events() == [name]

    again = tasks.backup.apply().get()  # a doubled beat: two backups, pruned the same way
    assert [p.name for p in backup.backup_files(tmp_path)] == [again, name]
    assert backup_events() == [name, again]


def test_the_task_is_the_one_beat_calls(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["lbc_office.backup"]
    assert tasks.backup.name == entry["task"] == "lbc_office.tasks.backup"
    assert entry["task"] in celery_app.tasks
