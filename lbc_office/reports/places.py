"""Table 1 by place, the municipal drill-down: the city's figures one row per county, a county's
one row per town, a town's one row per school (``place_level``). Each row names the filters of
its own table one level down (``place_params``): city → county → town → school.

One GROUP BY, over the children (or over the day's stored school figures where a city stores
them, as Table 1 itself); a report viewer gets it through the same disclosure rule as every
table (``disclosure.for_viewer``: a place with 0–4 children is left out, as a town is).
"""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy as _

from lbc_office.reports import figures, scope
from lbc_office.reports.base import Column, Filters, Table
from lbc_office.reports.county import STATUS_COLUMNS, STATUS_MEASURES, TOTAL

# The level below each place, and the children's (or the school figures') fields naming it:
# the row's code (a filter's value) and its name.
LEVELS = {
    "county": ("school__county__code", "school__county__name"),
    "town": ("school__town__name", "school__town__name"),
    "school": ("school__code", "school__name"),
}
LEVEL_LABELS = {"county": _("County"), "town": _("Town"), "school": _("School")}


def place_level(filters: Filters) -> str:
    """The rows of the filters' place: counties for the city, towns for a county, schools for a
    town; "" for a school (it has no place below it)."""
    if filters.school:
        return ""
    if not filters.county:
        return "county"
    return "school" if filters.town else "town"


def place_params(filters: Filters, level: str, code: str) -> dict[str, str]:
    """The filters of a row's own table (the query of its page)."""
    given = {"county": filters.county, "town": filters.town, level: code}
    return {k: v for k, v in given.items() if v}


def status_place_rows(filters: Filters, stored=...) -> list[dict]:
    """The rows of Table 1 by place. ``stored``: the day's stored figures when the caller has
    already asked for them (None: count live); by default asked here."""
    level = place_level(filters)
    if not level:
        return []
    code, name = LEVELS[level]
    if stored is ...:
        stored = figures.stored(filters)
    if stored is not None:
        grouped = stored.rows.values(place_code=F(code), place_name=F(name)).annotate(
            **{k: Sum(k) for k in STATUS_MEASURES}
        )
    else:
        grouped = (
            scope.children(filters)
            .values(place_code=F(code), place_name=F(name))
            .annotate(**{k: Count("pk", filter=q) if q else Count("pk") for k, q in
                         STATUS_MEASURES.items()})
        )  # fmt: skip
    rows = [
        {
            "place": r["place_name"],
            "label": r["place_name"],
            "code": r["place_code"],
            "level": level,
            **{k: r[k] or 0 for k in STATUS_MEASURES},
        }
        for r in grouped.order_by("place_name", "place_code")
        if r["children"]
    ]
    rows.append(
        {"place": "total", "label": TOTAL, "code": "",
         **{k: sum(r[k] for r in rows) for k in STATUS_MEASURES}}
    )  # fmt: skip
    return rows


STATUS_BY_PLACE = Table(
    slug="status-by-place",
    title=_("Table 1 by place"),
    description=_(
        "The same children, all levels together: a city's by county, a county's by town, a "
        "town's by school."
    ),
    columns=[
        Column("place", _("Place"), children=False),
        Column("code", _("Code"), children=False),
        *STATUS_COLUMNS[1:],
    ],
    compute=status_place_rows,
    row_count="children",
)
