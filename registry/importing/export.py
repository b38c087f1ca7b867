"""Writing the register back out in the import format: exports and blank templates.

Exports use the import's own columns and values (``columns.headers``/``format_value``), so an
exported file re-imports cleanly; every cell a spreadsheet would run as a formula is neutralised
(``core.cells.neutralise``), and XLSX cells are always written as text, never as formulas.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.cells import neutralise
from registry.importing.columns import (
    CHILD_COLUMNS,
    SCHOOL_COLUMNS,
    format_value,
    headers,
    parse_yes_no,
)
from registry.models import child_rules

# The clerk's fields (child_rules.ENTERED) as the file writes them: the school by its code, the
# village by its town and name.
_AS_WRITTEN = {"school": ("school__code",), "village": ("village__town__name", "village__name")}
CHILD_FIELDS = tuple(
    lookup for name in child_rules.ENTERED for lookup in _AS_WRITTEN.get(name, (name,))
)
COLUMNS = {"children": CHILD_COLUMNS, "schools": SCHOOL_COLUMNS}


def child_rows(queryset, *, chinese: bool) -> Iterator[list[str]]:
    """The children of ``queryset`` as import rows (one query, streamed in chunks)."""
    keys = [c.key for c in CHILD_COLUMNS]
    for values in queryset.order_by("pk").values_list(*CHILD_FIELDS).iterator(chunk_size=2000):
        yield [neutralise(format_value(k, v, chinese)) for k, v in zip(keys, values, strict=True)]


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text with a BOM, so that Excel on Chinese Windows opens it as UTF-8."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8.decode("utf-8")
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(header: list[str], rows: Iterable[list[str]], *, notes=None):
    """A write-only workbook spooled to disk past 10 MB; every cell is text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Register"))

    def text_cells(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, even if it looks like a formula or a number
            cells.append(cell)
        return cells

    sheet.append(text_cells(header))
    for row in rows:
        # Plain strings are written as text; only one starting with "=" would become a formula,
        # and every row here has been neutralised (a test checks each cell's type).
        sheet.append([neutralise(value) for value in row])
    if notes:
        notes_sheet = book.create_sheet(_("Notes"))
        for row in notes:
            notes_sheet.append(text_cells(row))
    # Closed by the FileResponse that sends it.
    spooled = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115
    book.save(spooled)
    spooled.seek(0)
    return spooled


def template_notes(kind: str) -> list[list[str]]:
    """The XLSX template's second sheet: each column in both languages, and what it takes."""
    accepted = {
        "sex": "M, F, 男, 女",
        "date_of_birth": "2012-03-05, 2012/3/5, 2012年3月5日",
        "grade": "1–9, 三年级, 初一",
        "guardian": "grandparents, mother, father, relatives, none / 祖辈, 母亲, 父亲, 亲戚, 无",
        "level": "primary, middle / 小学, 初中",
        "family_phones": "0, 1, 2 …",
        "family_chat_rooms": "0, 1, 2 …",
    }
    rows = [[_("Chinese column"), _("English column"), _("Required"), _("Accepted values")]]
    for column in COLUMNS[kind]:
        values = accepted.get(column.key) or (
            "yes, no, 是, 否, 1, 0" if column.parse is parse_yes_no else ""
        )
        rows.append([column.zh, column.key, _("yes") if column.required else _("no"), values])
    return rows


def template_csv(kind: str, *, chinese: bool) -> str:
    return "".join(csv_stream(headers(COLUMNS[kind], chinese), []))


def template_xlsx(kind: str, *, chinese: bool) -> io.BufferedIOBase:
    return xlsx_file(headers(COLUMNS[kind], chinese), [], notes=template_notes(kind))


def record_export(request, *, kind: str, fmt: str, rows: int, filters: dict, children=()) -> None:
    """Who exported what: the filter's fields and values, never what was typed in a search, and
    the key of every child in the file (so that "who has seen child X" finds the export too)."""
    described = ", ".join(f"{k}={v}" for k, v in sorted(filters.items()) if k != "q")
    if filters.get("q"):
        described = ", ".join(filter(None, [described, "search=yes"]))
    audit.record(
        audit.Action.EXPORT,
        request=request,
        object_type=f"registry.{'child' if kind == 'children' else 'school'}",
        detail=f"format={fmt} rows={rows} filter=[{described}]",
        children=children,
    )
