"""Spreadsheet cells: what a spreadsheet would run as a formula, and the apostrophe that stops it.

Every export (the register's files, the reports' tables) writes its cells through ``neutralise``;
the importer reads them back through ``strip_neutralising``.
"""

from __future__ import annotations

# What a spreadsheet would run as a formula (see ``neutralise``).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe.

    ``strip_neutralising`` undoes it on import, so an export re-imports to the same values.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def strip_neutralising(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
