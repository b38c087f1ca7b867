"""Importing a county's schools: each row checked against the register, then written with the
family rooms the file counts (more rooms: new records; fewer: the newest marked unused)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from registry.importing.base import Importer, Parsed
from registry.importing.bulk import BATCH
from registry.importing.columns import SCHOOL_COLUMNS
from registry.importing.files import RegisterFile
from registry.importing.report import Progress
from registry.models import ChildStatus, County, FamilyRoom, School, SchoolLevel, Town
from registry.models.places import GRADES_BY_LEVEL

COMPARED = ("name", "town_id", "level", "boarding", "bathroom", "canteen")
ROOM_COLUMNS = {"family_phones": FamilyRoom.Kind.PHONE, "family_chat_rooms": "chat_room"}


class SchoolImporter(Importer):
    kind = "schools"
    model_label = "registry.school"
    columns = SCHOOL_COLUMNS

    def __init__(
        self, sheet: RegisterFile, *, by, county: County, progress: Progress | None = None
    ):
        super().__init__(sheet, by=by, progress=progress)
        self.county = county

    def _lock(self) -> None:
        if self.county.pk is not None:
            County.objects.select_for_update().get(pk=self.county.pk)

    def writer(self) -> SchoolWriter:
        return SchoolWriter(self)

    def _check_rows(self, parsed: Parsed, writer) -> None:
        codes = [v["code"] for _line, v, _ok in parsed if "code" in v]
        existing = {
            s.code: s for s in School.objects.filter(code__in=codes).select_related("county")
        }
        self.towns = (
            {t.name: t for t in Town.objects.filter(county=self.county)} if self.county.pk else {}
        )
        # (school, kind) → (rooms in use, rooms ever recorded: new ones are numbered after them)
        self.rooms = {
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
            school = self._match(line, values, cells_ok, existing.get(values.get("code")), seen)
            if school is not None:
                self._plan(line, values, school, level_changes)
        self._check_level_changes(level_changes)
        self.report.new_towns = sorted(self.new_towns)
        self.report.created = [0] * len(self.to_create)
        self.report.updated = [s.pk for s in self.to_update]

    def _match(self, line, values, cells_ok, school, seen) -> School | None:
        """The row's school (its record, or a new one), or None when the row has an error."""
        errors_before = self.report.error_count
        code = values.get("code")
        if code in seen:
            self.error(
                line,
                self.column_name("code"),
                _("This school code is also on line %(line)d.") % {"line": seen[code]},
            )
        elif code:
            seen[code] = line
        if school is not None and school.county_id != self.county.pk:
            self.error(
                line,
                self.column_name("code"),
                _("This code belongs to %(school)s in %(county)s.")
                % {"school": school.name, "county": school.county},
            )
        if not cells_ok or self.report.error_count > errors_before:
            return None
        return school or School(county=self.county, code=code)

    def _plan(self, line: int, values: dict, school: School, level_changes: dict) -> None:
        """Fill ``school`` from the row, check it, and plan what changes."""
        town = self.towns.get(values["town"]) or self.new_towns.get(values["town"])
        if town is None:
            town = self.new_towns[values["town"]] = Town(county=self.county, name=values["town"])
        before = tuple(getattr(school, f) for f in COMPARED) if school.pk else None
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
            return
        changed_rooms = []
        for key, kind in ROOM_COLUMNS.items():
            if key in values:
                in_use, recorded = self.rooms.get((school.pk, kind), (0, 0))
                if values[key] != in_use:
                    changed_rooms.append((school, kind, values[key] - in_use, recorded))
        if before is not None and before[2] != school.level:
            level_changes[school.pk] = (line, school.level)
        if before is None:
            self.to_create.append(school)
        elif tuple(getattr(school, f) for f in COMPARED) != before or changed_rooms:
            self.to_update.append(school)
        else:
            self.report.unchanged += 1
        self.room_changes.extend(changed_rooms)

    def _check_level_changes(self, level_changes: dict[int, tuple[int, str]]) -> None:
        """A school cannot change level while its active pupils are in the other level's grades."""
        if not level_changes:
            return
        primary = list(GRADES_BY_LEVEL[SchoolLevel.PRIMARY])
        active = Q(children__status=ChildStatus.ACTIVE)
        counts = School.objects.filter(pk__in=level_changes).annotate(
            outside=Count("children", filter=active & ~Q(children__grade__in=primary)),
            inside=Count("children", filter=active & Q(children__grade__in=primary)),
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


def _stamp(objs, by, now, *, created: bool) -> None:
    for obj in objs:
        if created:
            obj.created_by = by
            obj.created_at = now
        obj.updated_by = by
        obj.updated_at = now


class SchoolWriter:
    """Writes what a ``SchoolImporter`` planned, when every row was right."""

    def __init__(self, importer: SchoolImporter):
        self.plan = importer

    def finish(self) -> None:
        plan, by, now = self.plan, self.plan.by, timezone.now()
        reason = _("Imported from a file")
        if plan.county.pk is None:  # a new county, named on the command line
            plan.county.created_by = plan.county.updated_by = by
            plan.county.save()
        towns = list(plan.new_towns.values())
        for town in towns:
            town.county = plan.county
        _stamp(towns, by, now, created=True)
        Town.objects.bulk_create(towns)
        _stamp(plan.to_create, by, now, created=True)
        for school in plan.to_create:
            school.town = school.town  # the new town now has its key
            school.county = plan.county
        bulk_create_with_history(
            plan.to_create, School, batch_size=BATCH, default_user=by,
            default_change_reason=reason,
        )  # fmt: skip
        _stamp(plan.to_update, by, now, created=False)
        for school in plan.to_update:
            school.town = school.town
        bulk_update_with_history(
            plan.to_update,
            School,
            fields=["name", "town", "level", "boarding", "bathroom", "canteen", "updated_by",
                    "updated_at"],
            batch_size=BATCH,
            default_user=by,
            default_change_reason=reason,
        )  # fmt: skip
        self._write_rooms(now, reason)
        plan.report.created = [s.pk for s in plan.to_create]
        plan.report.updated = [s.pk for s in plan.to_update]

    def _write_rooms(self, now, reason: str) -> None:
        """More rooms than the school has: new records. Fewer: the newest are marked unused."""
        by = self.plan.by
        new_rooms, closed = [], []
        for school, kind, difference, recorded in self.plan.room_changes:
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
        _stamp(new_rooms, by, now, created=True)
        bulk_create_with_history(
            new_rooms, FamilyRoom, batch_size=BATCH, default_user=by,
            default_change_reason=reason,
        )  # fmt: skip
        _stamp(closed, by, now, created=False)
        bulk_update_with_history(
            closed, FamilyRoom, fields=["active", "updated_by", "updated_at"],
            default_user=by, default_change_reason=reason,
        )  # fmt: skip
