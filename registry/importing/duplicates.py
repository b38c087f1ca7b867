"""Suspected duplicates among an import's new rows: a warning each, never a refusal.

Each new row is compared (``registry.duplicates.RowIndex``, the rules of the form and of the
county-wide check) with the register's files of the file's counties and with the rows above it;
a suspect gets ``line N: 身份证号: possible duplicate of …`` in the report. A row already in the
register (the same number) is an update, not a suspect. Duplicates across counties are left to
the county-wide check (``manage.py find_duplicates``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from registry import duplicates, idnumber
from registry.importing.report import RowError
from registry.models import Child


def _village_key(village):
    return village.pk if village.pk is not None else ("new", village.town_id, village.name)


def warn(importer, new_rows: list, counties: set) -> None:
    """Add a warning to ``importer.report`` for each of ``new_rows`` ((line, values), the
    values holding their school and village records) that may duplicate another file."""
    if not new_rows:
        return
    index = duplicates.RowIndex()
    files = {}
    for record in duplicates.register_records(Child.objects.filter(county__in=counties)):
        index.add(record)
        files[record[0]] = record
    column = importer.column_name("id_number")
    for line, values in new_rows:
        village = values["village"]
        record = (
            ("line", line), values.get("id_number", ""), values.get("name", ""),
            values.get("date_of_birth"), _village_key(village), village.town_id,
            values["school"].pk,
        )  # fmt: skip
        found = index.matches(record, add=True)
        if found:
            named = ", ".join(_named(importer.by, key, files) for key in sorted(found, key=str))
            importer.report.add_warning(
                RowError(line, column, _("possible duplicate of %(files)s") % {"files": named})
            )


def _named(user, key, files) -> str:
    if isinstance(key, tuple):  # another row of the file
        return _("line %(line)d") % {"line": key[1]}
    _pk, number, name, *_rest = files[key]
    return _("%(name)s (%(number)s, file %(pk)d)") % {
        "name": name,
        "number": idnumber.shown_to(user, number),
        "pk": key,
    }
