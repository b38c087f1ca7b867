"""The county's statistical tables and the office's working reports (the roof).

Only aggregates leave this package: every count is made in the database. ``build(slug,
filters)`` gives a table's exact rows (officials, the command); ``build_for(user, slug,
filters)`` gives what that user may see: exact for officials, and for everyone else the report
through the one disclosure rule (``disclosure.for_viewer``: child counts rounded to 10, under 5
shown as "<5", percentages from the published figures, no drill-down links). Every page and
download under ``/reports/`` calls ``build_for``.

Counties are tenants: ``build_for`` counts a county's user (``access.county_code_of``) within
their county whatever the filters say; a city user (a municipal official, a city's report
viewer) counts the city or the county they chose. ``build(…, by_place=True)`` adds Table 1 by
place, the drill-down city → county → town → school (``places``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from django.db import connections, transaction

from lbc_office.core import replica
from lbc_office.reports import care, casework, county, disclosure, donations, figures, places
from lbc_office.reports.base import Column, Filters, Report, Table, start_report_transaction
from lbc_office.reports.disclosure import SMALL, SMALL_CELL, for_viewer
from registry import access

TABLES: dict[str, Table] = {
    t.slug: t for t in [*county.TABLES, *care.TABLES, *donations.TABLES, *casework.TABLES]
}


class UnknownTable(KeyError):
    pass


def build(slug: str, filters: Filters | None = None, *, by_place: bool = False) -> Report:
    """The rows of table ``slug`` for ``filters`` (unsuppressed: for officials and the command).

    ``by_place``: with Table 1 by place (``places``) in ``Report.by_place``, counted in the
    same transaction (one view of the register, one query more)."""
    try:
        table = TABLES[slug]
    except KeyError:
        raise UnknownTable(slug) from None
    filters = filters or Filters()
    with report_queries():
        found = figures.stored(filters) if table.from_figures else None
        if found is None:
            report = Report(table=table, filters=filters, rows=table.compute(filters))
        else:
            report = Report(
                table=table,
                filters=filters,
                rows=table.from_figures(found.rows, filters),
                counted_at=found.counted_at,
            )
        if by_place:
            stored = found if table.from_figures else ...
            rows = places.status_place_rows(filters, stored)
            report.by_place = Report(table=places.STATUS_BY_PLACE, filters=filters, rows=rows)
    return report


def build_for(user, slug: str, filters: Filters | None = None, *, by_place: bool = False) -> Report:
    """Table ``slug`` as ``user`` may see it: exact for an official, through the disclosure rule
    for anyone else (report viewers). The only way the pages and downloads get a report.

    A county's user always gets their county (``for_user``); ``by_place`` as for ``build``,
    through the same rule. Read from the read replica when there is one it may use
    (``lbc_office.core.replica``)."""
    with replica.reading(user):
        report = build(slug, for_user(user, filters or Filters()), by_place=by_place)
    if user.is_official:
        return report
    published = for_viewer(report)
    if report.by_place is not None:
        published.by_place = for_viewer(report.by_place)
    return published


def for_user(user, filters: Filters) -> Filters:
    """The filters within the user's county: a county's user (official or viewer) counts their
    own county only (the pages refuse another county's with a 404 before: this is the rule
    behind them); a city user counts what the filters say."""
    own = access.county_code_of(user)
    return replace(filters, county=own) if own else filters


@contextmanager
def report_queries():
    """One transaction for a report's queries: one view of the register (REPEATABLE READ when
    it is the outermost transaction), with room to hash in memory.

    A municipal report joins millions of children to millions of enrolments; with PostgreSQL's
    default ``work_mem`` (4 MB) those hashes spill to disk in many batches. ``REPORT_WORK_MEM``
    (64 MB by default) applies to this transaction only (``set_config(…, true)``).

    On the read replica when the report is read there (``replica.reading``)."""
    using = replica.read_alias()
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        start_report_transaction(outermost, using=using)
        yield


def url_name(slug: str) -> str:
    """The URL name of a table's page (one URL pattern per table: see ``lbc_office.urls``)."""
    return "report_" + slug.replace("-", "_")


__all__ = [
    "SMALL",
    "SMALL_CELL",
    "TABLES",
    "Column",
    "Filters",
    "Report",
    "Table",
    "UnknownTable",
    "build",
    "build_for",
    "for_user",
    "disclosure",
    "figures",
    "for_viewer",
    "places",
    "report_queries",
    "url_name",
]
