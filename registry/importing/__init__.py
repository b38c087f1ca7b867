"""Import and export of the register (schools and children) from a county clerk's spreadsheets.

``files`` reads CSV/XLSX into text rows, ``columns`` knows the columns and their aliases,
``engine`` checks every row and writes all or nothing. The management commands, the upload
pages and the Celery task all go through ``import_file``.
"""

from __future__ import annotations

from lbc_office.core.cells import neutralise
from registry.importing.engine import ChildImporter, Progress, Report, RowError, SchoolImporter
from registry.importing.files import FileRefused, read_table

KINDS = ("schools", "children")

__all__ = ["KINDS", "FileRefused", "Report", "RowError", "import_file", "neutralise", "read_table"]


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
    table = read_table(data, limit=limit, caps=caps)
    if kind == "schools":
        if county is None:
            raise FileRefused("A county is needed to import schools.")
        return SchoolImporter(table, by=by, county=county, progress=progress)
    if kind == "children":
        return ChildImporter(table, by=by, progress=progress)
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
) -> Report:
    """Check the file and, unless ``dry_run`` or a row is wrong, write it all in one go."""
    importer = importer_for(
        kind, data, by=by, county=county, progress=progress, limit=limit, caps=caps
    )
    return importer.run(dry_run=dry_run)


def check_file(kind: str, data: bytes, *, by, county=None, progress: Progress | None = None):
    """The preview: every error and what would change, writing nothing."""
    return importer_for(kind, data, by=by, county=county, progress=progress).check()
