"""Two PostgreSQL roles: the owner, which migrates, and the application's, which owns nothing.

Whoever owns a table may ``TRUNCATE`` it or ``ALTER TABLE … DISABLE TRIGGER`` and then update
and delete, whatever its triggers say. The audit log's append-only trigger (migration 0003)
therefore means something only when the role the application connects as does not own the
audit table. So:

- the **owner** role (``MIGRATE_DATABASE_URL``) owns the database and every table; ``manage.py
  migrate`` connects as it (the ``owner`` alias, see settings), and so do ``restore`` and
  ``grant_app_role``;
- the **application** role (``DATABASE_URL``: web, worker, beat, every other command) gets
  what Django needs and nothing more: ``SELECT, INSERT, UPDATE, DELETE`` on the tables and
  ``USAGE, SELECT, UPDATE`` on the sequences; on the audit table only ``INSERT`` and
  ``SELECT`` (and no ``UPDATE``, i.e. ``setval``, on its key sequence); on ``django_migrations``
  only ``SELECT``; never ``TRUNCATE``, ``REFERENCES``,
  ``TRIGGER`` or ``CREATE`` on the schema.

``grant_sql`` is the whole set of statements, all idempotent. Default privileges make every
table a future migration creates readable and writable by the application at once; the grants
are nevertheless re-applied after every ``migrate`` (so that a re-created audit table loses
``UPDATE``/``DELETE`` again). What else the application does needs no more than this: COPY …
FROM STDIN (imports) needs ``INSERT``; temporary tables need ``TEMPORARY`` on the database;
``pg_dump`` (backups) needs ``SELECT``; advisory locks, ``SET LOCAL``/``set_config`` of
``work_mem`` and ``gin_pending_list_limit``, ``SET CONSTRAINTS`` need no privilege at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections, transaction

from lbc_office.core.models import AuditEvent, AuditEventChild

OWNER_ALIAS = "owner"
# What the application may do; the exceptions follow.
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
READ_ONLY = ("django_migrations",)
# The audit log: its events and the children a list showed. Append and read, nothing else.
APPEND_ONLY = (AuditEvent, AuditEventChild)


class RoleError(Exception):
    """A set-up that would leave the audit log in the application's hands."""


def owner_alias() -> str:
    """The alias that migrates: ``owner`` when ``MIGRATE_DATABASE_URL`` is set, else default."""
    return OWNER_ALIAS if OWNER_ALIAS in connections.databases else "default"


def app_role() -> str:
    """DATABASE_URL's user (from the settings: the connection may have been switched)."""
    return settings.DATABASES["default"].get("USER") or ""


def connect_default_as_owner() -> bool:
    """For this process (``migrate``, ``restore``): the ``default`` connection logs in as the
    owner role, so that whatever the command runs through ``default`` — data migrations that
    use the default manager, the audit event of a restore — is the owner's too. True when it
    switched (``MIGRATE_DATABASE_URL`` is set)."""
    if OWNER_ALIAS not in connections.databases:
        return False
    default = connections["default"]
    default.close()
    owner = connections[OWNER_ALIAS].settings_dict
    default.settings_dict = {
        **default.settings_dict,
        **{key: owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")},
    }
    return True


def grant_sql(*, app: str, owner: str, database: str, schema: str = "public") -> list[str]:
    q = connections["default"].ops.quote_name
    app, owner, database, schema = q(app), q(owner), q(database), q(schema)
    statements = [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
        # Before PostgreSQL 15 everyone may create tables in "public": not the application.
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        *(f"REVOKE UPDATE, DELETE ON {q(m._meta.db_table)} FROM {app}" for m in APPEND_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE ON {q(t)} FROM {app}" for t in READ_ONLY),
        # Tables and sequences the owner creates later (the next migrations).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT {TABLE_RIGHTS} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {app}",
    ]
    return statements


def grant_app_role(*, using: str | None = None, app: str | None = None) -> list[str]:
    """Run ``grant_sql`` as the owner (connection ``using``) for the application role ``app``
    (``DATABASE_URL``'s user by default); return the statements run. Refuses a set-up in which
    the application would still own tables or be the owner or a superuser."""
    connection = connections[using or owner_alias()]
    if connection.vendor != "postgresql":
        return []
    app = app or app_role()
    q = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app])
        row = cursor.fetchone()
        if not app or row is None:
            raise RoleError(f"The application role {app!r} does not exist.")
        if app == owner:
            raise RoleError(
                f"The application connects as {app!r}, the role that migrates: set "
                "MIGRATE_DATABASE_URL to the owner role and DATABASE_URL to the application's."
            )
        if row[0]:
            raise RoleError(f"The application role {app!r} is a superuser: it may do anything.")
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND pg_get_userbyid(c.relowner) = %s",
            [schema, app],
        )
        if cursor.fetchone()[0]:
            raise RoleError(
                f"The application role {app!r} owns tables in {database}: as a superuser, run "
                f"REASSIGN OWNED BY {app} TO {owner}; first (docs/OPERATIONS.md)."
            )
        statements = grant_sql(app=app, owner=owner, database=database, schema=schema)
        # Their key sequences: no setval either (which could make every later INSERT collide).
        for model in APPEND_ONLY:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequence = cursor.fetchone()[0]
            if sequence:  # already quoted by PostgreSQL
                statements.append(f"REVOKE UPDATE ON SEQUENCE {sequence} FROM {q(app)}")
        for statement in statements:
            cursor.execute(statement)
    return statements
