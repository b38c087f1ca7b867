"""Files an attacker (or a broken export) would upload, written as streams so that making them
costs neither time nor memory. Used by tests/registry/test_import_hostile.py and by
scripts/bench_hostile_uploads.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

CHILD_HEADER = ["身份证号", "姓名", "性别", "出生日期", "学校代码", "年级", "乡镇", "村",
                "父亲外出", "母亲外出", "监护人", "住校", "贫困"]  # fmt: skip
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{RELS_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    letters = "ABCDEFGHIJKLM"
    return (
        '<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip(letters, CHILD_HEADER)) + "</row>"
    )


def _workbook(target, sheet_chunks, *, extra_parts=()) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk.encode())
        for name, data in extra_parts:
            book.writestr(name, data)


def sparse_corner_xlsx(*, dimension: bool = True, corner: str = "XFD1048576") -> bytes:
    """About 2 KB: the register's header from A1 and one cell at ``corner``, so a reader that
    builds the range allocates 16,384 × 1,048,576 cells (512 GiB for calamine)."""
    row = corner.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
    if dimension:
        head += f'<dimension ref="A1:{corner}"/>'
    header = _header_row()
    if row == "1":  # the corner on the header's own row
        rows = [header.replace("</row>", _cell(corner, "corner") + "</row>")]
    else:
        rows = [header, f'<row r="{row}">{_cell(corner, "corner")}</row>']
    rows = [head, "<sheetData>", *rows, "</sheetData></worksheet>"]
    buffer = io.BytesIO()
    _workbook(buffer, rows)
    return buffer.getvalue()


def million_rows_xlsx(target, *, rows: int = 1_000_000, dimension: bool = True) -> None:
    """The register's header and ``rows`` bad rows (an identity number that is no number, a
    school nobody knows), streamed into ``target`` (a path or a file): about 4 MB."""

    def chunks():
        head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
        if dimension:
            head += f'<dimension ref="A1:M{rows + 1}"/>'
        yield head + "<sheetData>" + _header_row()
        batch = []
        for n in range(2, rows + 2):
            batch.append(
                f'<row r="{n}"><c t="inlineStr"><is><t>bad</t></is></c><c><v>{n}</v></c></row>'
            )
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch) + "</sheetData></worksheet>"

    _workbook(target, chunks())


def zip_bomb_xlsx(*, unpacked_mb: int = 600) -> bytes:
    """A workbook with a part of blanks that unpacks to ``unpacked_mb`` MB (about 0.6 MB packed)."""
    buffer = io.BytesIO()
    blank = " " * (1 << 20)
    _workbook(buffer, [f'<?xml version="1.0"?><worksheet {NS}><sheetData>', _header_row()]
              + [blank] * unpacked_mb + ["</sheetData></worksheet>"])  # fmt: skip
    return buffer.getvalue()


def single_line_csv(path: Path, *, megabytes: int = 100) -> Path:
    """One line of ``megabytes`` MB of ``a,``: a header of tens of millions of columns."""
    block = b"a," * (1 << 19)  # 1 MB
    with path.open("wb") as out:
        out.write("身份证号,".encode())
        for _ in range(megabytes):
            out.write(block)
    return path
