"""The county's four statistical tables (DOMAIN.md), counted in the database.

Each function takes the filters and returns the rows in the order the table gives them; every
count is a database aggregate (COUNT … FILTER, GROUP BY); only totals of those aggregates are
added up here.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from lbc_office.core import replica
from lbc_office.figures.models import PROGRAMME_FIELDS
from lbc_office.reports import scope
from lbc_office.reports.base import Column, Filters, Table, children_url, is_total
from programmes.models import Enrolment, Programme
from registry.models import FamilyRoom, GuardianType, SchoolLevel, both_parents_away_q

LEVELS = [
    ("primary", _("Primary school"), Q(grade__lte=6)),
    ("middle", _("Middle school"), Q(grade__gte=7)),
]
TOTAL = _("Total")

# --- Table 1: status ----------------------------------------------------------------------------

STATUS_MEASURES = {
    "children": Q(),
    "both_parents_away": both_parents_away_q(),
    "grandparents": Q(guardian=GuardianType.GRANDPARENTS),
    "relatives": Q(guardian=GuardianType.RELATIVES),
    "boarding": Q(boarding=True),
    "poor": Q(poor=True),
}
# Each count of table 1 drills down to the register's list with these parameters.
STATUS_LINKS = {
    "children": {},
    "both_parents_away": {"both_parents_away": "yes"},
    "grandparents": {"guardian": "grandparents"},
    "relatives": {"guardian": "relatives"},
    "boarding": {"boarding": "yes"},
    "poor": {"poor": "yes"},
}


def _level_links(measures: dict[str, dict]):
    """Links of a table by level: each measure's children at the row's level (all levels on
    the total row), within the place."""

    def links(row: dict, place: dict) -> dict[str, str]:
        level = {} if is_total(row, "level") else {"level": row["level"]}
        return {k: children_url(**place, **level, **params) for k, params in measures.items()}

    return links


STATUS_COLUMNS = [
    Column("level", _("Level"), children=False),
    Column("children", _("Children")),
    Column("both_parents_away", _("Both parents away")),
    Column("grandparents", _("Cared for by grandparents")),
    Column("relatives", _("Cared for by relatives")),
    Column("boarding", _("Boarding at school")),
    Column("poor", _("Poor households")),
]


def status_rows(filters: Filters) -> list[dict]:
    """Table 1: active children in compulsory education by level, in one query."""
    counts = scope.children(filters).aggregate(
        **{
            f"{level}__{key}": Count("pk", filter=level_q & q)
            for level, _label, level_q in LEVELS
            for key, q in STATUS_MEASURES.items()
        }
    )
    return _status_table(counts)


def status_rows_from_figures(figures: QuerySet, filters: Filters) -> list[dict]:
    """Table 1 from the stored school figures: their sums by level (one query)."""
    counts = {f"{level}__{key}": 0 for level, _label, _q in LEVELS for key in STATUS_MEASURES}
    for r in figures.values("level").annotate(**{k: Sum(k) for k in STATUS_MEASURES}):
        counts.update({f"{r['level']}__{k}": r[k] for k in STATUS_MEASURES})
    return _status_table(counts)


def _status_table(counts: dict) -> list[dict]:
    rows = [
        {"level": level, "label": label, **{k: counts[f"{level}__{k}"] for k in STATUS_MEASURES}}
        for level, label, _q in LEVELS
    ]
    rows.append(
        {"level": "total", "label": TOTAL, **{k: sum(r[k] for r in rows) for k in STATUS_MEASURES}}
    )
    return rows


# --- Table 2: family connection ----------------------------------------------------------------

BRACKETS = [("0-50", 0, 50), ("51-100", 51, 100), ("101-200", 101, 200), ("201+", 201, None)]
FAMILY_COLUMNS = [
    Column("bracket", _("Pupils with both parents away, per school"), children=False),
    Column("schools", _("Schools"), children=False),
    Column("children_both_parents_away", _("Pupils with both parents away")),
    Column("schools_with_family_phones", _("Schools with family phones"), children=False),
    Column("family_phones", _("Family phones"), children=False),
    Column("schools_with_chat_rooms", _("Schools with chat rooms"), children=False),
    Column("chat_rooms", _("Chat rooms"), children=False),
]


def family_connection_rows(filters: Filters) -> list[dict]:
    """Table 2: every school (also one with no such pupil) in the bracket of its number of pupils
    with both parents away, with its family phones and chat rooms in use. One query: the
    per-school counts are grouped in the database, then grouped again by bracket."""
    pupils = (
        scope.children(filters)
        .both_parents_away()
        .values(sid=F("school_id"))
        .annotate(n=Count("pk"))
    )
    rooms = (
        FamilyRoom.objects.filter(active=True)
        .values(sid=F("school_id"))
        .annotate(
            phones=Count("pk", filter=Q(kind=FamilyRoom.Kind.PHONE)),
            chats=Count("pk", filter=Q(kind=FamilyRoom.Kind.CHAT_ROOM)),
        )
        .order_by()
    )
    schools = scope.schools(filters).values(sid=F("pk"))
    parts = [q.query.sql_with_params() for q in (schools, pupils, rooms)]
    bracket = " ".join(
        f"WHEN COALESCE(c.n, 0) <= {high} THEN '{name}'" for name, _low, high in BRACKETS if high
    )
    sql = f"""
        SELECT bracket, COUNT(*), SUM(n),
               SUM(CASE WHEN phones > 0 THEN 1 ELSE 0 END), SUM(phones),
               SUM(CASE WHEN chats > 0 THEN 1 ELSE 0 END), SUM(chats)
        FROM (
            SELECT CASE {bracket} ELSE '{BRACKETS[-1][0]}' END AS bracket,
                   COALESCE(c.n, 0) AS n, COALESCE(r.phones, 0) AS phones,
                   COALESCE(r.chats, 0) AS chats
            FROM ({parts[0][0]}) s
            LEFT JOIN ({parts[1][0]}) c ON c.sid = s.sid
            LEFT JOIN ({parts[2][0]}) r ON r.sid = s.sid
        ) per_school
        GROUP BY bracket
    """  # noqa: S608 — only our own compiled SQL and fixed bracket names are interpolated
    with connections[replica.read_alias()].cursor() as cursor:
        cursor.execute(sql, [*parts[0][1], *parts[1][1], *parts[2][1]])
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    keys = [c.key for c in FAMILY_COLUMNS[1:]]
    rows = []
    for name, _low, _high in BRACKETS:
        values = found.get(name, (0,) * len(keys))
        rows.append(
            {"bracket": name, "label": name, **dict(zip(keys, map(int, values), strict=True))}
        )
    rows.append({"bracket": "total", "label": TOTAL, **{k: sum(r[k] for r in rows) for k in keys}})
    return rows


# --- Table 3: boarding -------------------------------------------------------------------------

BOARDING_COLUMNS = [
    Column("level", _("Level"), children=False),
    Column("children", _("Children")),
    Column("boarding_schools", _("Boarding schools"), children=False),
    Column("schools_with_bathroom", _("Boarding schools with a bathroom"), children=False),
    Column("schools_with_canteen", _("Boarding schools with a canteen"), children=False),
    Column("towns_without_boarding_school", _("Towns without a boarding school"), children=False),
]


def boarding_rows(filters: Filters) -> list[dict]:
    """Table 3: children by level; the boarding schools of the level, with a bathroom block and
    with a canteen; towns with no boarding school of the level (total: of any level)."""
    children = scope.children(filters).aggregate(
        **{level: Count("pk", filter=q) for level, _label, q in LEVELS}
    )
    boarding = scope.schools(filters).filter(boarding=True)
    schools = boarding.aggregate(
        **{
            f"{level}__{key}": Count("pk", filter=Q(level=level) & q)
            for level in SchoolLevel.values
            for key, q in [
                ("boarding_schools", Q()),
                ("schools_with_bathroom", Q(bathroom=True)),
                ("schools_with_canteen", Q(canteen=True)),
            ]
        }
    )
    towns = scope.towns(filters).aggregate(
        **{
            level: Count(
                "pk",
                filter=~Q(pk__in=boarding.filter(level=level).values("town_id")),
                distinct=True,
            )
            for level in SchoolLevel.values
        },
        total=Count("pk", filter=~Q(pk__in=boarding.values("town_id")), distinct=True),
    )
    keys = ["boarding_schools", "schools_with_bathroom", "schools_with_canteen"]
    rows = [
        {
            "level": level,
            "label": label,
            "children": children[level],
            **{k: schools[f"{level}__{k}"] for k in keys},
            "towns_without_boarding_school": towns[level],
        }
        for level, label, _q in LEVELS
    ]
    rows.append(
        {
            "level": "total",
            "label": TOTAL,
            **{k: sum(r[k] for r in rows) for k in ["children", *keys]},
            "towns_without_boarding_school": towns["total"],
        }
    )
    return rows


# --- Table 4: programmes -----------------------------------------------------------------------

PROGRAMME_COLUMNS = [
    Column("programme", _("Programme"), children=False),
    Column("primary", _("Primary school")),
    Column("middle", _("Middle school")),
    Column("total", _("Total")),
]


def programme_rows(filters: Filters) -> list[dict]:
    """Table 4: children enrolled on the day in a programme of each kind, by level. A child in
    two programmes of one kind (two love-lunch programmes) counts once for it. One query."""
    day = filters.day
    enrolled = (
        Enrolment.objects.filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(scope.children_q(filters, "child__"))
        .values("programme__kind")
        .annotate(
            **{
                level: Count("child", filter=q, distinct=True)
                for level, q in [
                    ("primary", Q(child__grade__lte=6)),
                    ("middle", Q(child__grade__gte=7)),
                ]
            }
        )
        .order_by()
    )
    return _programme_table(
        {row["programme__kind"]: (row["primary"], row["middle"]) for row in enrolled}
    )


def programme_rows_from_figures(figures: QuerySet, filters: Filters) -> list[dict]:
    """Table 4 from the stored school figures: their sums by level (one query)."""
    sums = {
        r["level"]: r
        for r in figures.values("level").annotate(
            **{kind: Sum(name) for kind, name in PROGRAMME_FIELDS.items()}
        )
    }
    primary, middle = sums.get("primary", {}), sums.get("middle", {})
    return _programme_table(
        {kind: (primary.get(kind) or 0, middle.get(kind) or 0) for kind in PROGRAMME_FIELDS}
    )


def _programme_table(found: dict[str, tuple[int, int]]) -> list[dict]:
    rows = []
    for kind in Programme.Kind:
        primary, middle = found.get(kind.value, (0, 0))
        rows.append(
            {"programme": kind.value, "label": kind.label, "primary": primary, "middle": middle,
             "total": primary + middle}
        )  # fmt: skip
    return rows


TABLES = [
    Table(
        slug="status",
        title=_("Table 1 — left-behind children in compulsory education"),
        description=_("Active children by level: both parents away, guardians, boarding, poverty."),
        columns=STATUS_COLUMNS,
        compute=status_rows,
        from_figures=status_rows_from_figures,
        county_table=True,
        links=_level_links(STATUS_LINKS),
    ),
    Table(
        slug="family-connection",
        title=_("Table 2 — the family connection platform"),
        description=_(
            "Schools grouped by their number of pupils with both parents away, with their family "
            "phones and chat rooms in use."
        ),
        columns=FAMILY_COLUMNS,
        compute=family_connection_rows,
        county_table=True,
    ),
    Table(
        slug="boarding",
        title=_("Table 3 — boarding schools"),
        description=_(
            "Children by level; boarding schools, their bathrooms and canteens; towns without a "
            "boarding school."
        ),
        columns=BOARDING_COLUMNS,
        compute=boarding_rows,
        county_table=True,
        links=_level_links({"children": {}}),
    ),
    Table(
        slug="programmes",
        title=_("Table 4 — programmes"),
        description=_("Children enrolled in each kind of programme, by level."),
        columns=PROGRAMME_COLUMNS,
        compute=programme_rows,
        from_figures=programme_rows_from_figures,
        county_table=True,
    ),
]
