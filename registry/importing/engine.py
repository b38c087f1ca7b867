"""Importing the register: every row checked, then all written in one transaction or none.

``check`` reads and validates without writing (the preview, ``--dry-run``); ``run`` checks
again inside a transaction and writes only when no row has an error. Writes go in bulk, with
the same rules as the forms (the models' ``clean()``), ``created_by``/``updated_by``, a history
row per created or changed record (django-simple-history) and one audit event for the import.
A row whose identity number (or school code) is already known updates that record; a row that
changes nothing is counted as unchanged and writes nothing, so importing a file twice is safe.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from lbc_office.core import audit
from lbc_office.core.cells import strip_neutralising
from registry.importing import bulk
from registry.importing.columns import (
    CHILD_COLUMNS,
    SCHOOL_COLUMNS,
    CellError,
    Column,
    format_value,
    match_header,
)
from registry.importing.files import Table
from registry.models import (
    Child,
    ChildStatus,
    County,
    FamilyRoom,
    School,
    SchoolLevel,
    Town,
    Village,
)
from registry.models.places import GRADES_BY_LEVEL

BATCH = 2000
PREVIEW_ROWS = 10
Progress = Callable[[str, int, int], None]


@dataclass
class RowError:
    line: int
    field: str  # the column as the file names it
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class Report:
    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    new_towns: list[str] = field(default_factory=list)
    new_villages: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    written: bool = False
    # Every error counts; only the first ``IMPORT_MAX_ERRORS`` are kept (a million bad rows would
    # otherwise be a million objects in the worker and in the stored preview).
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.errors

    @property
    def more_errors(self) -> int:
        """Errors found beyond those kept in ``errors``."""
        return max(0, self.error_count - len(self.errors))

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < settings.IMPORT_MAX_ERRORS:
            self.errors.append(error)

    def summary(self) -> str:
        return _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
        ) % {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "errors"}
        data["errors"] = [[e.line, e.field, e.message] for e in self.errors]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        data = dict(data)
        errors = [RowError(*e) for e in data.pop("errors", [])]
        data["error_count"] = max(data.get("error_count", 0), len(errors))
        return cls(**data, errors=errors)


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


class _Importer:
    """Shared flow: header, cells, rows; subclasses check rows against the register and write."""

    kind = ""
    columns: list[Column] = []

    def __init__(self, table: Table, *, by, progress: Progress | None = None):
        self.table = table
        self.by = by
        self.progress = progress or _no_progress
        self.report = Report(kind=self.kind, rows=len(table.rows))
        self.found: dict[str, int] = {}

    # -- the flow --------------------------------------------------------------------------

    def check(self) -> Report:
        self._check()
        return self.report

    def run(self, *, dry_run: bool = False) -> Report:
        """Check and, when every row is right, write everything in one transaction."""
        with transaction.atomic():
            self._lock()
            self.streaming = not dry_run  # new records may be sent while rows are checked
            self._check()
            if not self.report.ok:
                transaction.set_rollback(True)  # anything already sent is undone
            if self.report.ok and not dry_run:
                self._write()
                self.report.written = True
                audit.record(
                    audit.Action.IMPORT,
                    user=self.by,
                    object_type=self.model_label,
                    detail=(
                        f"rows={self.report.rows} created={len(self.report.created)} "
                        f"updated={len(self.report.updated)} unchanged={self.report.unchanged}"
                    ),
                )
        return self.report

    def _check(self) -> None:
        self.report = Report(kind=self.kind, rows=len(self.table.rows))
        if not self._read_header():
            return
        parsed = self._parse_cells()
        self._check_rows(parsed)

    # -- reading ---------------------------------------------------------------------------

    def _read_header(self) -> bool:
        found, unknown, duplicates, missing = match_header(self.table.header, self.columns)
        self.found = found
        self.report.ignored_columns = unknown
        self.report.columns = [
            self.table.header[found[c.key]] for c in self.columns if c.key in found
        ]
        for cell in duplicates:
            self.error(1, cell, _("This column appears twice."))
        for column in missing:
            self.error(
                1,
                column.zh,
                _("The column is missing: name it %(zh)s or %(key)s.")
                % {"zh": column.zh, "key": column.key},
            )
        if not self.table.rows:
            self.error(1, "-", _("The file has column names but no rows."))
        return self.report.ok

    def column_name(self, key: str) -> str:
        """The column as the clerk's file names it (so an error points at what they see)."""
        index = self.found.get(key)
        if index is not None:
            return self.table.header[index]
        return next((c.zh for c in self.columns if c.key == key), key)

    def error(self, line: int, column: str, message: str) -> None:
        self.report.add_error(RowError(line, column, message))

    def _parse_cells(self) -> list[tuple[int, dict, bool]]:
        """(line, values, whether every cell was read): a row with a bad cell is still checked
        against the register, so that one report lists all of its errors."""
        parsed = []
        total = len(self.table.rows)
        columns = [(c.key, c.parse, self.found[c.key]) for c in self.columns if c.key in self.found]
        width = max(index for _key, _parse, index in columns) + 1
        for n, (line, cells) in enumerate(self.table.rows, start=1):
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            values = {}
            ok = True
            for key, parse, index in columns:
                raw = cells[index]
                if raw[:1] == "'":
                    raw = strip_neutralising(raw)
                try:
                    values[key] = parse(raw)
                except CellError as exc:
                    self.error(line, self.table.header[index], exc.message)
                    ok = False
            parsed.append((line, values, ok))
            if n % 5000 == 0:
                self.progress("reading", n, total)
        self.progress("reading", total, total)
        return parsed

    def _preview(self, line_values: list[tuple[int, dict, bool]]) -> None:
        keys = [c.key for c in self.columns if c.key in self.found]
        self.report.preview = [
            [str(line), *(format_value(k, values.get(k, ""), chinese=False) for k in keys)]
            for line, values, _ok in line_values[:PREVIEW_ROWS]
        ]

    def model_errors(self, line: int, exc: ValidationError, field_columns: dict) -> None:
        for name, messages in exc.message_dict.items():
            column = "-" if name == "__all__" else self.column_name(field_columns.get(name, name))
            for message in messages:
                self.error(line, column, message)

    # -- for subclasses --------------------------------------------------------------------

    model_label = ""
    streaming = False

    def _lock(self) -> None:
        """Serialise imports: two officials importing at once would race on new records."""

    def _check_rows(self, parsed: list[tuple[int, dict, bool]]) -> None:
        raise NotImplementedError

    def _write(self) -> None:
        raise NotImplementedError


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


