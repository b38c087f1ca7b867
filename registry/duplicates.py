"""Suspected duplicate files: one module for the form, the import and the county-wide check.

Two files are suspected to be one child when:

- their identity numbers are the same but for ONE wrong character, or TWO NEIGHBOURING
  characters swapped, and the files also share the name, the household village or the school.
  Without that second agreement the rule would pair children who are merely born the same day
  in the same county: their numbers differ only in the three-digit sequence, often in one digit
  of it (about 3 pairs a birth date in a county of 58,000 children: 9,500 false pairs), while a
  child typed twice keeps their school or village even when the name is mistyped.
  The 18th character is a checksum of the first 17 (ISO 7064 MOD 11-2), and that checksum
  catches every single wrong digit and every swap of neighbours: two numbers that both passed
  the register's check can never differ in one character only. So the comparison is on the
  first 17 characters (the "body"); the checksums then differ too. Swaps of two
  characters that are not neighbours are not counted: they are not a typing slip, and each
  pair of positions would be one more blocking key (136 instead of 16);
- or the same name and date of birth in the same town (of the household village);
- or the same name in the same village, with dates of birth one typo apart: one digit of
  YYYYMMDD different, or the day and the month swapped (03-07 for 07-03).

A pair an official answered "not a duplicate" (``NotDuplicate``) is never suspected again; a
file merged into another or anonymised is not compared.

``candidates`` answers for one new file (the form), ``RowIndex`` for the rows of an import
(against each other and the register's files of their counties), ``find_pairs`` for the whole
register: in SQL on PostgreSQL (``duplicates_sql``), in Python elsewhere (the laptop's SQLite).
"""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from registry import duplicates_sql, idnumber
from registry.models import Child, DuplicateReason, NotDuplicate
from registry.models.duplicates import ordered

R = DuplicateReason
BODY = 17  # the characters compared; the 18th follows from them


# --- Pure rules ------------------------------------------------------------------------------


def id_relation(a: str, b: str) -> str | None:
    """``R.ID_ONE_CHARACTER``, ``R.ID_SWAPPED`` or None for two identity numbers."""
    x, y = (a or "")[:BODY], (b or "")[:BODY]
    if len(x) != BODY or len(y) != BODY or x == y:
        return None
    diff = [i for i in range(BODY) if x[i] != y[i]]
    if len(diff) == 1:
        return R.ID_ONE_CHARACTER
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i, j = diff
        if x[i] == y[j] and x[j] == y[i]:
            return R.ID_SWAPPED
    return None


def birth_typo(a: datetime.date, b: datetime.date) -> bool:
    """One digit of YYYYMMDD different, or day and month swapped."""
    if a == b:
        return False
    if (a.day, a.month) == (b.month, b.day):
        return True
    x, y = f"{a:%Y%m%d}", f"{b:%Y%m%d}"
    return sum(1 for i in range(8) if x[i] != y[i]) == 1


def _body_variants(number: str) -> list[str]:
    """Every valid number one wrong character or one neighbour swap away from ``number``."""
    body = (number or "")[:BODY]
    if len(body) != BODY or not body.isdigit():
        return []
    bodies = set()
    for i in range(BODY):
        for digit in "0123456789":
            if digit != body[i]:
                bodies.add(body[:i] + digit + body[i + 1 :])
        if i + 1 < BODY and body[i] != body[i + 1]:
            bodies.add(body[:i] + body[i + 1] + body[i] + body[i + 2 :])
    return [b + idnumber.check_digit_for(b) for b in bodies]


def _birth_variants(born: datetime.date) -> list[datetime.date]:
    text = f"{born:%Y%m%d}"
    days = set()
    for i in range(8):
        for digit in "0123456789":
            days.add(text[:i] + digit + text[i + 1 :])
    found = set()
    for day in days:
        with contextlib.suppress(ValueError):  # not a date
            found.add(datetime.date(int(day[:4]), int(day[4:6]), int(day[6:])))
    with contextlib.suppress(ValueError):
        found.add(born.replace(month=born.day, day=born.month))
    found.discard(born)
    return sorted(found)


# --- One new file: the form -------------------------------------------------------------------


@dataclass
class Candidate:
    child: Child
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [R(r).label for r in self.reasons]


def comparable(queryset=None):
    """The files a new one is compared with: not merged away, not anonymised."""
    queryset = Child.objects.all() if queryset is None else queryset
    return queryset.filter(merged_into__isnull=True, anonymised_at__isnull=True)


def candidates(
    *,
    id_number: str,
    name: str,
    date_of_birth,
    village,
    school=None,
    exclude=None,
    queryset=None,
) -> list[Candidate]:
    """The registered files a new file with these details may duplicate (one query), with the
    reasons, in the order of their keys. ``queryset`` narrows them (a user's scope)."""
    number = idnumber.normalise(id_number or "")
    q = Q(id_number__in=_body_variants(number)) if number else Q(pk__in=[])
    if name and date_of_birth and village is not None:
        q |= Q(name=name, date_of_birth=date_of_birth, village__town_id=village.town_id)
        q |= Q(name=name, village=village, date_of_birth__in=_birth_variants(date_of_birth))
    found = comparable(queryset).filter(q).exclude(id_number=number)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    result = []
    for child in found.select_related("school", "village__town").order_by("pk"):
        reasons = reasons_between(
            (number, name, date_of_birth, village.pk if village else None,
             village.town_id if village else None, school.pk if school else None),
            (child.id_number, child.name, child.date_of_birth, child.village_id,
             child.village.town_id, child.school_id),
        )  # fmt: skip
        if reasons:
            result.append(Candidate(child, reasons))
    return result


