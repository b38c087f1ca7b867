"""``manage.py migrate`` as the owner role: Django's command, connected through the ``owner``
alias when ``MIGRATE_DATABASE_URL`` is set, then ``grant_app_role`` for the application role.

Without ``MIGRATE_DATABASE_URL`` (the laptop, the tests) it is Django's command as it is. An
explicit ``--database`` is obeyed (the test runner migrates its test database that way).
"""

from __future__ import annotations

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from lbc_office.core import dbroles


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as MIGRATE_DATABASE_URL's owner role when it is set."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(database=dbroles.owner_alias())

    def handle(self, *args, **options):
        as_owner = options["database"] == dbroles.OWNER_ALIAS
        if as_owner:
            # Through "default", switched to the owner's login: data migrations that use the
            # default manager (not schema_editor's alias) then run as the owner too.
            dbroles.connect_default_as_owner()
            options["database"] = "default"
        super().handle(*args, **options)
        if (
            as_owner
            and connections["default"].vendor == "postgresql"
            and not options["plan"]
            and not options["check_unapplied"]
        ):
            dbroles.grant_app_role(using=dbroles.OWNER_ALIAS)
            if options["verbosity"] >= 1:
                role = dbroles.app_role()
                self.stdout.write(f"Granted the application role {role!r} its rights.")
