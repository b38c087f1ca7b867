"""The flow every import follows: the header, each row's cells, then the register.

``check`` reads every row and checks it against the register, and writes nothing: it is the
preview and ``--dry-run``. ``run`` takes the lock, checks the same way inside one transaction
with a writer (``children_write``, ``schools``) that the rows which pass are handed to, and
commits only when no row has an error: all or nothing, with history and one audit event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.cells import strip_neutralising
from registry.importing.columns import CellError, ImportColumn, format_value, match_header
from registry.importing.files import RegisterFile
from registry.importing.report import ImportReport, Progress, RowError, no_progress

PREVIEW_ROWS = 10
# (line as the clerk sees it, the values read from its cells, whether every cell was read)
Parsed = list[tuple[int, dict, bool]]


class Importer:
    """Reading and the flow; subclasses check the rows against the register and write."""

    kind = ""
    model_label = ""
    columns: list[ImportColumn] = []

    def __init__(self, sheet: RegisterFile, *, by, progress: Progress | None = None):
        self.sheet = sheet
        self.by = by
        self.progress = progress or no_progress
        self.report = ImportReport(kind=self.kind, rows=len(sheet.rows))
        self.found: dict[str, int] = {}

    # -- the flow --------------------------------------------------------------------------

    def check(self) -> ImportReport:
        """Every row checked and reported; nothing written."""
        self._check(writer=None)
        return self.report

    def run(self, *, dry_run: bool = False) -> ImportReport:
        """Check and, when every row is right, write everything in one transaction."""
        with transaction.atomic():
            self._lock()
            writer = None if dry_run else self.writer()
            self._check(writer)
            if not self.report.ok:
                transaction.set_rollback(True)  # anything already handed over is undone
            elif writer is not None:
                writer.finish()
                self.report.written = True
                self._audit()
        return self.report

    def _check(self, writer) -> None:
        self.report = ImportReport(kind=self.kind, rows=len(self.sheet.rows))
        if not self._read_header():
            return
        parsed = self._parse_cells()
        self._preview(parsed)  # the rows as read, before the checks put records in them
        self._check_rows(parsed, writer)

    def _audit(self) -> None:
        report = self.report
        audit.record(
            audit.Action.IMPORT,
            user=self.by,
            object_type=self.model_label,
            detail=(
                f"rows={report.rows} created={len(report.created)} "
                f"updated={len(report.updated)} unchanged={report.unchanged}"
            ),
        )

    # -- reading ---------------------------------------------------------------------------

    def _read_header(self) -> bool:
        header = self.sheet.header
        found, unknown, duplicates, missing = match_header(header, self.columns)
        self.found = found
        self.report.ignored_columns = unknown
        self.report.columns = [header[found[c.key]] for c in self.columns if c.key in found]
        for cell in duplicates:
            self.error(1, cell, _("This column appears twice."))
        for column in missing:
            self.error(
                1,
                column.zh,
                _("The column is missing: name it %(zh)s or %(key)s.")
                % {"zh": column.zh, "key": column.key},
            )
        if not self.sheet.rows:
            self.error(1, "-", _("The file has column names but no rows."))
        return self.report.ok

    def column_name(self, key: str) -> str:
        """The column as the clerk's file names it (so an error points at what they see)."""
        index = self.found.get(key)
        if index is not None:
            return self.sheet.header[index]
        return next((c.zh for c in self.columns if c.key == key), key)

    def error(self, line: int, column: str, message: str) -> None:
        self.report.add_error(RowError(line, column, message))

    def _parse_cells(self) -> Parsed:
        """A row with a bad cell is still checked against the register, so that one report
        lists all of its errors."""
        parsed = []
        total = len(self.sheet.rows)
        header = self.sheet.header
        columns = [(c.key, c.parse, self.found[c.key]) for c in self.columns if c.key in self.found]
        width = max(index for _key, _parse, index in columns) + 1
        for n, (line, cells) in enumerate(self.sheet.rows, start=1):
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            values = {}
            ok = True
            for key, parse, index in columns:
                raw = cells[index]
                if raw[:1] == "'":
                    raw = strip_neutralising(raw)
                try:
                    values[key] = parse(raw)
                except CellError as exc:
                    self.error(line, header[index], exc.message)
                    ok = False
            parsed.append((line, values, ok))
            if n % 5000 == 0:
                self.progress("reading", n, total)
        self.progress("reading", total, total)
        return parsed

    def _preview(self, parsed: Parsed) -> None:
        keys = [c.key for c in self.columns if c.key in self.found]
        self.report.preview = [
            [str(line), *(format_value(k, values.get(k, ""), chinese=False) for k in keys)]
            for line, values, _ok in parsed[:PREVIEW_ROWS]
        ]

    def model_errors(self, line: int, exc: ValidationError, field_columns: dict) -> None:
        for name, messages in exc.message_dict.items():
            column = "-" if name == "__all__" else self.column_name(field_columns.get(name, name))
            for message in messages:
                self.error(line, column, message)

    # -- for subclasses --------------------------------------------------------------------

    def _lock(self) -> None:
        """Serialise imports: two officials importing at once would race on new records."""

    def writer(self):
        """What ``run`` hands the rows that pass to; its ``finish()`` writes the rest."""
        raise NotImplementedError

    def _check_rows(self, parsed: Parsed, writer) -> None:
        raise NotImplementedError