def reasons_between(a: tuple, b: tuple) -> list[str]:
    """(number, name, birth date, village key, town key, school key) of two files → the
    reasons."""
    reasons = []
    if a[1] == b[1] or a[3] == b[3] or a[5] == b[5]:  # the cheap test first
        relation = id_relation(a[0], b[0])
        if relation:
            reasons.append(relation)
    if a[1] == b[1] and a[1]:
        if a[2] == b[2] and a[4] == b[4]:
            reasons.append(R.NAME_BIRTH_TOWN)
        elif a[3] == b[3] and birth_typo(a[2], b[2]):
            reasons.append(R.NAME_BIRTH_TYPO_VILLAGE)
    return reasons


# --- Many files at once: the import and the Python check --------------------------------------


def _keys(number: str, name: str, born, village, town, school=None) -> list[tuple]:
    body = (number or "")[:BODY]
    keys = []
    if len(body) == BODY:  # the body less each window of ``duplicates_sql.WINDOWS``
        keys = [(n, body[:first] + body[last + 1 :]) for n, (first, last) in _WINDOWS]
    if name:
        keys.append(("town", name, born, town))
        keys.append(("village", name, village))
    return keys


_WINDOWS = list(enumerate(duplicates_sql.WINDOWS))


class RowIndex:
    """Files as (key, number, name, birth date, village key, town key, school key) tuples,
    blocked so that each file meets only the few that share a key with it.

    The body less a window of positions (the windows of the SQL check: every position and every
    two neighbours are in one) covers every one-character difference and neighbour swap; name
    and birth date and town, and name and village, the other two rules. Each meeting is then
    checked by ``reasons_between``."""

    def __init__(self):
        self.blocks: dict[tuple, list[tuple]] = defaultdict(list)

    def add(self, record: tuple, keys: list | None = None) -> None:
        for key in _keys(*record[1:]) if keys is None else keys:
            self.blocks[key].append(record)

    def matches(self, record: tuple, *, add: bool = False) -> dict:
        """Key of each file already added that ``record`` may duplicate → its reasons (and
        ``record`` added, with ``add``)."""
        found: dict = {}
        keys = _keys(*record[1:])
        for key in keys:
            for other in self.blocks.get(key, ()):
                if other[0] != record[0] and other[0] not in found:
                    reasons = reasons_between(record[1:], other[1:])
                    if reasons:
                        found[other[0]] = reasons
        if add:
            self.add(record, keys)
        return found


def register_records(queryset) -> Iterable[tuple]:
    """The (key, number, name, birth date, village key, town key, school key) of
    ``queryset``'s files."""
    return comparable(queryset).values_list(
        "pk", "id_number", "name", "date_of_birth", "village_id", "village__town_id", "school_id"
    )


def _python_pairs(records: Iterable[tuple]) -> dict[tuple[int, int], set[str]]:
    index = RowIndex()
    pairs: dict[tuple[int, int], set[str]] = {}
    for record in records:
        for other, reasons in index.matches(record, add=True).items():
            pairs.setdefault(ordered(record[0], other), set()).update(reasons)
    return pairs


# --- The whole register -----------------------------------------------------------------------


def find_pairs(county=None) -> dict[tuple[int, int], list[str]]:
    """Every suspected pair of the register (smaller key first) → its reasons, less the pairs
    answered "not a duplicate". In SQL on PostgreSQL (``duplicates_sql``); in Python (the whole
    register in memory: a laptop's county) elsewhere. With ``county``, only the pairs whose
    two files are both that county's (the pairs a county's officials can answer)."""
    if connection.vendor == "postgresql":
        pairs = _sql_pairs()
        if county is not None:
            ours = set(Child.objects.filter(county=county).values_list("pk", flat=True))
            pairs = {pair: r for pair, r in pairs.items() if pair[0] in ours and pair[1] in ours}
    else:
        children = Child.objects.all() if county is None else Child.objects.filter(county=county)
        pairs = _python_pairs(register_records(children))
    answered = set(NotDuplicate.objects.values_list("first_id", "second_id"))
    return {
        pair: sorted(reasons, key=_REASON_ORDER.index)
        for pair, reasons in sorted(pairs.items())
        if pair not in answered
    }


_REASON_ORDER = list(R.values)


def _sql_pairs() -> dict[tuple[int, int], set[str]]:
    """``duplicates_sql``'s candidates, checked by the rules above."""
    numbers, same_birth, same_village = duplicates_sql.candidate_pairs()
    pairs: dict[tuple[int, int], set[str]] = {}
    for a, b, x, y in numbers:
        relation = id_relation(f"{x:017d}", f"{y:017d}")
        if relation:
            pairs.setdefault((a, b), set()).add(relation)
    for a, b in same_birth:
        pairs.setdefault((a, b), set()).add(R.NAME_BIRTH_TOWN)
    for a, b, x, y in same_village:
        if birth_typo(x, y):
            pairs.setdefault((a, b), set()).add(R.NAME_BIRTH_TYPO_VILLAGE)
    return pairs
