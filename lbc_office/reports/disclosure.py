"""The one disclosure-control rule for what a report viewer gets (docs/REPORTS.md, "Small cells
and rounding for report viewers").

Every figure a viewer receives from a report — the pages, the CSV, XLSX and JSON downloads, the
report index, the stored-figures path, ``lbc_report --suppress-small`` — is made here by
``for_viewer``, and each published figure is a function of its own exact value only:

- a **child count** (a column marked ``children``; totals included, rounded from their own
  exact value, never added up from rounded cells) is rounded to the nearest ``ROUNDING_BASE``
  (halves up); one that rounds to 0 — that is 0 to 4, a true zero included — is shown as
  ``SMALL``;
- a **percentage** is computed from the *published* part and whole, and shown only when both
  are numbers and the published whole is at least ``PERCENT_MIN_BASE``;
- a **row that exists only because children are counted in it** (a town, a school, a month of
  an organisation: ``Table.row_count``) is left out when that count is ``SMALL``, so that the
  presence of a row says no more than its published count;
- a **figure about the records a count counts** (an average: ``Column.figure_of``) is shown
  only when that count is published as a number, never over 0–4 records;
- columns that do not count children (schools, phones, towns, donations, money) are shown
  whole; drill-down links and every key that is not a column are dropped.

Why base 10 and not 5: with round-to-nearest-5 four cells of 2 (each shown 0, i.e. 0–2) under a
total of 8 (shown 10, i.e. 8–12) can only be 2, 2, 2, 2, and a 2×2 table with its margins
unpicks the same way. With base 10 a published n means n-5 … n+4 (0 … 4 for ``SMALL``); for
one additive relation (a total and its parts, a town and its schools, a city and its towns) to
pin a cell, every figure in it would have to sit at the same end of its interval, which would
need 5 + 4k ≡ 0 or 4 + 5k ≡ 0 (mod 10): neither has a solution, whatever the number of parts k.
"""

from __future__ import annotations

from lbc_office.reports.base import Report, percent

# The parameters of the rule: change them here and nowhere else.
ROUNDING_BASE = 10
# A count that rounds to 0 (0 to ROUNDING_BASE // 2 - 1) is shown as this mark.
SMALL_CELL = ROUNDING_BASE // 2
SMALL = f"<{SMALL_CELL}"
# A percentage is shown only when its published whole is at least this (with a whole of 50 the
# rounding moves it by at most about 10 points).
PERCENT_MIN_BASE = 50


def publish_count(value: int) -> int | str:
    """A child count as a viewer sees it: rounded to the nearest ROUNDING_BASE, 0 shown as SMALL.

    Refuses anything but a non-negative integer, so that a new column that is not a count (an
    average, an amount) cannot be marked ``children`` by mistake and slip through."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"a child count must be a non-negative integer, not {value!r}")
    rounded = ROUNDING_BASE * ((value + ROUNDING_BASE // 2) // ROUNDING_BASE)
    return rounded or SMALL


def published_interval(shown: int | str) -> tuple[int, int]:
    """The exact counts a published figure can stand for (what an attacker learns from it)."""
    if shown == SMALL:
        return 0, SMALL_CELL - 1
    return shown - ROUNDING_BASE // 2, shown + ROUNDING_BASE - ROUNDING_BASE // 2 - 1


def publish_percent(part, whole) -> float | None:
    """A percentage from *published* figures; None (shown "—") when either is SMALL or the
    whole is under PERCENT_MIN_BASE."""
    if not isinstance(part, int) or not isinstance(whole, int) or whole < PERCENT_MIN_BASE:
        return None
    return percent(part, whole)


def _published_value(column, exact):
    if not column.children:
        if isinstance(exact, float):  # an average or a share: decide, then mark it
            raise TypeError(f"{column.key}: a derived figure needs percent_of")
        return exact
    if exact is None:
        return None
    return publish_count(exact)


def for_viewer(report: Report) -> Report:
    """The report as a viewer may see it (see the module's docstring)."""
    table = report.table
    key = table.keys[0]
    rows = []
    for exact in report.rows:
        row = {"label": exact.get("label", exact.get(key))}
        for column in table.columns:
            if column.percent_of or column.figure_of:
                continue
            value = exact.get(column.key)
            row[column.key] = _published_value(column, value)
        for column in table.columns:
            if column.percent_of:
                part, whole = column.percent_of
                row[column.key] = publish_percent(row[part], row[whole])
            elif column.figure_of:
                shown = isinstance(row[column.figure_of], int)
                row[column.key] = exact.get(column.key) if shown else None
        if table.row_count and exact.get(key) != "total" and row[table.row_count] == SMALL:
            continue  # a place with 0–4 children looks like a place with none
        rows.append(row)
    return Report(
        table=table,
        filters=report.filters,
        rows=rows,
        suppressed=True,
        counted_at=report.counted_at,
    )
