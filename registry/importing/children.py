"""Checking a file of children against the register.

Each row: its identity number on no other line, its school known, its town known and its
village found (or planned as new). A row identical to its record is unchanged and needs no
more checking; a new or changed row is filled and validated by ``child_rules``, the very rules
``create_child``/``update_child`` use, so the form and the file refuse the same things with
the same words. Nothing here writes: the rows that pass go to the writer ``run`` gives
(``children_write``), and ``check`` gives none.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.importing import duplicates as duplicate_rows
from registry.importing.base import Importer, Parsed
from registry.importing.children_write import ChildWriter
from registry.importing.columns import CHILD_COLUMNS
from registry.models import Child, County, School, Town, Village, child_rules

_RELATIONS = ("school", "village")
# The record's values a row is compared with: the clerk's fields but the identity number.
_COMPARED_FIELDS = tuple(name for name in child_rules.ENTERED if name != "id_number")
COMPARED = tuple(f"{name}_id" if name in _RELATIONS else name for name in _COMPARED_FIELDS)


class _Comparison:
    """Whether a row says what its record holds, in two C-level tuple gets a row (it runs
    55,000 times). The columns a file gives are the same on every row it can compare: a
    column it leaves out keeps the record's value."""

    def __init__(self, given: set[str]):
        plain = [n for n in _COMPARED_FIELDS if n not in _RELATIONS and n in given]
        self.row = itemgetter(*plain)
        self.record = itemgetter(*(_COMPARED_FIELDS.index(n) for n in plain))
        self.school = _COMPARED_FIELDS.index("school")
        self.village = _COMPARED_FIELDS.index("village")

    def same(self, values: dict, before: tuple) -> bool:
        return (
            values["school"].pk == before[self.school]
            and values["village"].pk == before[self.village]
            and self.row(values) == self.record(before)
        )


@dataclass
class Register:
    """What the file's rows are checked against, read in a few queries."""

    schools: dict  # code → School
    towns: dict  # (county key, name) → Town
    villages: dict  # (town key, name) → Village
    existing: dict  # identity number → (key, the COMPARED values)
    counties: dict  # identity number → the county key of the child already registered

    @classmethod
    def read(cls, parsed: Parsed) -> Register:
        codes = {v["school_code"] for _line, v, _ok in parsed if "school_code" in v}
        schools = {
            s.code: s for s in School.objects.filter(code__in=codes).select_related("county")
        }
        counties = {s.county_id for s in schools.values()}
        existing, existing_counties = _existing(
            [v["id_number"] for _line, v, _ok in parsed if "id_number" in v]
        )
        return cls(
            schools=schools,
            towns={(t.county_id, t.name): t for t in Town.objects.filter(county__in=counties)},
            villages={
                (v.town_id, v.name): v for v in Village.objects.filter(town__county__in=counties)
            },
            existing=existing,
            counties=existing_counties,
        )


def _existing(numbers: list[str]) -> tuple[dict[str, tuple[int, tuple]], dict[str, int]]:
    """Identity number → (key, the compared values) of the children already registered, and
    identity number → their county's key."""
    found, counties = {}, {}
    if connection.vendor == "postgresql":  # one array parameter, not 55,000 placeholders
        chunks = [Child.objects.extra(where=["id_number = ANY(%s)"], params=[numbers])]
    else:
        chunks = [
            Child.objects.filter(id_number__in=numbers[start : start + 500])
            for start in range(0, len(numbers), 500)
        ]
    for rows in chunks:
        for number, pk, county, *values in rows.values_list(
            "id_number", "pk", "county_id", *COMPARED
        ):
            found[number] = (pk, tuple(values))
            counties[number] = county
    return found, counties


def _blank_maker(template):
    """New unsaved copies of ``template``, made without ``Model.__init__`` (which would cost a
    third of a county import's time): its field values and a fresh state."""
    values = {k: v for k, v in template.__dict__.items() if k != "_state"}
    model = type(template)

    def blank():
        obj = model.__new__(model)
        obj.__dict__.update(values)
        obj._state = ModelState()
        return obj

    return blank


