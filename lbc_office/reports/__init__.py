"""The county's statistical tables and the office's working reports (the roof).

Only aggregates leave this package: every count is made in the database. ``build(slug,
filters)`` gives a table's rows for officials; ``suppress_report`` gives what a report viewer
may see (every child count between 1 and 4 shown as "<5", no drill-down links).
``manage.py lbc_report`` and the pages under ``/reports/<table>/`` both call ``build``.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection, transaction

from lbc_office.reports import care, county, figures
from lbc_office.reports.base import (
    SMALL,
    SMALL_CELL,
    Column,
    Filters,
    Report,
    Table,
    start_report_transaction,
    suppress_report,
    suppress_small,
)

TABLES: dict[str, Table] = {t.slug: t for t in [*county.TABLES, *care.TABLES]}


class UnknownTable(KeyError):
    pass


def build(slug: str, filters: Filters | None = None) -> Report:
    """The rows of table ``slug`` for ``filters`` (unsuppressed: for officials and the command)."""
    try:
        table = TABLES[slug]
    except KeyError:
        raise UnknownTable(slug) from None
    filters = filters or Filters()
    with report_queries():
        found = figures.stored(filters) if table.from_figures else None
        if found is None:
            return Report(table=table, filters=filters, rows=table.compute(filters))
        return Report(
            table=table,
            filters=filters,
            rows=table.from_figures(found.rows, filters),
            counted_at=found.counted_at,
        )


@contextmanager
def report_queries():
    """One transaction for a report's queries: one view of the register (REPEATABLE READ when
    it is the outermost transaction), with room to hash in memory.

    A municipal report joins millions of children to millions of enrolments; with PostgreSQL's
    default ``work_mem`` (4 MB) those hashes spill to disk in many batches. ``REPORT_WORK_MEM``
    (64 MB by default) applies to this transaction only (``set_config(…, true)``)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        start_report_transaction(outermost)
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
    "figures",
    "report_queries",
    "suppress_report",
    "suppress_small",
    "url_name",
]
