"""``manage.py restore FILE``: restore a backup into the (empty) database DATABASE_URL names."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from lbc_office.core import dbroles
from lbc_office.upkeep import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database (the one "
        "DATABASE_URL names). A database holding records is always refused."
    )
    # The database is empty until the restore is done: nothing to check before it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="a lbc-….dump (PostgreSQL) or lbc-….sqlite3.gz (SQLite)")
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "also restore into a database that has tables but no children and no users "
                "(migrated by mistake): the backup's tables replace them"
            ),
        )

    def handle(self, *args, file, force=False, **options):
        # As the owner role when MIGRATE_DATABASE_URL is set: the restored tables are the
        # owner's, and the application role then gets its rights again.
        as_owner = dbroles.connect_default_as_owner()
        try:
            backup.restore(file, force=force)
            if as_owner:
                dbroles.grant_app_role()
        except (backup.BackupError, dbroles.RoleError) as exc:
            raise CommandError(str(exc)) from exc
        name = connections["default"].settings_dict["NAME"]
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(file)s into the database %(name)s.") % {"file": file, "name": name}
            )
        )
        self.stdout.write(
            _(
                "Next: `manage.py migrate` (if the code is newer than the backup), then "
                "`manage.py check --deploy`, compare row counts and sign in."
            )
        )