class ChildImporter(Importer):
    kind = "children"
    model_label = "registry.child"
    columns = CHILD_COLUMNS
    field_columns = {"school": "school_code", "village": "village", "county": "school_code"}

    def __init__(self, sheet, *, by, county=None, progress=None):
        super().__init__(sheet, by=by, progress=progress)
        # The county the file is imported into (the command's --county, the uploader's
        # county): every row's school must be one of its schools. None: any county's.
        self.county = county

    def _lock(self) -> None:
        list(County.objects.select_for_update().values_list("pk", flat=True))

    def writer(self) -> ChildWriter:
        return ChildWriter(by=self.by, progress=self.progress)

    def _check_rows(self, parsed: Parsed, writer: ChildWriter | None) -> None:
        """Each row against the register (``_match``), then the new and changed rows against
        the rules of a personal file (``_validate``)."""
        self.today = timezone.localdate()
        self.new_villages: dict[tuple, Village] = {}
        # The clerk's fields this file gives (the school as a code, the village as a name).
        self.given = [n for n in child_rules.ENTERED if n in _RELATIONS or n in self.found]
        register = Register.read(parsed)
        new_rows, changed_rows = self._match(parsed, register)
        counties = {school.county_id for school in register.schools.values()}
        duplicate_rows.warn(self, new_rows, counties)  # warnings only: suspected duplicates
        if writer is not None and self.report.ok:
            writer.open(new_villages=list(self.new_villages.values()), count=len(new_rows))
        blank = _blank_maker(Child(**child_rules.opening(today=self.today)))
        self.to_create = self._validate(((blank(), row) for row in new_rows), writer)
        if writer is not None:
            writer.close()  # the COPY ends before the connection reads the changed records
        records = _full_records(list(changed_rows))
        self.to_update = self._validate(((c, changed_rows[c.pk]) for c in records), None)
        self.progress("checking", len(parsed), len(parsed))
        self.report.new_villages = len(self.new_villages)
        # Planned counts for the preview; the writer puts the written records' keys.
        self.report.created = [0] * len(self.to_create)
        self.report.updated = [c.pk for c in self.to_update]
        if writer is not None:
            writer.plan(to_create=self.to_create, to_update=self.to_update, report=self.report)

    def _match(self, parsed: Parsed, register: Register) -> tuple[list, dict]:
        """(new rows, changed rows by their record's key) as (line, values), the values
        holding the row's school and village records; the rows identical to their record are
        counted unchanged."""
        new_rows, changed_rows = [], {}
        seen: dict[str, int] = {}
        same = _Comparison(set(self.given)).same
        total = len(parsed)
        for n, (line, values, cells_ok) in enumerate(parsed, start=1):
            if n % 5000 == 0:
                self.progress("checking", n, total)
            errors_before = self.report.error_count
            self._once_in_file(line, values.get("id_number"), seen)
            school = self._school(line, values, register)
            if school is not None and not self._in_county(line, values, school, register):
                school = None
            village = self._village(line, values, school, register)
            if not cells_ok or self.report.error_count > errors_before or village is None:
                continue
            values["school"], values["village"] = school, village  # the records, not the text
            known = register.existing.get(values["id_number"])
            if known is None:
                new_rows.append((line, values))
            elif same(values, known[1]):
                self.report.unchanged += 1
            else:
                changed_rows[known[0]] = (line, values)
        return new_rows, changed_rows

    def _once_in_file(self, line: int, number: str | None, seen: dict[str, int]) -> None:
        if not number:
            return
        if number in seen:
            self.error(
                line,
                self.column_name("id_number"),
                _("This identity number is also on line %(line)d.") % {"line": seen[number]},
            )
        else:
            seen[number] = line

    def _school(self, line: int, values: dict, register: Register) -> School | None:
        school = register.schools.get(values.get("school_code"))
        if "school_code" in values and school is None:
            self.error(
                line,
                self.column_name("school_code"),
                _("No school has the code %(code)s: import the schools first, or check it.")
                % {"code": values["school_code"]},
            )
        return school

    def _in_county(self, line: int, values: dict, school: School, register: Register) -> bool:
        """A row goes into the file's county only, and a child registered in one county is
        moved to another by a transfer (``registry.transfers``), never by an import. The
        other county is not named: its records are not the importer's to read."""
        if self.county is not None and school.county_id != self.county.pk:
            self.error(
                line,
                self.column_name("school_code"),
                _("The school %(code)s is not a school of %(county)s: this file is imported "
                  "into %(county)s only.")
                % {"code": values["school_code"], "county": self.county.name},
            )  # fmt: skip
            return False
        registered = register.counties.get(values.get("id_number"))
        if registered is not None and registered != school.county_id:
            self.error(
                line,
                self.column_name("id_number"),
                _("This child is registered in another county: a move between counties is a "
                  "transfer, made by the county that keeps the file."),
            )  # fmt: skip
            return False
        return True

    def _village(self, line, values, school, register: Register) -> Village | None:
        """The row's village; one the register does not know yet is planned as new."""
        if school is None or "town" not in values:
            return None
        town = register.towns.get((school.county_id, values["town"]))
        if town is None:
            self.error(
                line,
                self.column_name("town"),
                _("%(town)s is not a town of %(county)s: check the spelling.")
                % {"town": values["town"], "county": school.county},
            )
            return None
        if "village" not in values:
            return None
        key = (town.pk, values["village"])
        village = register.villages.get(key) or self.new_villages.get(key)
        if village is None:
            village = self.new_villages[key] = Village(town=town, name=values["village"])
        return village

    def _validate(self, rows, writer: ChildWriter | None) -> list[Child]:
        """The children that pass ``child_rules``; each is handed to ``writer`` (when there is
        one) as soon as it passes, while the file has no error."""
        passed = []
        report = self.report
        try:
            for child, (line, values) in rows:
                child_rules.assign(child, values, self.given)
                try:
                    child_rules.validate(child, today=self.today)
                except ValidationError as exc:
                    self.model_errors(line, exc, self.field_columns)
                    continue
                passed.append(child)
                if writer is not None and report.ok:
                    writer.add(child)
        except BaseException as exc:
            if writer is not None:
                writer.abort(exc)
            raise
        return passed


def _full_records(pks: list[int]) -> list[Child]:
    records = []
    for start in range(0, len(pks), 10_000):
        records += Child.objects.filter(pk__in=pks[start : start + 10_000])
    return records
