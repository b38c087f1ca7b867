"""The handlers that read one worksheet's XML (``xl/worksheets/sheetN.xml``) for ``xlsx``.

One row at a time, keeping only the cells that hold a value; every cell's row and column, the
declared dimension, and the cells and characters kept are checked against the caps as they
come, so no grid is ever laid out from what the sheet declares or where its cells sit.
"""

from __future__ import annotations

import datetime

from registry.importing.xlsx import (
    CELL_CHARS,
    EPOCH_1900,
    EPOCH_1904,
    Workbook,
    column_letters,
    damaged,
    parse_ref,
    too_long_text,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    too_much_text,
)

DIGITS = "0123456789"


class SheetReader:
    """expat's handlers for ``sheetN.xml``: one row at a time, only cells holding a value.

    Written for speed (a county's 710,000 cells): a handler per element, no objects per cell."""

    def __init__(self, book: Workbook, strings: list[str], out: list, stop_after: int | None):
        self.max_rows = book.limits.rows
        self.max_columns = book.limits.columns
        self.max_cells = book.limits.cells
        self.max_chars = book.limits.text_chars
        self.kept_cells = 0
        self.kept_chars = 0
        self.date_styles = book.date_styles
        self.epoch = EPOCH_1904 if book.date1904 else EPOCH_1900
        self.strings = strings
        self.out = out
        self.stop_after = stop_after
        self.emitted = 0
        self.done = False
        self.row_number = 0
        self.cells: dict[int, str] = {}
        self.column = -1
        self.cell_ref = ""
        self.kind = "n"
        self.style = ""
        self.value: str | None = None  # the cell's text, once a <v> or <t> has started
        self.collecting = False
        self.skip = 0
        self.columns: dict[str, int] = {}  # "AB" → 27, for the letters seen so far

    def start(self, name, attrs):
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(DIGITS)
                column = self.columns.get(letters)
                if column is None:
                    parsed = parse_ref(ref)
                    if parsed is None:
                        raise damaged()
                    column = self.columns[letters] = parsed[1]
                self.column = column
                row = ref[len(letters) :]
                if row != self.row_text:
                    self._row_at(int(row))
            else:
                self.column += 1
            self.cell_ref = ref or ""
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s", "")
            self.value = None
        elif name == "v" or (name == "t" and not self.skip):
            self.collecting = True
            if self.value is None:
                self.value = ""
        elif name == "row":
            self._flush()
            ref = attrs.get("r")
            try:
                row = int(ref) if ref else self.row_number + 1
            except ValueError:
                raise damaged() from None
            self._row_at(row)
        elif name == "rPh":
            self.skip += 1
        elif name == "dimension":
            self._check_dimension(attrs.get("ref", ""))

    def end(self, name):
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            if self.value is not None:
                self._store()
        elif name == "v" or name == "t":
            self.collecting = False
        elif name == "row":
            self._flush()
        elif name == "rPh":
            self.skip -= 1

    def data(self, text):
        if self.collecting:
            self.value += text
            if len(self.value) > CELL_CHARS:
                raise too_long_text()

    row_text = ""

    def _row_at(self, row: int) -> None:
        if row != self.row_number:
            self._flush()
        if self.max_rows is not None and row > self.max_rows:
            raise too_many_rows(row, self.max_rows)
        self.row_number = row
        self.row_text = str(row)
        self.column = -1

    def _check_dimension(self, ref: str) -> None:
        last = parse_ref(ref.rpartition(":")[2]) if ref else None
        if last is None:
            return
        row, column = last
        if self.max_rows is not None and row > self.max_rows:
            raise too_many_rows(row, self.max_rows)
        if self.max_columns is not None and column >= self.max_columns:
            raise too_many_columns(ref.rpartition(":")[2], self.max_columns)

    def _store(self) -> None:
        column = self.column
        if self.max_columns is not None and column >= self.max_columns:
            ref = self.cell_ref or f"{column_letters(column)}{self.row_number}"
            raise too_many_columns(ref, self.max_columns)
        raw = self.value
        kind = self.kind
        if kind == "s":
            try:
                text = self.strings[int(raw)]
            except (ValueError, IndexError):
                raise damaged() from None
        elif kind == "inlineStr" or kind == "str" or kind == "e":
            text = raw
        elif kind == "b":
            text = "yes" if raw.strip() in ("1", "true") else "no"
        elif kind == "d":
            text = raw[:10] if raw[10:].strip("T0:.Z") == "" else raw
        else:
            text = self._number(raw)
        if text:
            self.cells[column] = text
            self.kept_cells += 1
            self.kept_chars += len(text)
            if self.max_cells is not None and self.kept_cells > self.max_cells:
                raise too_many_cells(self.row_number, self.max_cells)
            if self.max_chars is not None and self.kept_chars > self.max_chars:
                raise too_much_text(self.max_chars)

    def _number(self, raw: str) -> str:
        from registry.importing.files import xlsx_text

        raw = raw.strip()
        if not raw:
            return ""
        try:
            number = float(raw)
        except ValueError:
            return raw
        if self.style in self.date_styles and 0 <= number < 2_958_466:  # up to 9999-12-31
            if self.epoch is EPOCH_1900 and number < 60:
                number += 1  # Excel's 1900 leap-day bug: serials before March 1900
            when = self.epoch + datetime.timedelta(days=number)
            return xlsx_text(when.replace(microsecond=0))
        return xlsx_text(number)

    def _flush(self) -> None:
        if not self.cells:
            return
        cells = self.cells
        row = [""] * (max(cells) + 1)
        for column, text in cells.items():
            row[column] = text
        self.out.append((self.row_number, row))
        self.cells = {}
        self.emitted += 1
        if self.stop_after is not None and self.emitted >= self.stop_after:
            self.done = True
