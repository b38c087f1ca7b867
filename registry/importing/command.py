"""What ``import_schools`` and ``import_children`` share: read, import, print the report."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.importing import FileRefused, import_file
from registry.importing.files import max_bytes, too_large


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and write nothing"
        )
        parser.add_argument(
            "--user", help="the official recorded as the author (default: nobody, a system import)"
        )
        parser.add_argument(
            "--no-limits",
            action="store_true",
            help="lift the caps on the file's size, rows, columns and line length "
            "(IMPORT_MAX_*; for a file you know, on a machine with the memory for it)",
        )

    def county(self, options):
        return None

    def handle(self, *args, **options):
        path = Path(options["file"])
        caps = not options["no_limits"]
        try:
            if caps and path.stat().st_size > max_bytes():  # refused before it is read
                raise CommandError(f"{path}: {too_large(path.stat().st_size, max_bytes()).message}")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        by = None
        if options.get("user"):
            by = get_user_model().objects.filter(username=options["user"]).first()
            if by is None:
                raise CommandError(f"--user: no user is called {options['user']}")
        try:
            report = import_file(
                self.kind,
                data,
                by=by,
                county=self.county(options),
                dry_run=options["dry_run"],
                caps=caps,
            )
        except FileRefused as exc:
            raise CommandError(f"{path}: {exc.message}") from None
        for error in report.errors:
            self.stderr.write(str(error))
        if report.more_errors:
            self.stderr.write(
                _("… and %(count)s more errors.") % {"count": f"{report.more_errors:,}"}
            )
        if not report.ok:
            raise CommandError(
                _("Nothing was imported: %(count)d errors in %(rows)d rows.")
                % {"count": report.error_count, "rows": report.rows}
            )
        self.stdout.write(report.summary())
        for warning in report.warnings:  # suspected duplicates: they do not stop the import
            self.stdout.write(str(warning))
        if report.more_warnings:
            self.stdout.write(
                _("… and %(count)s more warnings.") % {"count": f"{report.more_warnings:,}"}
            )
        if report.new_towns:
            self.stdout.write(_("New towns: %(towns)s") % {"towns": "、".join(report.new_towns)})
        if report.new_villages:
            self.stdout.write(_("New villages: %(count)d") % {"count": report.new_villages})
        if report.ignored_columns:
            self.stdout.write(
                _("Columns ignored: %(columns)s") % {"columns": ", ".join(report.ignored_columns)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        elif not report.created and not report.updated:
            self.stdout.write(_("Nothing changed: every row is already in the register."))
