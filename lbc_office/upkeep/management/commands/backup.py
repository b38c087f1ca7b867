"""``manage.py backup``: a dated, compressed backup of the database into BACKUP_DIR."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lbc_office.upkeep import backup


class Command(BaseCommand):
    help = (
        "Write a dated, compressed backup of the database (pg_dump -Fc on PostgreSQL, the "
        "backup API on SQLite) into BACKUP_DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", help="where to write it (default: the BACKUP_DIR setting)"
        )

    def handle(self, *args, directory=None, **options):
        try:
            path = backup.make_backup(directory=directory)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(size)s bytes).") % {"path": path, "size": size}
            )
        )
