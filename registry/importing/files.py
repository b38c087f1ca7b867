"""Reading a county clerk's spreadsheet: CSV (UTF-8 with or without BOM, or GB18030, as Excel
writes it on Chinese Windows) or XLSX, into a header and numbered rows of text.

Nothing here knows what the columns mean (``columns``) or touches the database. A file that
cannot be read is refused with a ``FileRefused`` whose message says what to do.

Every file is held to the caps of ``settings.IMPORT_MAX_*`` (README, "Import limits") before
its rows are read: its size; a CSV's lines and longest line, on its bytes; an XLSX's zip
directory and declared dimension (``xlsx``, which then streams the sheet with the same caps).
The upload page, the worker and the commands all read through ``read_register_file``.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from registry.importing import xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
LOST_DIGITS = "\x00excel-number:"  # a long number Excel stored as a float (see _xlsx_text)


class FileRefused(Exception):
    """The file as a whole cannot be imported (wrong type, too large, damaged, no header)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RegisterFile:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the clerk sees it, cells)
    kind: str  # "csv" or "xlsx"
    encoding: str = ""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def limits(*, caps: bool = True) -> xlsx.Limits:
    """The caps of ``settings`` (README, "Import limits"), or none at all."""
    if not caps:
        return xlsx.Limits(rows=None, columns=None, unpacked_bytes=None)
    return xlsx.Limits(
        rows=settings.IMPORT_MAX_ROWS,
        columns=settings.IMPORT_MAX_COLUMNS,
        unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
        cells=settings.IMPORT_MAX_CELLS,
        # No more text than a CSV of the largest accepted size could hold (twice, for margin).
        text_chars=2 * settings.IMPORT_MAX_BYTES,
    )


def too_large(size: int, limit: int) -> FileRefused:
    return FileRefused(
        _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
        % {"size": _mb(size), "limit": _mb(limit)}
    )


def read_register_file(
    data: bytes, *, limit: int | None = None, max_rows: int | None = None, caps: bool = True
) -> RegisterFile:
    """Header and rows of the file; the header is line 1, blank lines are skipped.

    ``max_rows`` stops early (a quick look at an upload before a worker reads it all).
    ``caps=False`` lifts the size, row, column and line caps (the command's ``--no-limits``)."""
    if caps:
        limit = max_bytes() if limit is None else limit
        if len(data) > limit:
            raise too_large(len(data), limit)
    if not data.strip():
        raise FileRefused(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        sheet = _read_xlsx(data, max_rows, limits(caps=caps))
    elif data.startswith(OLD_EXCEL_MAGIC):
        raise FileRefused(
            _(
                "This is an old Excel file (.xls). In Excel, choose Save As and pick "
                "“Excel Workbook (.xlsx)” or “CSV”, then upload that."
            )
        )
    else:
        sheet = _read_csv(data, max_rows, caps=caps)
    if not any(cell.strip() for cell in sheet.header):
        raise FileRefused(_("Line 1 must hold the column names; it is empty."))
    return sheet


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


def check_csv_lines(data: bytes, *, max_lines: int, max_line_bytes: int) -> None:
    """Refuse a CSV with too many lines or too long a line, before decoding or parsing it:
    one 100 MB line of commas would otherwise become millions of cells."""
    # Lines end with LF, CRLF or (old Excel for Mac) a lone CR.
    lines = max(data.count(b"\n"), data.count(b"\r")) + (0 if data.endswith((b"\n", b"\r")) else 1)
    if lines > max_lines:
        raise FileRefused(
            _(
                "Line %(line)s: the file has %(count)s lines, more than the %(limit)s a register "
                "file may have. Split it into smaller files and upload them one by one."
            )
            % {"line": f"{max_lines + 1:,}", "count": f"{lines:,}", "limit": f"{max_lines:,}"}
        )
    breaks = data.replace(b"\r", b"\n") if b"\r" in data else data
    position, size = 0, len(breaks)
    while position < size:
        end = breaks.find(b"\n", position, position + max_line_bytes + 1)
        if end == -1:
            if size - position > max_line_bytes:
                line = max(data.count(b"\n", 0, position), data.count(b"\r", 0, position)) + 1
                raise FileRefused(
                    _(
                        "Line %(line)s: the line is longer than %(limit)s KB; a register line "
                        "is a few hundred bytes. This is not a register file, or it is damaged."
                    )
                    % {"line": f"{line:,}", "limit": f"{max_line_bytes // 1024:,}"}
                )
            break
        position = end + 1


def _read_csv(data: bytes, max_rows: int | None = None, *, caps: bool = True) -> RegisterFile:
    if caps:
        check_csv_lines(
            data,
            max_lines=settings.IMPORT_MAX_ROWS,
            max_line_bytes=settings.IMPORT_MAX_LINE_BYTES,
        )
    max_columns = settings.IMPORT_MAX_COLUMNS if caps else None
    max_cells = settings.IMPORT_MAX_CELLS if caps else None
    cells_read = 0
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
            if max_columns is not None and len(cells) > max_columns:
                raise FileRefused(
                    _(
                        "Line %(line)s: the line has %(count)s columns; a register file has at "
                        "most %(limit)s. Check the separator, or delete the extra columns."
                    )
                    % {"line": f"{line:,}", "count": f"{len(cells):,}", "limit": max_columns}
                )
            cells_read += len(cells) - cells.count("")  # empty cells cost nothing
            if max_cells is not None and cells_read > max_cells:
                raise FileRefused(xlsx.too_many_cells(line, max_cells).message)
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
    return RegisterFile(header=header or [], rows=rows, kind="csv", encoding=encoding)


def _read_xlsx(data: bytes, max_rows: int | None, limits: xlsx.Limits) -> RegisterFile:
    """The first sheet, streamed (``xlsx``): the caps are checked before and while reading, and
    only the cells holding a value are kept. Line numbers are the spreadsheet's own rows."""
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    stop_after = None if max_rows is None else max_rows + 1
    try:
        for number, cells in xlsx.read_rows(data, limits, stop_after=stop_after):
            if header is None:
                if not any(c.strip() for c in cells):
                    continue  # blank rows above the column names
                header = [c.strip() for c in cells]
            elif any(c.strip() for c in cells):
                rows.append((number, cells))
                if max_rows is not None and len(rows) >= max_rows:
                    break
    except xlsx.Refused as exc:
        raise FileRefused(exc.message) from None
    return RegisterFile(header=header or [], rows=rows, kind="xlsx")


def xlsx_text(value) -> str:
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


ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".txt")


def sniff(upload) -> bytes:
    """An uploaded file's bytes, if it may be a register file: not too large (checked on the
    upload's size, before reading it), named and shaped as CSV or XLSX, within the caps that can
    be seen without reading every row (a CSV's lines, a workbook's zip directory and declared
    dimension), and readable up to its first row. Every row is read, with the caps, by a worker."""
    limit = max_bytes()
    if upload.size > limit:
        raise too_large(upload.size, limit)
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
    sheet = read_register_file(data, limit=limit, max_rows=1)  # the rows are checked by a worker
    if not sheet.rows:
        raise FileRefused(_("The file has column names but no rows."))
    return data
