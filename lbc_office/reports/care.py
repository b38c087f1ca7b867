"""The office's working reports: carers, check-ins, home visits, contact with parents (the
donations' report is in ``donations``).

Like the county's tables, each is a few database aggregates (GROUP BY, COUNT … FILTER, NOT
EXISTS); the rows are merged here by their keys, never counted here.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lbc_office.reports import scope
from lbc_office.reports.base import Column, Filters, Table, children_url, is_total, percent
from lbc_office.reports.county import TOTAL
from programmes.models import HomeVisit
from programmes.selectors import GAP_DAYS, gap_filters
from registry.models import School, Town
from volunteers.models import Assignment, CarerRole, MonthlyCheckin, month_start
from volunteers.selectors import has_carer


def town_names(pks) -> dict[int, tuple[str, str, str]]:
    """The towns by key: (the row's name, the town's own name, its county's code), one query.
    Town names repeat across counties: when the towns are of more than one county (a city's
    report), each row's name says its county ("城口县 东镇")."""
    found = Town.objects.filter(pk__in=list(pks)).values_list(
        "pk", "name", "county__name", "county__code"
    )
    found = list(found)
    several = len({code for *_rest, code in found}) > 1
    return {
        pk: (f"{county} {name}" if several else name, name, code)
        for pk, name, county, code in found
    }


def _by_town(rows_by_town: dict, names: dict, keys: list[str]) -> list[dict]:
    rows = [
        {"town": names[pk][0], "label": names[pk][0], "town_id": pk, "town_name": names[pk][1],
         "county_code": names[pk][2], **values}
        for pk, values in sorted(rows_by_town.items(), key=lambda item: (names[item[0]], item[0]))
    ]  # fmt: skip
    rows.append({"town": "total", "label": TOTAL, **{k: sum(r[k] for r in rows) for k in keys}})
    return rows


# --- Volunteer coverage ------------------------------------------------------------------------

COVERAGE_COLUMNS = [
    Column("town", _("Town"), children=False),
    Column("children", _("Children")),
    Column("with_foster_mother", _("With a foster mother")),
    Column("without_foster_mother", _("Without a foster mother")),
    Column("with_foster_sibling", _("With a foster brother or sister")),
    Column("without_foster_sibling", _("Without a foster brother or sister")),
    Column("with_surrogate_parent", _("With a surrogate parent")),
    Column("without_surrogate_parent", _("Without a surrogate parent")),
    Column("without_any_carer", _("Without any carer")),
]


def coverage_rows(filters: Filters) -> list[dict]:
    """Children with and without each kind of carer on the day, by town, in three queries:
    children without any carer (one pass over the children, an anti-join with the carers);
    children with a carer, per role and in all (over the carers, far fewer). Every child is in
    one of the first two, so the town's children are their sum: the children are read once.
    Towns are grouped by key; their names come from a fourth, small query."""
    alone = (
        scope.children(filters)
        .filter(~has_carer(day=filters.day))
        .values(town=F("school__town_id"))
        .annotate(n=Count("pk"))
    )
    cared = (
        Assignment.objects.held_on(filters.day)
        .filter(scope.children_q(filters, "child__"))
        .values(town=F("child__school__town_id"))
    )
    per_role = cared.values("town", "role").annotate(n=Count("child", distinct=True)).order_by()
    with_any = cared.annotate(n=Count("child", distinct=True)).order_by()
    blank = {"children": 0, "without_any_carer": 0, **{f"with_{r}": 0 for r in CarerRole.values}}
    rows: dict[int, dict] = {}
    for r in alone:
        row = rows.setdefault(r["town"], dict(blank))
        row["without_any_carer"] = r["n"]
        row["children"] += r["n"]
    for r in with_any:
        rows.setdefault(r["town"], dict(blank))["children"] += r["n"]
    for r in per_role:
        rows[r["town"]][f"with_{r['role']}"] = r["n"]
    return _coverage_table(rows)


def coverage_rows_from_figures(figures: QuerySet, filters: Filters) -> list[dict]:
    """Volunteer coverage from the stored school figures, summed by town (one query)."""
    rows = {}
    for r in figures.values(town=F("school__town_id")).annotate(
        children=Sum("children"),
        with_any=Sum("with_any_carer"),
        **{f"with_{role}": Sum(f"with_{role}") for role in CarerRole.values},
    ):
        if r["children"]:
            town = r.pop("town")
            r["without_any_carer"] = r["children"] - r.pop("with_any")
            rows[town] = r
    return _coverage_table(rows)


def _coverage_table(rows: dict[int, dict]) -> list[dict]:
    """Town rows (children, without any carer, with each role) completed and named."""
    for r in rows.values():
        for role in CarerRole.values:
            r[f"without_{role}"] = r["children"] - r[f"with_{role}"]
    names = town_names(rows)
    keys = [c.key for c in COVERAGE_COLUMNS[1:]]
    return _by_town(rows, names, keys)


# --- Monthly check-ins -------------------------------------------------------------------------

CHECKIN_COLUMNS = [
    Column("month", _("Month"), children=False),
    Column("organisation", _("Organisation"), children=False),
    Column("due", _("Check-ins due")),
    Column("done", _("Done")),
    Column("missed", _("Missed")),
    Column("open", _("Still to do")),
    Column("completion", _("Completion (%)"), children=False, percent_of=("done", "due")),
]
MONTHS = 12


def checkin_rows(filters: Filters) -> list[dict]:
    """Check-ins of the twelve months up to the day's month, by month and organisation, as they
    stand now (one query)."""
    last = month_start(filters.day)
    first = last
    for _i in range(MONTHS - 1):
        first = month_start(first - datetime.timedelta(days=1))
    status = MonthlyCheckin.Status
    grouped = (
        MonthlyCheckin.objects.filter(month__gte=first, month__lte=last)
        .exclude(status=status.CANCELLED)  # the child left the register: not due, not missed
        .filter(scope.place_q(filters, "assignment__child__", county="county"))
        .values("month", "assignment__volunteer__organisation__name")
        .annotate(
            due=Count("pk"),
            done=Count("pk", filter=Q(status=status.DONE)),
            missed=Count("pk", filter=Q(status=status.MISSED)),
            open=Count("pk", filter=Q(status=status.OPEN)),
        )
        .order_by("-month", F("assignment__volunteer__organisation__name").asc(nulls_last=True))
    )
    keys = ["due", "done", "missed", "open"]
    rows = []
    for r in grouped:
        organisation = r["assignment__volunteer__organisation__name"] or ""
        rows.append(
            {
                "month": r["month"].strftime("%Y-%m"),
                "organisation": organisation,
                "label": r["month"].strftime("%Y-%m"),
                **{k: r[k] for k in keys},
                "completion": percent(r["done"], r["due"]),
            }
        )
    total = {k: sum(r[k] for r in rows) for k in keys}
    rows.append(
        {"month": "total", "organisation": "", "label": TOTAL, **total,
         "completion": percent(total["done"], total["due"])}
    )  # fmt: skip
    return rows


# --- Home visits -------------------------------------------------------------------------------

VISIT_COLUMNS = [
    Column("town", _("Town"), children=False),
    Column("school_code", _("School code"), children=False),
    Column("school", _("School"), children=False),
    Column("children", _("Children")),
    Column("visited", _("Visited this school year")),
    Column("not_visited", _("Not visited yet")),
    Column("visits", _("Home visits")),
    Column("coverage", _("Visited (%)"), children=False, percent_of=("visited", "children")),
]


def school_year_start(day: datetime.date) -> datetime.date:
    """The school year starts on 1 September."""
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def visit_rows(filters: Filters) -> list[dict]:
    """Children visited at home since the school year began, by school (three queries: the
    children per school, the visits per school, the schools' names for the rows found)."""
    day = filters.day
    per_school = dict(
        scope.children(filters)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    visits = (
        HomeVisit.objects.filter(date__gte=school_year_start(day), date__lte=day)
        .filter(scope.children_q(filters, "child__"))
        .values("child__school_id")
        .annotate(visited=Count("child", distinct=True), visits=Count("pk"))
        .order_by()
    )
    found = {r["child__school_id"]: r for r in visits}
    return _visit_table(per_school, found)


def visit_rows_from_figures(figures: QuerySet, filters: Filters) -> list[dict]:
    """Home-visit coverage from the stored school figures, by school (two queries)."""
    per_school, found = {}, {}
    for r in figures.values("school_id").annotate(
        n=Sum("children"), visited=Sum("visited"), visits=Sum("visits")
    ):
        if r["n"]:
            per_school[r["school_id"]] = r["n"]
            found[r["school_id"]] = r
    return _visit_table(per_school, found)


def _visit_table(per_school: dict[int, int], found: dict[int, dict]) -> list[dict]:
    """Rows by school (children per school; visited and visits per school, where any)."""
    schools = (
        School.objects.filter(pk__in=list(per_school))
        .order_by("town__name", "name", "pk")
        .values_list("pk", "code", "name", "town__name")
    )
    rows = []
    for pk, code, name, town in schools:
        n = per_school[pk]
        v = found.get(pk, {"visited": 0, "visits": 0})
        rows.append(
            {
                "town": town,
                "school_code": code,
                "school": name,
                "label": town,
                "children": n,
                "visited": v["visited"],
                "not_visited": n - v["visited"],
                "visits": v["visits"],
                "coverage": percent(v["visited"], n),
            }
        )
    keys = ["children", "visited", "not_visited", "visits"]
    total = {k: sum(r[k] for r in rows) for k in keys}
    rows.append(
        {"town": "total", "school_code": "", "school": "", "label": TOTAL, **total,
         "coverage": percent(total["visited"], total["children"])}
    )  # fmt: skip
    return rows


# --- Contact with parents ----------------------------------------------------------------------

# The gaps are the office's (``programmes.selectors.GAP_DAYS``); each has its label here.
GAP_LABELS = {
    30: _("No contact for 30 days or more"),
    90: _("No contact for 90 days or more"),
    365: _("No contact for 365 days or more"),
}
GAP_COLUMNS = [
    Column("town", _("Town"), children=False),
    Column("children", _("Children")),
    *(Column(f"no_contact_{d}", GAP_LABELS[d]) for d in GAP_DAYS),
    Column("never", _("No contact ever recorded")),
]


def gap_rows(filters: Filters) -> list[dict]:
    """Children out of contact with their parents, by town, from each child's last contact
    (the cached ``last_parent_contact_on``, which is why this table is for today only)."""
    grouped = (
        scope.children(filters)
        .values(town=F("school__town_id"))
        .annotate(
            children=Count("pk"),
            **{
                f"no_contact_{d}": Count("pk", filter=q)
                for d, q in gap_filters(filters.day).items()
            },
            never=Count("pk", filter=Q(last_parent_contact_on__isnull=True)),
        )
    )
    keys = [c.key for c in GAP_COLUMNS[1:]]
    rows = {r["town"]: {k: r[k] for k in keys} for r in grouped}
    names = town_names(rows)
    return _by_town(rows, names, keys)


def gap_rows_from_figures(figures: QuerySet, filters: Filters) -> list[dict]:
    """Contact gaps from today's stored school figures, summed by town (two queries)."""
    keys = [c.key for c in GAP_COLUMNS[1:]]
    rows = {}
    for r in figures.values(town=F("school__town_id")).annotate(**{k: Sum(k) for k in keys}):
        if r["children"]:
            rows[r.pop("town")] = r
    names = town_names(rows)
    return _by_town(rows, names, keys)


# --- Drill-downs (officials, today's tables) -----------------------------------------------------


def town_place(row: dict) -> dict:
    """A town row's place as the register's list parameters: its own name (a city's row is
    named with its county) and, when known, its county."""
    place = {"school_town": row.get("town_name", row["town"])}
    if row.get("county_code"):
        place["county"] = row["county_code"]
    return place


def coverage_links(row: dict, place: dict) -> dict[str, str]:
    """The town's children, those without any carer; per role, the office's list of children
    without such a carer (that list has no place filter)."""
    town = place if is_total(row, "town") else {**place, **town_place(row)}
    return {
        "children": children_url(**town),
        "without_any_carer": children_url(**town, attention="no_carer"),
        **{
            f"without_{role}": reverse("volunteers:without_carer") + f"?role={role}"
            for role in CarerRole.values
        },
    }


def checkin_links(row: dict, place: dict) -> dict[str, str]:
    if is_total(row, "month"):
        return {}
    return {
        status: reverse("volunteers:checkins") + f"?month={row['month']}&status={status}"
        for status in ("done", "missed", "open")
    }


def visit_links(row: dict, place: dict) -> dict[str, str]:
    return (
        {} if is_total(row, "town") else {"children": children_url(school_code=row["school_code"])}
    )


def gap_links(row: dict, place: dict) -> dict[str, str]:
    return {f"no_contact_{d}": reverse("programmes:contact_gaps") + f"?days={d}" for d in GAP_DAYS}


TABLES = [
    Table(
        slug="volunteer-coverage",
        title=_("Volunteer coverage"),
        description=_("Children with and without each kind of carer, by town."),
        row_count="children",
        columns=COVERAGE_COLUMNS,
        compute=coverage_rows,
        from_figures=coverage_rows_from_figures,
        links=coverage_links,
    ),
    Table(
        slug="checkins",
        title=_("Monthly check-ins"),
        description=_("Check-ins due, done and missed over twelve months, by organisation."),
        row_count="due",
        columns=CHECKIN_COLUMNS,
        compute=checkin_rows,
        links=checkin_links,
    ),
    Table(
        slug="home-visits",
        title=_("Home-visit coverage"),
        description=_("Children visited at home this school year (from 1 September), by school."),
        row_count="children",
        columns=VISIT_COLUMNS,
        compute=visit_rows,
        from_figures=visit_rows_from_figures,
        links=visit_links,
    ),
    Table(
        slug="contact-gaps",
        title=_("Contact with parents"),
        description=_("Children with no contact with a parent for 30, 90 and 365 days, by town."),
        row_count="children",
        columns=GAP_COLUMNS,
        compute=gap_rows,
        from_figures=gap_rows_from_figures,
        filters=("town", "school"),
        links=gap_links,
    ),
]
