"""The county's statistical tables, computed in the database from the register (the roof).

Only aggregates leave this module. For report viewers, any count between 1 and 4 is shown as
"<5" so that no child in a small place can be singled out.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from registry.models import Child, GuardianType

SMALL_CELL = 5
STATUS_COLUMNS = [
    ("children", _("Children")),
    ("both_parents_away", _("Both parents away")),
    ("grandparents", _("Cared for by grandparents")),
    ("relatives", _("Cared for by relatives")),
    ("boarding", _("Boarding at school")),
    ("poor", _("Poor households")),
]
LEVELS = [
    ("primary", _("Primary school"), Q(grade__lte=6)),
    ("middle", _("Middle school"), Q(grade__gte=7)),
]


def status_table() -> list[dict]:
    """Table 1: active children in compulsory education, by level, in one query."""
    measures = {
        "children": Q(),
        "both_parents_away": Q(father_away=True, mother_away=True),
        "grandparents": Q(guardian=GuardianType.GRANDPARENTS),
        "relatives": Q(guardian=GuardianType.RELATIVES),
        "boarding": Q(boarding=True),
        "poor": Q(poor=True),
    }
    aggregates = {
        f"{level}__{key}": Count("pk", filter=level_q & q)
        for level, _label, level_q in LEVELS
        for key, q in measures.items()
    }
    counts = Child.objects.active().filter(grade__gte=1, grade__lte=9).aggregate(**aggregates)
    rows = []
    for level, label, _q in LEVELS:
        rows.append(
            {"level": level, "label": label, **{k: counts[f"{level}__{k}"] for k in measures}}
        )
    rows.append(
        {"level": "total", "label": _("Total"), **{k: sum(r[k] for r in rows) for k in measures}}
    )
    return rows


def suppress_small(rows: list[dict], keys) -> list[dict]:
    """Replace counts of 1–4 with "<5" (for report viewers)."""
    return [
        {
            k: ("<5" if k in keys and isinstance(v, int) and 0 < v < SMALL_CELL else v)
            for k, v in r.items()
        }
        for r in rows
    ]
