"""The pieces every report is made of: the filters, the columns, the rows. What a report viewer
may see of them is decided in one place: ``lbc_office.reports.disclosure``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode


@dataclass(frozen=True)
class Filters:
    """What a report is about. ``as_of``: the day (default today); ``county``: a county's
    administrative code ("" for the whole city); ``town``: a town's name (children are placed by
    their school's town; the names repeat across counties, so a town is one town only within a
    county); ``school``: a school code.

    The county is the tenant: every table counts within it whatever else it is filtered by (a
    record that has its own county, a concern, a referral, a check-in, a donation, counts by
    that; a child by their school's). Who may ask for which county is decided by the pages
    (``reports.views.report_filters``) from ``registry.access.county_code_of``."""

    as_of: datetime.date | None = None
    town: str = ""
    school: str = ""
    county: str = ""

    @property
    def day(self) -> datetime.date:
        return self.as_of or timezone.localdate()

    @property
    def is_today(self) -> bool:
        return self.as_of is None or self.as_of >= timezone.localdate()


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy translation
    # Counts children (or records that each stand for one child): rounded for viewers
    # (lbc_office.reports.disclosure).
    children: bool = True
    # A percentage: (the part's key, the whole's key). Viewers get it computed from the
    # published part and whole, or not at all when those are small.
    percent_of: tuple[str, str] = ()
    # A figure about the records a count counts (an average over them): the key of that count.
    # Viewers get it only when that count is published as a number (not small), unrounded.
    figure_of: str = ""


@dataclass(frozen=True)
class Table:
    slug: str
    title: object
    description: object
    columns: list[Column]
    compute: Callable[[Filters], list[dict]]
    # The same rows from the stored school figures (lbc_office.reports.figures), if the table
    # can be made from them: (the day's figures within the place, the filters) → rows.
    from_figures: Callable[[QuerySet, Filters], list[dict]] | None = None
    # Filters the table understands (a donation is not at a school or in a town).
    filters: tuple[str, ...] = ("as_of", "town", "school")
    # The county's own tables (DOMAIN.md), as opposed to the office's working reports.
    county_table: bool = False
    # When a row exists only because children are counted in it (a town, a school, a month of
    # an organisation): the key of that count. A viewer does not get such a row when the count
    # is shown as small, so that a row's presence says no more than its figure.
    row_count: str = ""
    # The drill-downs an official gets under a row's counts: (the row, the place: the filters'
    # town and school as the register's list parameters) → {column key: the URL of the list of
    # what that count counts}. Only for today's table (the lists show the register as it is).
    links: Callable[[dict, dict], dict[str, str]] | None = None

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def drill_down(self, row: dict, place: dict) -> dict[str, str]:
        """The row's drill-down links (none when the table declares none)."""
        return self.links(row, place) if self.links else {}


def children_url(**params) -> str:
    """The register's list of children, filtered by ``params`` (a drill-down's target)."""
    return reverse("registry:child_list") + ("?" + urlencode(params) if params else "")


def is_total(row: dict, key: str) -> bool:
    return row.get(key) == "total"


@dataclass
class Report:
    table: Table
    filters: Filters
    rows: list[dict] = field(default_factory=list)
    suppressed: bool = False
    # When the rows come from stored figures: when those were counted (None: counted now).
    counted_at: datetime.datetime | None = None
    # Table 1 by place, when asked for (``reports.build(…, by_place=True)``).
    by_place: Report | None = None

    def records(self) -> list[dict]:
        """The rows with the table's keys only (what CSV, JSON and XLSX carry)."""
        return [{k: row.get(k) for k in self.table.keys} for row in self.rows]


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def start_report_transaction(outermost: bool, using: str = DEFAULT_DB_ALIAS) -> None:
    """The first statements of a report's transaction on PostgreSQL: when it is the outermost
    transaction, REPEATABLE READ, so that all its queries see the register as it stood at one
    moment; and room to hash in memory (``REPORT_WORK_MEM``, this transaction only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORT_WORK_MEM])
