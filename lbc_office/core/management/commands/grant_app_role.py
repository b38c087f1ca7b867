"""``manage.py grant_app_role``: give the application's database role its rights, as the owner.

Idempotent; ``migrate`` runs it too. See lbc_office/core/dbroles.py and docs/OPERATIONS.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lbc_office.core import dbroles


class Command(BaseCommand):
    help = (
        "As the owner role (MIGRATE_DATABASE_URL), grant the application role (DATABASE_URL's "
        "user) what it needs: DML on the tables, only INSERT and SELECT on the audit log, and "
        "the same on every table later migrations create. PostgreSQL only; idempotent."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--role", help="the application role (default: DATABASE_URL's user)")
        parser.add_argument(
            "--database",
            default=None,
            help="the alias to connect as (default: 'owner' when MIGRATE_DATABASE_URL is set)",
        )
        parser.add_argument("--print", action="store_true", help="print the SQL, run nothing")

    def handle(self, *args, role=None, database=None, **options):
        if options["print"]:
            from django.db import connections

            connection = connections[database or dbroles.owner_alias()]
            settings_dict = connection.settings_dict
            for statement in dbroles.grant_sql(
                app=role or dbroles.app_role(),
                owner=settings_dict.get("USER") or "OWNER",
                database=settings_dict["NAME"],
            ):
                self.stdout.write(statement + ";")
            return
        try:
            statements = dbroles.grant_app_role(using=database, app=role)
        except dbroles.RoleError as exc:
            raise CommandError(str(exc)) from exc
        if not statements:
            self.stdout.write("Not PostgreSQL: nothing to grant.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Granted the application role {role or dbroles.app_role()!r} its rights "
                f"({len(statements)} statements)."
            )
        )
