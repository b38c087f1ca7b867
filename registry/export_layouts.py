"""Export layouts: the register in another department's spreadsheet layout.

A layout is data (``ExportLayout``, versioned by django-simple-history): which columns of the
register export (``export.CHILD_COLUMNS``' keys), in what order, under which headers, and with
which labels for their values (``M`` → ``男`` or ``1``). Layouts are written only through
``save_layout`` (full_clean, audited, one transaction). ``rows`` reuses the export's own query
and formatting, so cells are neutralised against formulas exactly as in today's exports, and
identity numbers go through ``idnumber.shown_to`` (exports are officials-only anyway).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.cells import neutralise
from registry import idnumber
from registry.importing.columns import CHILD_COLUMNS, format_value
from registry.importing.export import CHILD_FIELDS
from registry.models import ExportLayout

KEYS = [c.key for c in CHILD_COLUMNS]  # the register export's columns, in CHILD_FIELDS' order
MAX_COLUMNS = 50


def validate_columns(columns) -> None:
    """Every column a known key, with a header; labels map values to text."""
    if not isinstance(columns, list) or not columns:
        raise ValidationError({"columns": _("A layout needs at least one column.")})
    if len(columns) > MAX_COLUMNS:
        raise ValidationError({"columns": _("A layout has at most %(n)d columns.") % {"n": 50}})
    for column in columns:
        if not isinstance(column, dict) or column.get("key") not in KEYS:
            raise ValidationError(
                {"columns": _("Unknown column: %(key)s.") % {"key": str(column)[:60]}}
            )
        header = column.get("header")
        if not isinstance(header, str) or not header.strip() or len(header) > 100:
            raise ValidationError(
                {"columns": _("Column %(key)s needs a header.") % {"key": column["key"]}}
            )
        labels = column.get("labels", {})
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 100 for k, v in labels.items()
        ):
            raise ValidationError(
                {"columns": _("The value labels of %(key)s are not text.") % {"key": column["key"]}}
            )


def parse_lines(text: str) -> list[dict]:
    """The editor's text, one column a line: ``key | header | value=label, value=label``."""
    columns = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            raise ValidationError(_("Line %(n)d has more than three parts.") % {"n": number})
        key, header = parts[0], parts[1] if len(parts) > 1 else ""
        labels = {}
        for pair in filter(
            None, (p.strip() for p in (parts[2] if len(parts) > 2 else "").split(","))
        ):
            value, sep, label = pair.partition("=")
            if not sep:
                raise ValidationError(
                    _("Line %(n)d: write each value label as value=label.") % {"n": number}
                )
            labels[value.strip()] = label.strip()
        columns.append({"key": key, "header": header or key, "labels": labels})
    return columns


def as_lines(columns: list[dict]) -> str:
    lines = []
    for column in columns:
        labels = ", ".join(f"{k}={v}" for k, v in column.get("labels", {}).items())
        lines.append(" | ".join(filter(None, [column["key"], column["header"], labels])))
    return "\n".join(lines)


@transaction.atomic
def save_layout(
    *, layout: ExportLayout | None = None, name: str, description: str = "", columns, by
) -> ExportLayout:
    """Create or change a layout (a new version in its history). Audited."""
    creating = layout is None
    layout = layout or ExportLayout(created_by=by)
    layout.name, layout.description, layout.columns = name, description, columns
    validate_columns(layout.columns)  # the columns' rule (it knows the register's columns)
    layout.full_clean()
    layout._history_user = by
    layout.save()
    audit.record(audit.Action.CREATE if creating else audit.Action.CHANGE, user=by, obj=layout)
    return layout


def header(layout: ExportLayout) -> list[str]:
    return [neutralise(column["header"]) for column in layout.columns]


def rows(layout: ExportLayout, queryset, *, user) -> Iterator[list[str]]:
    """The children of ``queryset`` in the layout: its columns, order and value labels."""
    index = {key: i for i, key in enumerate(KEYS)}
    for values in queryset.order_by("pk").values_list(*CHILD_FIELDS).iterator(chunk_size=2000):
        out = []
        for column in layout.columns:
            key = column["key"]
            value = format_value(key, values[index[key]], False)
            if key == "id_number":
                value = idnumber.shown_to(user, value)
            out.append(neutralise(column.get("labels", {}).get(value, value)))
        yield out
