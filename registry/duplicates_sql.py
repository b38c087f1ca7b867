"""The county-wide duplicate check in PostgreSQL: self-joins on blocking keys.

One scan of the register fills a temporary table with each comparable file's key, name, birth
date, village, town, school and the first 17 characters of its number (the "body") as a bigint.

Identity numbers: two bodies one wrong character or one neighbour swap apart are equal outside
some window of positions that holds the difference. The windows cover every position and every
two neighbours; a window may be wide where the digits carry little (the area code and the
century vary little in a county: removing them leaves buckets of a few files) and must be
narrow where they carry much (month, day, sequence). ``WINDOWS`` does that in 6 windows, not
the 16 of "every two neighbours": each is one hash join of the register with itself on a bigint
key computed in the same scan (integer arithmetic, no text to sort). The pairs whose files also
share the name, the village or the school (``registry.duplicates``) are then checked in Python
by ``id_relation``, the very rule of the form and the import: the SQL only finds candidates.

Names: a join on (name, birth date) kept when the towns agree, and one on (name, village) kept
when the birth dates are one typo apart (checked by ``birth_typo`` too). Tiny buckets: cheap.
"""

from __future__ import annotations

from django.db import connection, transaction

from registry.models import Child, Village

BODY = 17
# (first, last) positions, 0-based, inclusive: together they hold every position and every two
# neighbours (0–8 in the first; 9/10 and 10/11 in the second; …; 15/16 in the last). Wide
# where the digits vary little (area code, century), two wide where they vary most (day,
# sequence): each window's buckets hold about two files of a county.
WINDOWS = ((0, 9), (9, 11), (11, 13), (13, 14), (14, 15), (15, 16))


def _key(first: int, last: int) -> str:
    """The body less positions ``first``..``last``, as a bigint."""
    low = 10 ** (BODY - 1 - last)
    return f"(b / {10 ** (BODY - first)} * {low} + b % {low})"


def candidate_pairs() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(number pairs, same name and birth date, same name and village): rows of
    (key, key, what ``registry.duplicates`` checks), the smaller key first."""
    child, village = Child._meta.db_table, Village._meta.db_table
    keys = ", ".join(f"{_key(a, b)} AS k{n}" for n, (a, b) in enumerate(WINDOWS))
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory for hash joins of the whole register (the default 4 MB sorts on disk).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS dup_file")
        cursor.execute(
            f"CREATE TEMPORARY TABLE dup_file ON COMMIT DROP AS "  # noqa: S608
            f"SELECT *, {keys} FROM (SELECT ch.id, "
            f"CASE WHEN translate(left(ch.id_number, 17), '0123456789', '') = '' "
            f"AND length(ch.id_number) = 18 THEN left(ch.id_number, 17)::bigint END AS b,"
            f" ch.name, ch.date_of_birth AS dob, ch.village_id, v.town_id, ch.school_id "
            f"FROM {child} ch JOIN {village} v ON v.id = ch.village_id "
            # OFFSET 0 keeps the subquery apart: else the body is computed again for each key.
            f"WHERE ch.merged_into_id IS NULL AND ch.anonymised_at IS NULL OFFSET 0) AS f"
        )
        cursor.execute("ANALYZE dup_file")
        numbers = []
        for n in range(len(WINDOWS)):
            cursor.execute(
                f"SELECT a.id, c.id, a.b, c.b FROM dup_file a JOIN dup_file c "  # noqa: S608
                f"ON c.k{n} = a.k{n} AND a.id < c.id WHERE a.b <> c.b AND (a.name = c.name "
                f"OR a.village_id = c.village_id OR a.school_id = c.school_id)"
            )
            numbers += cursor.fetchall()
        cursor.execute(
            "SELECT a.id, c.id FROM dup_file a JOIN dup_file c ON c.name = a.name "
            "AND c.dob = a.dob AND a.id < c.id WHERE a.town_id = c.town_id"
        )
        same_birth = cursor.fetchall()
        cursor.execute(
            "SELECT a.id, c.id, a.dob, c.dob FROM dup_file a JOIN dup_file c "
            "ON c.name = a.name AND c.village_id = a.village_id AND a.id < c.id "
            "WHERE a.dob <> c.dob"
        )
        same_village = cursor.fetchall()
    return numbers, same_birth, same_village
