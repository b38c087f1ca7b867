"""Reading a county clerk's spreadsheet: CSV (UTF-8 with or without BOM, or GB18030, as Excel
writes it on Chinese Windows) or XLSX, into a header and numbered rows of text.

Nothing here knows what the columns mean (``columns``) or touches the database. A file that
cannot be read is refused with a ``FileRefused`` whose message says what to do.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
# What a spreadsheet would run as a formula (see ``neutralise``).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
LOST_DIGITS = "\x00excel-number:"  # a long number Excel stored as a float (see _xlsx_text)


class FileRefused(Exception):
    """The file as a whole cannot be imported (wrong type, too large, damaged, no header)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the clerk sees it, cells)
    kind: str  # "csv" or "xlsx"
    encoding: str = ""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def read_table(data: bytes, *, limit: int | None = None, max_rows: int | None = None) -> Table:
    """Header and rows of the file; the header is line 1, blank lines are skipped.

    ``max_rows`` stops early (a quick look at an upload before a worker reads it all)."""
    limit = max_bytes() if limit is None else limit
    if len(data) > limit:
        raise FileRefused(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": _mb(len(data)), "limit": _mb(limit)}
        )
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        table = _read_xlsx(data, max_rows)
    elif data.startswith(OLD_EXCEL_MAGIC):
        raise FileRefused(
            _(
                "This is an old Excel file (.xls). In Excel, choose Save As and pick "
                "“Excel Workbook (.xlsx)” or “CSV”, then upload that."
            )
        )
    else:
        table = _read_csv(data, max_rows)
    if not any(cell.strip() for cell in table.header):
        raise FileRefused(_("Line 1 must hold the column names; it is empty."))
    return table


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is neither a spreadsheet (XLSX) nor text (CSV in UTF-8 or GB18030).")
        ) from None


def _read_csv(data: bytes, max_rows: int | None = None) -> Table:
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError:
        raise FileRefused(_("The file's text is damaged: save it again as CSV.")) from None
    if "\x00" in text:
        raise FileRefused(
            _("The file is neither a spreadsheet (XLSX) nor text (CSV in UTF-8 or GB18030).")
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if header is None:
                header = [c.strip() for c in cells]
            elif any(c.strip() for c in cells):
                rows.append((line, cells))
                if max_rows is not None and len(rows) >= max_rows:
                    break
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FileRefused(
            _("Line %(line)d cannot be read as CSV: %(reason)s") % {"line": line, "reason": exc}
        ) from None
    return Table(header=header or [], rows=rows, kind="csv", encoding=encoding)


def _read_xlsx(data: bytes, max_rows: int | None = None) -> Table:
    """The first sheet, read by calamine (Rust; openpyxl takes ten times as long on a county's
    register). Line numbers are the spreadsheet's own rows."""
    import python_calamine

    damaged = _(
        "The XLSX file cannot be opened: it may be damaged or not really an Excel workbook. "
        "Open it in Excel, save it again, and upload it once more."
    )
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        limit = None if max_rows is None else max_rows + 1
        values = sheet.to_python(skip_empty_area=False, nrows=limit)
    except Exception:  # calamine's errors (zip, XML, password…) and anything else it meets
        raise FileRefused(damaged) from None
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(values, start=1):
        cells = [_xlsx_text(v) for v in row]
        if header is None:
            if not any(c.strip() for c in cells):
                continue  # blank rows above the column names
            header = [c.strip() for c in cells]
        elif any(c.strip() for c in cells):
            rows.append((number, cells))
    return Table(header=header or [], rows=rows, kind="xlsx")


def _xlsx_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value >= 1e15:
        # Excel keeps 15 significant digits: an 18-digit identity number typed into a number
        # cell has lost its last digits. Marked, so the column's parser can say so.
        return f"{LOST_DIGITS}{int(value)}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def neutralise(value) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe.

    ``strip_neutralising`` undoes it on import, so an export re-imports to the same values.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def strip_neutralising(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".txt")


def sniff(upload) -> bytes:
    """An uploaded file's bytes, if it may be a register file: not too large, named and shaped
    as CSV or XLSX, and (for XLSX) a workbook that opens. Rows are checked later."""
    limit = max_bytes()
    if upload.size > limit:
        raise FileRefused(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": _mb(upload.size), "limit": _mb(limit)}
        )
    name = (upload.name or "").lower()
    if not name.endswith(ACCEPTED_SUFFIXES):
        raise FileRefused(
            _("Only CSV and XLSX files can be imported; “%(name)s” is neither.")
            % {"name": upload.name}
        )
    data = upload.read()
    if name.endswith(".xlsx") and not data.startswith(XLSX_MAGIC):
        raise FileRefused(
            _(
                "The XLSX file cannot be opened: it may be damaged or not really an Excel "
                "workbook. Open it in Excel, save it again, and upload it once more."
            )
        )
    table = read_table(data, limit=limit, max_rows=1)  # the rows are checked by a worker
    if not table.rows:
        raise FileRefused(_("The file has column names but no rows."))
    return data
