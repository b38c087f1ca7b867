"""Reading the first sheet of an XLSX workbook as a stream, with the caps enforced as it goes.

A workbook is a zip of XML files, and its size says nothing about what reading it costs: a
1,670-byte file whose cells sit at A1 and XFD1048576 made a range-allocating reader ask for
512 GiB, and a 3.7 MB zip unpacks to a million rows. So, before any cell is read:

- the zip's directory is checked: how many parts, and how large they say they are unpacked
  (a zip bomb declares, or unpacks to, far more than a register file can be);
- the sheet's declared ``<dimension ref="A1:M55000">`` must fit the row and column caps;

and while the sheet's XML is parsed (expat, one element at a time; nothing is kept but the rows
themselves, and only the cells that hold a value), every cell's row and column, each string's
length and the number of shared strings are checked against the same caps. Nothing here builds
a range from the declared or actual extent: a sparse sheet costs what its cells cost.

``read_rows`` yields ``(row number, [cell text, …])`` for each row with at least one value;
the sheet's own handlers are in ``xlsx_sheet``.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

MAIN_PARTS = 1000  # zip members: a workbook has a few dozen
WORKBOOK_PART_BYTES = 10 * 1024 * 1024  # workbook.xml, its relationships, styles.xml
CELL_CHARS = 32_767  # Excel's own limit for one cell
SHARED_STRINGS_PER_ROW = 5  # unique strings a register row can hold (number, name, date…)
CHUNK = 1 << 16

# Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones).
DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
_NOT_DATE_PARTS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
EPOCH_1900 = datetime.datetime(1899, 12, 30)
EPOCH_1904 = datetime.datetime(1904, 1, 1)


@dataclass(frozen=True)
class Limits:
    """What a register file may hold; ``None`` lifts a cap (the command's ``--no-limits``)."""

    rows: int | None  # sheet rows (CSV lines), the header included
    columns: int | None
    unpacked_bytes: int | None  # the workbook's parts, unpacked
    cells: int | None = None  # cells holding a value
    text_chars: int | None = None  # characters of text kept (cells and shared strings)


class Refused(Exception):
    """Raised with the clerk's message; ``files`` turns it into ``FileRefused``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def damaged() -> Refused:
    return Refused(
        _(
            "The XLSX file cannot be opened: it may be damaged or not really an Excel workbook. "
            "Open it in Excel, save it again, and upload it once more."
        )
    )


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``"C7"`` → (row 7, column index 2); None if it is not a cell reference."""
    match = _REF.match(ref.strip())
    if not match:
        return None
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column - 1


def too_many_rows(row: int, limit: int) -> Refused:
    return Refused(
        _(
            "Row %(row)s: the file has more rows than the %(limit)s a register file may have. "
            "Split it into smaller files, or delete what is below the last row, and upload again."
        )
        % {"row": f"{row:,}", "limit": f"{limit:,}"}
    )


def too_many_cells(row: int, limit: int) -> Refused:
    return Refused(
        _(
            "Row %(row)s: the file holds more than %(limit)s cells with a value, far more than a "
            "register. Delete the columns that are not part of the register and upload again."
        )
        % {"row": f"{row:,}", "limit": f"{limit:,}"}
    )


def too_much_text(limit: int) -> Refused:
    return Refused(
        _(
            "The file holds more than %(limit)s million characters of text, far more than a "
            "register. This is not a register file, or it holds something else as well."
        )
        % {"limit": f"{limit / 1_000_000:,.0f}"}
    )


def too_many_columns(cell: str, limit: int) -> Refused:
    return Refused(
        _(
            "Cell %(cell)s: the file has cells beyond column %(last)s; a register file has at "
            "most %(limit)d columns. Delete the cells to the right of the last column and "
            "upload again."
        )
        % {"cell": cell, "last": column_letters(limit - 1), "limit": limit}
    )


class Workbook:
    """The zip, checked, and the parts needed to read its first sheet."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
            raise damaged() from None
        if len(members) > MAIN_PARTS:
            raise Refused(
                _("The XLSX file holds %(count)s parts; a workbook has a few dozen.")
                % {"count": f"{len(members):,}"}
            )
        unpacked = sum(m.file_size for m in members)
        if limits.unpacked_bytes is not None and unpacked > limits.unpacked_bytes:
            raise Refused(
                _(
                    "The XLSX file unpacks to %(size)s MB, more than the %(limit)s MB a register "
                    "file may have. Save it as CSV, or split it, and upload again."
                )
                % {
                    "size": f"{unpacked / 1024 / 1024:,.0f}",
                    "limit": f"{limits.unpacked_bytes / 1024 / 1024:,.0f}",
                }
            )
        self.names = {m.filename.lstrip("/"): m for m in members}
        self.sheet_path, self.date1904 = self._first_sheet()
        self.date_styles = self._date_styles()

    def open(self, name: str):
        info = self.names.get(name)
        if info is None:
            raise damaged()
        try:
            return self.zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError):
            raise damaged() from None  # encrypted, an unknown compression…

    def small_part(self, name: str) -> bytes | None:
        info = self.names.get(name)
        if info is None:
            return None
        if info.file_size > WORKBOOK_PART_BYTES:
            raise damaged()
        with self.open(name) as part:
            try:
                return part.read(WORKBOOK_PART_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                raise damaged() from None

    def _first_sheet(self) -> tuple[str, bool]:
        book = self.small_part("xl/workbook.xml")
        rels = self.small_part("xl/_rels/workbook.xml.rels")
        if book is None or rels is None:
            raise damaged()
        sheet_ids: list[str] = []
        flags = {}

        def book_start(name, attrs):
            local = name.rpartition(":")[2]
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), "")
                sheet_ids.append(rid)
            elif local == "workbookPr":
                flags["date1904"] = attrs.get("date1904", "") in ("1", "true")

        _parse(book, book_start)
        targets = {}

        def rels_start(name, attrs):
            if name.rpartition(":")[2] == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        _parse(rels, rels_start)
        if not sheet_ids or sheet_ids[0] not in targets:
            raise damaged()
        target = targets[sheet_ids[0]]
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        return posixpath.normpath(path), flags.get("date1904", False)

    def _date_styles(self) -> set[str]:
        """The cell styles (``s="…"``) whose number format shows a date."""
        styles = self.small_part("xl/styles.xml")
        if styles is None:
            return set()
        custom: dict[int, str] = {}
        formats: list[int] = []
        where = {"xfs": False}

        def start(name, attrs):
            local = name.rpartition(":")[2]
            if local == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                where["xfs"] = True
            elif local == "xf" and where["xfs"]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)

        def end(name):
            if name.rpartition(":")[2] == "cellXfs":
                where["xfs"] = False

        _parse(styles, start, end)
        dates = set()
        for index, fmt in enumerate(formats):
            if fmt in custom:
                code = _NOT_DATE_PARTS.sub("", custom[fmt]).lower()
                if any(c in code for c in "ymdhs") and "general" not in code:
                    dates.add(str(index))
            elif fmt in DATE_FORMAT_IDS:
                dates.add(str(index))
        return dates

    def shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.names:
            return []
        strings: list[str] = []
        limit = None if self.limits.rows is None else self.limits.rows * SHARED_STRINGS_PER_ROW
        chars = self.limits.text_chars
        state = {"text": None, "skip": 0, "chars": 0}
        parts: list[str] = []

        def start(name, attrs):
            local = name.rpartition(":")[2]
            if local == "si":
                parts.clear()
            elif local == "t" and not state["skip"]:
                state["text"] = []
            elif local in ("rPh", "phoneticPr"):
                state["skip"] += 1

        def end(name):
            local = name.rpartition(":")[2]
            if local == "t" and state["text"] is not None:
                parts.append("".join(state["text"]))
                state["text"] = None
            elif local in ("rPh", "phoneticPr"):
                state["skip"] -= 1
            elif local == "si":
                text = "".join(parts)
                if len(text) > CELL_CHARS:
                    raise too_long_text()
                strings.append(text)
                state["chars"] += len(text)
                if chars is not None and state["chars"] > chars:
                    raise too_much_text(chars)
                if limit is not None and len(strings) > limit:
                    raise Refused(
                        _("The XLSX file holds more than %(limit)s different texts.")
                        % {"limit": f"{limit:,}"}
                    )

        def data(text):
            if state["text"] is not None:
                state["text"].append(text)
                if len(state["text"]) > 64 and sum(map(len, state["text"])) > CELL_CHARS:
                    raise too_long_text()

        with self.open("xl/sharedStrings.xml") as part:
            _parse_stream(part, start, end, data)
        return strings


def too_long_text() -> Refused:
    return Refused(
        _("A cell holds more than %(limit)s characters, more than Excel itself allows.")
        % {"limit": f"{CELL_CHARS:,}"}
    )


def _parser(start, end=None, data=None):
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data

    def no_doctype(*_args):  # no entities, no billion laughs: a workbook has no DTD
        raise damaged()

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    return parser


def _parse(data: bytes, start, end=None, data_handler=None) -> None:
    try:
        _parser(start, end, data_handler).Parse(data, True)
    except expat.ExpatError:
        raise damaged() from None


def _parse_stream(part, start, end=None, data_handler=None) -> None:
    parser = _parser(start, end, data_handler)
    try:
        while chunk := part.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise damaged() from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise damaged() from None  # a bad CRC, a truncated stream, a lying size


def read_rows(data: bytes, limits: Limits, *, stop_after: int | None = None) -> Iterator:
    """``(row number, cells)`` of the first sheet's rows that hold a value, in order.

    ``stop_after`` ends the reading after that many rows with values (a quick look)."""
    from registry.importing.xlsx_sheet import SheetReader

    book = Workbook(data, limits)
    strings = book.shared_strings()
    rows: list[tuple[int, list[str]]] = []
    reader = SheetReader(book, strings, rows, stop_after)
    with book.open(book.sheet_path) as part:
        parser = _parser(reader.start, reader.end, reader.data)
        try:
            while not reader.done and (chunk := part.read(CHUNK)):
                parser.Parse(chunk, False)
                yield from rows
                rows.clear()
            if not reader.done:
                parser.Parse(b"", True)
        except expat.ExpatError:
            raise damaged() from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise damaged() from None
    yield from rows