def _stamp(objs, by, now, *, created: bool) -> None:
    for obj in objs:
        if created:
            obj.created_by = by
            obj.created_at = now
        obj.updated_by = by
        obj.updated_at = now


class ChildImporter(_Importer):
    kind = "children"
    model_label = "registry.child"
    columns = CHILD_COLUMNS
    compared = (
        "name", "sex", "date_of_birth", "school_id", "grade", "village_id",
        "father_away", "mother_away", "guardian", "boarding", "poor",
    )  # fmt: skip
    field_columns = {"school": "school_code", "village": "village", "county": "school_code"}

    def _lock(self) -> None:
        list(County.objects.select_for_update().values_list("pk", flat=True))

    def _check_rows(self, parsed):
        """Each row against the register. A row identical to its record is unchanged and needs
        no more checking (nothing will be written); new and changed rows pass ``clean()``."""
        report = self.report
        today = timezone.localdate()
        codes = {v["school_code"] for _line, v, _ok in parsed if "school_code" in v}
        schools = {
            s.code: s for s in School.objects.filter(code__in=codes).select_related("county")
        }
        counties = {s.county_id for s in schools.values()}
        towns = {(t.county_id, t.name): t for t in Town.objects.filter(county__in=counties)}
        villages = {
            (v.town_id, v.name): v for v in Village.objects.filter(town__county__in=counties)
        }
        existing = self._existing([v["id_number"] for _line, v, _ok in parsed if "id_number" in v])
        seen: dict[str, int] = {}
        self.new_villages: dict[tuple, Village] = {}
        new_rows: list[tuple[int, dict, School, Village]] = []
        changed_rows: dict[int, tuple[int, dict, School, Village]] = {}
        total = len(parsed)
        for n, (line, values, cells_ok) in enumerate(parsed, start=1):
            if n % 5000 == 0:
                self.progress("checking", n, total)
            errors_before = report.error_count
            number = values.get("id_number")
            if number:
                if number in seen:
                    self.error(
                        line,
                        self.column_name("id_number"),
                        _("This identity number is also on line %(line)d.")
                        % {"line": seen[number]},
                    )
                else:
                    seen[number] = line
            school = schools.get(values.get("school_code"))
            if "school_code" in values and school is None:
                self.error(
                    line,
                    self.column_name("school_code"),
                    _("No school has the code %(code)s: import the schools first, or check it.")
                    % {"code": values["school_code"]},
                )
            village = None
            if school is not None and "town" in values:
                town = towns.get((school.county_id, values["town"]))
                if town is None:
                    self.error(
                        line,
                        self.column_name("town"),
                        _("%(town)s is not a town of %(county)s: check the spelling.")
                        % {"town": values["town"], "county": school.county},
                    )
                elif "village" in values:
                    key = (town.pk, values["village"])
                    village = villages.get(key) or self.new_villages.get(key)
                    if village is None:
                        village = Village(town=town, name=values["village"])
                        self.new_villages[key] = village
            if not cells_ok or report.error_count > errors_before or village is None:
                continue
            known = existing.get(number)
            if known is None:
                new_rows.append((line, values, school, village))
                continue
            pk, before = known
            after = (
                values["name"], values["sex"], values["date_of_birth"], school.pk,
                values["grade"], village.pk, values["father_away"], values["mother_away"],
                values["guardian"], values.get("boarding", before[9]),
                values.get("poor", before[10]),
            )  # fmt: skip
            if after == before:
                report.unchanged += 1
            else:
                changed_rows[pk] = (line, values, school, village)
        self.to_create = []
        blank = _blank_maker(Child(status=ChildStatus.ACTIVE, status_changed_on=today))
        self.stream = None
        if self.streaming and report.ok and new_rows and connection.vendor == "postgresql":
            self._write_villages()
            now, by = timezone.now(), self.by
            self.stream = bulk.StreamingInsert(
                Child,
                count=len(new_rows),
                by=by,
                reason=_("Imported from a file"),
                stamp=lambda obj: _stamp([obj], by, now, created=True),
            )
        try:
            for line, values, school, village in new_rows:
                child = blank()
                errors_before = report.error_count
                self._fill(child, line, values, school, village, today, self.to_create)
                if self.stream is not None and report.ok and report.error_count == errors_before:
                    self.stream.add(child)
        except BaseException as exc:
            if self.stream is not None:
                self.stream.abort(exc)
            raise
        if self.stream is not None:
            self.stream.close()
        self.to_update = []
        for child in self._full_records(list(changed_rows)):
            line, values, school, village = changed_rows[child.pk]
            self._fill(child, line, values, school, village, today, self.to_update)
        self.progress("checking", total, total)
        report.new_villages = len(self.new_villages)
        self._preview(parsed)
        # Planned counts for the preview; replaced by the written records' keys after writing.
        report.created = [0] * len(self.to_create)
        report.updated = [c.pk for c in self.to_update]

    def _existing(self, numbers: list[str]) -> dict[str, tuple[int, tuple]]:
        """Identity number → (key, the compared values) of the children already registered."""
        found = {}
        if connection.vendor == "postgresql":  # one array parameter, not 55,000 placeholders
            chunks = [Child.objects.extra(where=["id_number = ANY(%s)"], params=[numbers])]
        else:
            chunks = [
                Child.objects.filter(id_number__in=numbers[start : start + 500])
                for start in range(0, len(numbers), 500)
            ]
        for rows in chunks:
            for number, pk, *values in rows.values_list("id_number", "pk", *self.compared):
                found[number] = (pk, tuple(values))
        return found

    def _full_records(self, pks: list[int]) -> list[Child]:
        records = []
        for start in range(0, len(pks), 10_000):
            records += Child.objects.filter(pk__in=pks[start : start + 10_000])
        return records

    def _fill(self, child, line, values, school, village, today, into) -> None:
        child.id_number = values["id_number"]
        child.county_id = school.county_id
        # The foreign keys as Django's descriptors would set them, without their cost.
        child.school_id = school.pk
        child.village_id = village.pk
        cache = child._state.fields_cache
        cache["school"], cache["village"] = school, village
        cache.pop("county", None)
        for key in ("name", "sex", "date_of_birth", "grade", "guardian"):
            setattr(child, key, values[key])
        for key in ("father_away", "mother_away", "boarding", "poor"):
            if key in values:
                setattr(child, key, values[key])
        child._clean_today = today
        try:
            child.clean()
        except ValidationError as exc:
            self.model_errors(line, exc, self.field_columns)
            return
        into.append(child)

    def _write_villages(self) -> None:
        villages = [v for v in self.new_villages.values() if v.pk is None]
        _stamp(villages, self.by, timezone.now(), created=True)
        Village.objects.bulk_create(villages, batch_size=BATCH)

    def _write(self):
        now = timezone.now()
        self._write_villages()
        reason = _("Imported from a file")
        total = len(self.to_create) + len(self.to_update)
        done = 0
        streamed = getattr(self, "stream", None) is not None
        if streamed:  # the new records were sent while the rows were checked
            self.stream.finish()
            done = len(self.to_create)
            self.progress("writing", done, total)
        else:
            _stamp(self.to_create, self.by, now, created=True)
        for start in range(0, 0 if streamed else len(self.to_create), BATCH * 5):
            batch = self.to_create[start : start + BATCH * 5]
            bulk.insert_with_history(batch, Child, by=self.by, reason=reason)
            done += len(batch)
            self.progress("writing", done, total)
        _stamp(self.to_update, self.by, now, created=False)
        fields = [
            "name", "sex", "date_of_birth", "school", "grade", "village", "father_away",
            "mother_away", "guardian", "boarding", "poor", "id_number", "county", "updated_by",
            "updated_at",
        ]  # fmt: skip
        for child in self.to_update:  # the new village now has its key
            child.village = child.village
        bulk.update_with_history(self.to_update, Child, fields=fields, by=self.by, reason=reason)
        self.progress("writing", total, total)
        self.report.created = [c.pk for c in self.to_create]
        self.report.updated = [c.pk for c in self.to_update]


