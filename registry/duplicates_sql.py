"""The county-wide duplicate check in PostgreSQL: self-joins on blocking keys.

Identity numbers: the first 17 characters (the "body") go in a temporary table; for each of
the 16 windows of two neighbouring positions, the table is joined with itself on the body with
that window cut out (a hash join of the register with itself, whose buckets hold a file and
its near twins only). Two bodies equal outside a window and different inside it are one wrong
character apart when one position of the window differs, a neighbour swap when the two
characters are crossed. A one-character difference at position i shows in two windows (i-1 and
i): the pairs are made distinct at the end.

Names: a join on (name, birth date) kept when the towns agree, and one on (name, village) kept
when the birth dates are one typo apart (one of the eight digits of YYYYMMDD, or day and month
swapped). Both buckets are tiny, so these are cheap.

The rules are those of ``registry.duplicates`` (``id_relation``, ``birth_typo``); the tests
run both on the same planted pairs.
"""

from __future__ import annotations

from django.db import connection

from registry.models import Child, DuplicateReason, Village

R = DuplicateReason
WINDOWS = 16  # two neighbouring positions among the body's 17


def _window_sql(i: int) -> str:
    """Pairs of bodies equal outside positions i+1, i+2 (1-based) and one typo apart inside."""
    outside_a = f"substr(a.b, 1, {i}) || substr(a.b, {i + 3})"
    outside_c = f"substr(c.b, 1, {i}) || substr(c.b, {i + 3})"
    x1, x2 = f"substr(a.b, {i + 1}, 1)", f"substr(a.b, {i + 2}, 1)"
    y1, y2 = f"substr(c.b, {i + 1}, 1)", f"substr(c.b, {i + 2}, 1)"
    return f"""
        SELECT a.id AS first, c.id AS second,
               CASE WHEN {x1} = {y1} OR {x2} = {y2} THEN '{R.ID_ONE_CHARACTER}'
                    ELSE '{R.ID_SWAPPED}' END AS reason
        FROM dup_body a JOIN dup_body c ON {outside_a} = {outside_c} AND a.id < c.id
        WHERE a.b <> c.b
          AND (({x1} = {y1}) <> ({x2} = {y2}) OR ({x1} = {y2} AND {x2} = {y1}))"""


def _typo_sql() -> str:
    digits = " + ".join(
        f"(substr(to_char(a.dob, 'YYYYMMDD'), {p}, 1) <> "
        f"substr(to_char(c.dob, 'YYYYMMDD'), {p}, 1))::int"
        for p in range(1, 9)
    )
    swapped = (
        "(extract(day FROM a.dob) = extract(month FROM c.dob) "
        "AND extract(month FROM a.dob) = extract(day FROM c.dob))"
    )
    return f"({digits}) = 1 OR {swapped}"


def find_pairs() -> dict[tuple[int, int], set[str]]:
    child, village = Child._meta.db_table, Village._meta.db_table
    comparable = "merged_into_id IS NULL AND anonymised_at IS NULL"
    pairs: dict[tuple[int, int], set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS dup_body, dup_person")
        cursor.execute(
            f"CREATE TEMPORARY TABLE dup_body AS SELECT id, left(id_number, 17) AS b "
            f"FROM {child} WHERE {comparable} AND length(id_number) = 18"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE dup_person AS SELECT ch.id, ch.name, "
            f"ch.date_of_birth AS dob, ch.village_id, v.town_id "
            f"FROM {child} ch JOIN {village} v ON v.id = ch.village_id WHERE {comparable}"
        )
        cursor.execute("ANALYZE dup_body")
        cursor.execute("ANALYZE dup_person")
        queries = [_window_sql(i) for i in range(WINDOWS)]
        queries.append(
            f"SELECT a.id, c.id, '{R.NAME_BIRTH_TOWN}' FROM dup_person a JOIN dup_person c "
            f"ON c.name = a.name AND c.dob = a.dob AND a.id < c.id WHERE a.town_id = c.town_id"
        )
        queries.append(
            f"SELECT a.id, c.id, '{R.NAME_BIRTH_TYPO_VILLAGE}' FROM dup_person a "
            f"JOIN dup_person c ON c.name = a.name AND c.village_id = a.village_id "
            f"AND a.id < c.id WHERE a.dob <> c.dob AND ({_typo_sql()})"
        )
        for query in queries:
            cursor.execute(query)
            for first, second, reason in cursor.fetchall():
                pairs.setdefault((first, second), set()).add(reason)
        cursor.execute("DROP TABLE dup_body, dup_person")
    return pairs
