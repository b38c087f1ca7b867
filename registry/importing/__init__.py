"""Import and export of the register (schools and children) from a county clerk's spreadsheets.

Where each step lives:

- ``files`` reads a CSV or XLSX upload, within caps, into a ``RegisterFile`` (header, rows);
- ``columns`` knows each ``ImportColumn``, its aliases and how a cell is read;
- ``base`` is the flow: header, cells, then ``check`` (writes nothing) or ``run`` (all or
  nothing in one transaction);
- ``children`` checks a row of children against the register and the rules of a personal
  file (``registry.models.child_rules``, the rules ``create_child`` uses);
  ``children_write`` writes them; ``schools`` checks and writes schools;
- ``bulk`` is the COPY machinery, ``report`` the ``ImportReport``, ``jobs`` the upload's steps.

The management commands, the upload pages and the Celery tasks all go through ``import_file``
and ``check_file``.
"""

from __future__ import annotations

from lbc_office.core.cells import neutralise
from registry.importing.children import ChildImporter
from registry.importing.files import FileRefused, read_register_file
from registry.importing.report import ImportReport, Progress, RowError
from registry.importing.schools import SchoolImporter

KINDS = ("schools", "children")

__all__ = [
    "KINDS",
    "FileRefused",
    "ImportReport",
    "RowError",
    "check_file",
    "import_file",
    "neutralise",
    "read_register_file",
]


def importer_for(
    kind: str,
    data: bytes,
    *,
    by,
    county=None,
    progress: Progress | None = None,
    limit: int | None = None,
    caps: bool = True,
):
    """The importer of ``kind`` for the file's bytes; raises ``FileRefused``.

    The file is read within the caps of ``settings.IMPORT_MAX_*`` unless ``caps=False``."""
    sheet = read_register_file(data, limit=limit, caps=caps)
    if kind == "schools":
        if county is None:
            raise FileRefused("A county is needed to import schools.")
        return SchoolImporter(sheet, by=by, county=county, progress=progress)
    if kind == "children":
        return ChildImporter(sheet, by=by, county=county, progress=progress)
    raise ValueError(kind)


def import_file(
    kind: str,
    data: bytes,
    *,
    by,
    county=None,
    dry_run: bool = False,
    progress: Progress | None = None,
    limit: int | None = None,
    caps: bool = True,
) -> ImportReport:
    """Check the file and, unless ``dry_run`` or a row is wrong, write it all in one go."""
    importer = importer_for(
        kind, data, by=by, county=county, progress=progress, limit=limit, caps=caps
    )
    return importer.run(dry_run=dry_run)


def check_file(
    kind: str, data: bytes, *, by, county=None, progress: Progress | None = None
) -> ImportReport:
    """The preview: every error and what would change, writing nothing."""
    return importer_for(kind, data, by=by, county=county, progress=progress).check()
