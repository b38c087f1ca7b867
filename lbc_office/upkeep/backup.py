"""Backups of the database: make one, restore one into an empty database, prune old ones (roof).

PostgreSQL: ``pg_dump -Fc`` into ``lbc-YYYYMMDD-HHMMSS.dump`` (Asia/Shanghai time), restored by
``pg_restore`` in one transaction; SQLite: the ``sqlite3`` backup API, gzipped into
``lbc-YYYYMMDD-HHMMSS.sqlite3.gz``. Written under a hidden temporary name, synced, renamed (a
final name is always complete), owner-only. A restore goes only into an empty database. Both
write an audit event (``backup``) with the file name. ``database`` (a name on the same server or
a ``DATABASES``-style dict) overrides ``DATABASES["default"]`` for the drill and the tests; the
password reaches ``pg_dump``/``pg_restore`` in ``PGPASSWORD``, never on the command line. Why
this and not django-dbbackup: docs/OPERATIONS.md, "Backups".
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.db.backends.postgresql.client import DatabaseClient as PostgreSQLClient
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core import audit

log = logging.getLogger(__name__)

POSTGRESQL_SUFFIX = ".dump"
SQLITE_SUFFIX = ".sqlite3.gz"
# Our backups, and only ours: prune never touches any other file in the directory.
BACKUP_NAME = re.compile(r"^lbc-(\d{8})-(\d{6})(?:-(\d+))?(\.dump|\.sqlite3\.gz)$")
_PARTIAL_MAX_AGE = 24 * 3600  # a temporary file this old was left by a killed backup
# The tables whose rows make a database "in use": a restore never goes over them.
RECORD_TABLES = {"children": "registry_child", "users": "lbc_office_user"}


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the person running it."""