class SchoolImporter(_Importer):
    kind = "schools"
    model_label = "registry.school"
    columns = SCHOOL_COLUMNS
    compared = ("name", "town_id", "level", "boarding", "bathroom", "canteen")
    room_columns = {"family_phones": FamilyRoom.Kind.PHONE, "family_chat_rooms": "chat_room"}

    def __init__(self, table: Table, *, by, county: County, progress: Progress | None = None):
        super().__init__(table, by=by, progress=progress)
        self.county = county

    def _lock(self) -> None:
        if self.county.pk is not None:
            County.objects.select_for_update().get(pk=self.county.pk)

    def _check_rows(self, parsed):
        report = self.report
        codes = [v["code"] for _line, v, _ok in parsed if "code" in v]
        existing = {
            s.code: s for s in School.objects.filter(code__in=codes).select_related("county")
        }
        towns = (
            {t.name: t for t in Town.objects.filter(county=self.county)} if self.county.pk else {}
        )
        # (school, kind) → (rooms in use, rooms ever recorded: new ones are numbered after them)
        rooms = {
            (r["school_id"], r["kind"]): (r["in_use"], r["n"])
            for r in FamilyRoom.objects.filter(school__code__in=codes)
            .values("school_id", "kind")
            .annotate(in_use=Count("pk", filter=Q(active=True)), n=Count("pk"))
        }
        self.new_towns: dict[str, Town] = {}
        self.to_create: list[School] = []
        self.to_update: list[School] = []
        # (school, kind, wanted - in use, rooms ever recorded)
        self.room_changes: list[tuple[School, str, int, int]] = []
        level_changes: dict[int, tuple[int, str]] = {}
        seen: dict[str, int] = {}
        for line, values, cells_ok in parsed:
            errors_before = report.error_count
            code = values.get("code")
            if code in seen:
                self.error(
                    line,
                    self.column_name("code"),
                    _("This school code is also on line %(line)d.") % {"line": seen[code]},
                )
            elif code:
                seen[code] = line
            school = existing.get(code)
            if school is not None and school.county_id != self.county.pk:
                self.error(
                    line,
                    self.column_name("code"),
                    _("This code belongs to %(school)s in %(county)s.")
                    % {"school": school.name, "county": school.county},
                )
            if not cells_ok or report.error_count > errors_before:
                continue
            town = towns.get(values["town"]) or self.new_towns.get(values["town"])
            if town is None:
                town = Town(county=self.county, name=values["town"])
                self.new_towns[town.name] = town
            before = tuple(getattr(school, f) for f in self.compared) if school else None
            if school is None:
                school = School(county=self.county, code=code)
            school.town = town
            school.name = values["name"]
            school.level = values["level"]
            for key in ("boarding", "bathroom", "canteen"):
                if key in values:
                    setattr(school, key, values[key])
            try:
                school.clean()
            except ValidationError as exc:
                self.model_errors(line, exc, {})
                continue
            changed_rooms = []
            for key, kind in self.room_columns.items():
                if key in values:
                    in_use, recorded = rooms.get((school.pk, kind), (0, 0))
                    if values[key] != in_use:
                        changed_rooms.append((school, kind, values[key] - in_use, recorded))
            if before is not None and before[2] != school.level:
                level_changes[school.pk] = (line, school.level)
            if before is None:
                self.to_create.append(school)
            elif tuple(getattr(school, f) for f in self.compared) != before or changed_rooms:
                self.to_update.append(school)
            else:
                report.unchanged += 1
            self.room_changes.extend(changed_rooms)
        self._check_level_changes(level_changes)
        report.new_towns = sorted(self.new_towns)
        self._preview(parsed)
        report.created = [0] * len(self.to_create)
        report.updated = [s.pk for s in self.to_update]

    def _check_level_changes(self, level_changes: dict[int, tuple[int, str]]) -> None:
        """A school cannot change level while its active pupils are in the other level's grades."""
        if not level_changes:
            return
        counts = School.objects.filter(pk__in=level_changes).annotate(
            outside=Count(
                "children",
                filter=Q(children__status=ChildStatus.ACTIVE)
                & ~Q(children__grade__in=list(GRADES_BY_LEVEL[SchoolLevel.PRIMARY])),
            ),
            inside=Count(
                "children",
                filter=Q(children__status=ChildStatus.ACTIVE)
                & Q(children__grade__in=list(GRADES_BY_LEVEL[SchoolLevel.PRIMARY])),
            ),
        )
        for school in counts:
            line, level = level_changes[school.pk]
            misplaced = school.inside if level == SchoolLevel.MIDDLE else school.outside
            if misplaced:
                self.error(
                    line,
                    self.column_name("level"),
                    _(
                        "%(count)d active children of this school are in grades it would no "
                        "longer teach: move them first."
                    )
                    % {"count": misplaced},
                )

    def _write(self):
        now = timezone.now()
        if self.county.pk is None:  # a new county, named on the command line
            self.county.created_by = self.county.updated_by = self.by
            self.county.save()
        towns = list(self.new_towns.values())
        for town in towns:
            town.county = self.county
        _stamp(towns, self.by, now, created=True)
        Town.objects.bulk_create(towns)
        reason = _("Imported from a file")
        _stamp(self.to_create, self.by, now, created=True)
        for school in self.to_create:
            school.town = school.town  # the new town now has its key
            school.county = self.county
        bulk_create_with_history(
            self.to_create, School, batch_size=BATCH, default_user=self.by,
            default_change_reason=reason,
        )  # fmt: skip
        _stamp(self.to_update, self.by, now, created=False)
        for school in self.to_update:
            school.town = school.town
        bulk_update_with_history(
            self.to_update,
            School,
            fields=["name", "town", "level", "boarding", "bathroom", "canteen", "updated_by",
                    "updated_at"],
            batch_size=BATCH,
            default_user=self.by,
            default_change_reason=reason,
        )  # fmt: skip
        self._write_rooms(now, reason)
        self.report.created = [s.pk for s in self.to_create]
        self.report.updated = [s.pk for s in self.to_update]

    def _write_rooms(self, now: datetime.datetime, reason: str) -> None:
        """More rooms than the school has: new records. Fewer: the newest are marked unused."""
        new_rooms, closed = [], []
        for school, kind, difference, recorded in self.room_changes:
            if difference > 0:
                label = FamilyRoom.Kind(kind).label
                new_rooms += [
                    FamilyRoom(school=school, kind=kind, label=f"{label} {recorded + i + 1}")
                    for i in range(difference)
                ]
            else:
                extra = FamilyRoom.objects.filter(school=school, kind=kind, active=True).order_by(
                    "-id"
                )[:-difference]
                for room in extra:
                    room.active = False
                    closed.append(room)
        _stamp(new_rooms, self.by, now, created=True)
        bulk_create_with_history(
            new_rooms, FamilyRoom, batch_size=BATCH, default_user=self.by,
            default_change_reason=reason,
        )  # fmt: skip
        _stamp(closed, self.by, now, created=False)
        bulk_update_with_history(
            closed, FamilyRoom, fields=["active", "updated_by", "updated_at"],
            default_user=self.by, default_change_reason=reason,
        )  # fmt: skip
