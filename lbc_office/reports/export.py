"""A report as CSV, JSON or XLSX: a header row of the table's keys, then its rows in order.

Text that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) is written with a leading apostrophe, so that a town or school named "=HYPERLINK(…)"
stays text in Excel and WPS.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from openpyxl import Workbook

from lbc_office.core.cells import neutralise as neutralise_text
from lbc_office.reports.base import Report


def neutralise(value):
    """A cell value safe to open in a spreadsheet (numbers stay numbers)."""
    return neutralise_text(value) if isinstance(value, str) else value


def _cells(report: Report):
    yield report.table.keys
    for record in report.records():
        yield [neutralise("" if v is None else v) for v in record.values()]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in _cells(report):
        writer.writerow(str(v) if isinstance(v, Decimal) else v for v in row)
    return out.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report.records(), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=report.table.slug[:31])
    for row in _cells(report):
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