def make_backup(*, directory: str | Path | None = None, database=None) -> Path:
    """Write a dated, compressed backup of the database into ``directory`` (``BACKUP_DIR``) and
    return its path."""
    db = _database(database)
    engine = _engine(db)
    own = database is None  # the app's own database: on SQLite, read it through Django
    directory = Path(directory if directory is not None else settings.BACKUP_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    suffix = POSTGRESQL_SUFFIX if engine == "postgresql" else SQLITE_SUFFIX
    stamp = timezone.localtime(timezone=timezone.get_default_timezone()).strftime("%Y%m%d-%H%M%S")
    fd, partial = tempfile.mkstemp(dir=directory, prefix=f".lbc-{stamp}-", suffix=".partial")
    partial = Path(partial)  # mkstemp: readable and writable by the owner only
    try:
        with os.fdopen(fd, "wb") as out:
            if engine == "postgresql":
                _pg_dump(db, out)
            else:
                _sqlite_dump(db, out, directory, own=own)
            out.flush()
            os.fsync(out.fileno())
        path = _free_name(directory, stamp, suffix)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    log.info("backup written: %s (%d bytes)", path, path.stat().st_size)
    audit.record(audit.Action.BACKUP, detail=path.name)
    return path


def _free_name(directory: Path, stamp: str, suffix: str) -> Path:
    """``lbc-<stamp><suffix>``, or ``lbc-<stamp>-2<suffix>``… when a backup of the same second
    is already there: a second run never replaces the first."""
    path, n = directory / f"lbc-{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = directory / f"lbc-{stamp}-{n}{suffix}"
    return path


def _pg_dump(db: dict, out) -> None:
    args, env = _pg_command("pg_dump", db)
    args += ["--format=custom", "--no-owner", f"--dbname={db['NAME']}"]
    result = subprocess.run(args, env=env, stdout=out, stderr=subprocess.PIPE, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("pg_dump could not back up the database %(name)s: %(error)s")
            % {"name": db["NAME"], "error": _stderr(result)}
        )


def _sqlite_dump(db: dict, out, directory: Path, *, own: bool) -> None:
    """The backup API gives a consistent copy while the app keeps writing; then gzip it."""
    fd, copy = tempfile.mkstemp(dir=directory, prefix=".lbc-copy-", suffix=".partial")
    os.close(fd)
    try:
        with contextlib.ExitStack() as stack:
            if own:
                # Django's own connection: it also reaches an in-memory database (the tests'),
                # and never waits on a lock that this very process holds.
                django_connection = connections["default"]
                if django_connection.in_atomic_block:
                    # SQLite cannot copy a database from a connection that is writing to it (it
                    # would wait forever): a backup is never taken inside a transaction.
                    raise BackupError(_("A backup cannot be made inside a database transaction."))
                django_connection.ensure_connection()
                source = django_connection.connection
            else:
                source = stack.enter_context(contextlib.closing(_sqlite_source(db)))
            with contextlib.closing(sqlite3.connect(copy)) as target:
                source.backup(target)
        with open(copy, "rb") as raw, gzip.GzipFile(fileobj=out, mode="wb", filename="") as gz:
            shutil.copyfileobj(raw, gz, 1024 * 1024)
    finally:
        Path(copy).unlink(missing_ok=True)


def _sqlite_source(db: dict) -> sqlite3.Connection:
    name = str(db["NAME"])
    if name.startswith("file:"):
        return sqlite3.connect(name, uri=True)
    if name == ":memory:" or not Path(name).is_file():
        raise BackupError(_("There is no SQLite database file at %(name)s.") % {"name": name})
    return sqlite3.connect(name)


def restore(path: str | Path, *, force: bool = False, database=None) -> None:
    """Restore the backup at ``path`` into an empty database (``DATABASES["default"]`` unless
    ``database`` names another). A database with tables is refused; ``force=True`` accepts one
    with tables but no children and no users (migrated by mistake): the backup's tables replace
    its own. A database holding records is refused whatever ``force`` says."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": path})
    kind = _backup_kind(path)
    db = _database(database)
    engine = _engine(db)
    if kind != engine:
        raise BackupError(
            _(
                "%(file)s is a %(kind)s backup, but the database is %(engine)s: restore it into "
                "a database of the same kind."
            )
            % {"file": path.name, "kind": _ENGINE_NAMES[kind], "engine": _ENGINE_NAMES[engine]}
        )
    if engine == "postgresql":
        _pg_restore(path, db, force=force)
    else:
        _sqlite_restore(path, db, force=force)
    log.info("backup restored: %s into %s", path.name, db["NAME"])
    try:
        audit.record(audit.Action.BACKUP, detail=f"restored {path.name}")
    except DatabaseError:
        # The restore succeeded; say so rather than fail it (a drill from an install whose
        # own database is not reachable).
        log.warning("the restore of %s could not be written to the audit log", path.name)


_ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _backup_kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(5)
    if head == b"PGDMP":  # pg_dump's custom format
        return "postgresql"
    if head[:2] == b"\x1f\x8b":  # gzip: our SQLite backups
        return "sqlite"
    raise BackupError(
        _("%(file)s is not a backup made by `manage.py backup`.") % {"file": path.name}
    )


def _refusal(name: str, tables: int, records: dict, force: bool, create_hint: str) -> str | None:
    """Why a database with ``tables`` tables and these ``records`` is refused, if it is."""
    if tables == 0 or (force and not any(records.values())):
        return None
    if any(records.values()):
        return _(
            "The database %(name)s holds records (children: %(children)d, users: %(users)d): a "
            "backup is restored only into an empty database, never over records. %(hint)s"
        ) % {"name": name, **records, "hint": create_hint}
    return _(
        "The database %(name)s is not empty (tables: %(tables)d): a backup is restored only into "
        "an empty database. %(hint)s If it was only migrated and holds no records, --force "
        "replaces its tables."
    ) % {"name": name, "tables": tables, "hint": create_hint}


def _pg_restore(path: Path, db: dict, *, force: bool) -> None:
    name = db["NAME"]
    user = db.get("USER") or "lbc"
    hint = _(
        "Create an empty one owned by the application's user, e.g. `createdb --owner=%(user)s "
        "%(name)s_restored` (or in psql: CREATE DATABASE %(name)s_restored OWNER %(user)s;), "
        "and point DATABASE_URL at it."
    ) % {"user": user, "name": name}
    tables, records = _pg_state(db)
    refusal = _refusal(name, tables, records, force, hint)
    if refusal:
        raise BackupError(refusal)
    args, env = _pg_command("pg_restore", db)
    # One transaction: a restore that fails leaves the database as empty as it was.
    args += ["--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={name}"]
    if tables:
        args += ["--clean", "--if-exists"]
    args.append(str(path))
    result = subprocess.run(args, env=env, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("pg_restore could not restore %(file)s into %(name)s: %(error)s")
            % {"file": path.name, "name": name, "error": _stderr(result)}
        )


def _pg_state(db: dict) -> tuple[int, dict[str, int]]:
    """How many tables the database has, and how many rows each of ``RECORD_TABLES`` holds."""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if k != "pool"}
    conn = load_backend(db["ENGINE"]).DatabaseWrapper({**db, "OPTIONS": options}, "restore")
    try:
        conn.ensure_connection()
    except OperationalError as exc:
        raise BackupError(
            _(
                "Cannot connect to the database %(name)s: %(error)s\nIf it does not exist yet, "
                "create it empty and owned by the application's user: `createdb --owner=%(user)s "
                "%(name)s` (or in psql: CREATE DATABASE %(name)s OWNER %(user)s;)."
            )
            % {"name": db["NAME"], "user": db.get("USER") or "lbc", "error": str(exc).strip()}
        ) from exc
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_catalog.pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
            tables = cursor.fetchone()[0]
            present = conn.introspection.table_names(cursor)
            return tables, _records(cursor, present, quote=conn.ops.quote_name)
    finally:
        conn.close()


def _sqlite_restore(path: Path, db: dict, *, force: bool) -> None:
    name = str(db["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(
            _("Restore needs an SQLite database file, not %(name)s.") % {"name": name}
        )
    target = Path(name)
    hint = _("Move it aside, or set DATABASE_URL to a new file (sqlite:////path/to/new.sqlite3).")
    tables, records = _sqlite_state(target)
    refusal = _refusal(name, tables, records, force, hint)
    if refusal:
        raise BackupError(refusal)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, copy = tempfile.mkstemp(dir=target.parent, prefix=".lbc-restore-", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(path, "rb") as gz:
            shutil.copyfileobj(gz, out, 1024 * 1024)
        with contextlib.closing(sqlite3.connect(copy)) as source:
            # gzip's checksum has vouched for the bytes; this proves they are a database.
            # (PRAGMA integrity_check cannot run here: CHECK constraints call Django's
            # SQL functions, which only Django's connections define.)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            _close_django_connections_to(name)
            with contextlib.closing(sqlite3.connect(target)) as target_conn:
                source.backup(target_conn)  # page by page, under SQLite's own locks
    except (OSError, EOFError, sqlite3.DatabaseError) as exc:
        raise BackupError(
            _("%(file)s could not be restored: %(error)s") % {"file": path.name, "error": exc}
        ) from exc
    finally:
        Path(copy).unlink(missing_ok=True)


def _sqlite_state(target: Path) -> tuple[int, dict[str, int]]:
    if not target.exists():
        return 0, dict.fromkeys(RECORD_TABLES, 0)
    read_only = f"{target.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(read_only, uri=True)) as conn:
            cursor = conn.cursor()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            tables = [row[0] for row in cursor.fetchall()]
            return len(tables), _records(cursor, tables, quote=lambda table: f'"{table}"')
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("%(name)s is not an SQLite database that can be restored into: %(error)s")
            % {"name": target, "error": exc}
        ) from exc


def _records(cursor, tables, *, quote) -> dict[str, int]:
    """How many rows each of ``RECORD_TABLES`` holds (0 when it is not among ``tables``)."""
    records = dict.fromkeys(RECORD_TABLES, 0)
    for key, table in RECORD_TABLES.items():
        if table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (our constant)
            records[key] = cursor.fetchone()[0]
    return records


def _close_django_connections_to(name: str) -> None:
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "sqlite" and str(conn.settings_dict["NAME"]) == name:
            conn.close()


def backup_files(directory: str | Path) -> list[Path]:
    """Our backups in ``directory``, newest first (by the time in their names)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match and path.is_file():
            date, clock, n, _suffix = match.groups()
            found.append(((date, clock, int(n or 1)), path))
    return [path for _key, path in sorted(found, key=lambda item: item[0], reverse=True)]


def prune(directory: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` of our backups in ``directory`` (other files are left
    alone), and temporary files a killed backup left behind. Returns what was deleted."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    removed = backup_files(directory)[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
        log.info("old backup removed: %s", path)
    now = time.time()
    for path in Path(directory).glob(".lbc-*.partial"):  # left by a killed backup if this old
        if now - path.stat().st_mtime > _PARTIAL_MAX_AGE:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _database(database) -> dict:
    """``DATABASES["default"]``, or another database: a name on the same server, or a dict."""
    database = {"NAME": database} if isinstance(database, str) else database
    return {**connections["default"].settings_dict, **(database or {})}


def _engine(db: dict) -> str:
    engine = db.get("ENGINE", "")
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    if "sqlite3" in engine or "spatialite" in engine:
        return "sqlite"
    raise BackupError(
        _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": engine}
    )


def _pg_command(program: str, db: dict) -> tuple[list[str], dict[str, str]]:
    """``program`` connecting as ``manage.py dbshell`` does: secrets only in the environment."""
    binary = shutil.which(program)
    if binary is None:
        raise BackupError(
            _("%(program)s is not installed: install the PostgreSQL client (postgresql-client).")
            % {"program": program}
        )
    args, env = PostgreSQLClient.settings_to_cmd_args_env({"OPTIONS": {}, **db}, [])
    if args[-1] == db.get("NAME"):
        args.pop()  # the database goes in --dbname (pg_restore's one positional is the file)
    env = {**os.environ, **(env or {})}
    if timeout := (db.get("OPTIONS") or {}).get("connect_timeout"):
        env["PGCONNECT_TIMEOUT"] = str(timeout)  # the one libpq setting Django's client omits
    return [binary, "--no-password", *args[1:]], env  # --no-password: beat has no terminal


def _stderr(result: subprocess.CompletedProcess) -> str:
    text = (result.stderr or b"").decode("utf-8", "replace").strip()
    return text[-2000:] or _("exit status %(code)d") % {"code": result.returncode}


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
