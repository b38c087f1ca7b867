"""Benchmark: the county-wide duplicate check (``manage.py find_duplicates``) at scale.

Fills a separate PostgreSQL database with ``bench_data.generate`` (as bench_register.py does),
plants duplicate pairs of each kind — an identity number with one wrong digit, one with two
neighbouring digits swapped (both re-checksummed, as a clerk's typo that passed would be; the
copy keeps the name, school and village), the same name and birth date in another village of
the same town, the same name in the same village with a birth date one digit or a day/month
swap away — then times ``registry.duplicates.find_pairs`` and reports the recall on the
planted pairs and how many other pairs were found.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_bench_dupes \
        nice .venv/bin/python scripts/bench_duplicates.py --children 54660

The database is dropped and filled anew unless --reuse is given (the planted pairs are then
those of the first run: the script finds them again by their notes).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_data  # noqa: E402
import bench_register  # noqa: E402  (sets the environment up, as for the pages' benchmark)

KINDS = ("id_one_char", "id_swapped", "name_birth_town", "name_birth_typo")
NOTE = "planted duplicate of "


def _valid(first17: str):
    from registry import idnumber

    number = first17 + idnumber.check_digit_for(first17)
    try:
        return idnumber.parse(number)
    except Exception:  # noqa: BLE001 — an impossible date or area: draw again
        return None


def _copy(child, **changes):
    from registry.models import Child

    fields = {f.attname: getattr(child, f.attname) for f in Child._meta.concrete_fields}
    fields.pop("id")
    fields.update(changes)
    fields["notes"] = f"{NOTE}{child.pk}"
    return Child(**fields)


def _id_typo(rng, child, used, swap: bool):
    body = child.id_number[:17]
    for _ in range(100):
        i = rng.randrange(16 if swap else 17)
        if swap:
            if body[i] == body[i + 1]:
                continue
            new = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
        else:
            new = body[:i] + rng.choice([d for d in "0123456789" if d != body[i]]) + body[i + 1 :]
        info = _valid(new)
        if info and info.number not in used and info.birth_date.year > 2005:
            used.add(info.number)
            return _copy(child, id_number=info.number, date_of_birth=info.birth_date, sex=info.sex)
    return None


def _new_number(rng, child, born, used):
    from registry import idnumber

    for _ in range(100):
        seq = rng.randrange(0, 500) * 2 + (1 if child.sex == "M" else 0)
        first17 = f"{child.id_number[:6]}{born:%Y%m%d}{seq:03d}"
        number = first17 + idnumber.check_digit_for(first17)
        if number not in used:
            used.add(number)
            return number
    return None


def _same_name(rng, child, used, villages_by_town, typo: bool):
    from registry.models import Village

    born = child.date_of_birth
    village_id = child.village_id
    if typo:
        text = f"{born:%Y%m%d}"
        while True:
            i = rng.randrange(4, 8)  # month or day: the child stays of school age
            new = text[:i] + rng.choice("0123456789") + text[i + 1 :]
            try:
                candidate = datetime.date(int(new[:4]), int(new[4:6]), int(new[6:]))
            except ValueError:
                continue
            if candidate != born:
                born = candidate
                break
    else:
        town = Village.objects.get(pk=child.village_id).town_id
        others = [v for v in villages_by_town[town] if v != child.village_id]
        village_id = rng.choice(others)
    number = _new_number(rng, child, born, used)
    return _copy(child, id_number=number, date_of_birth=born, village_id=village_id)


def plant(per_kind: int, seed: int = 7) -> None:
    from registry.models import Child, Village

    rng = random.Random(seed)
    used = set(Child.objects.values_list("id_number", flat=True))
    villages_by_town: dict[int, list[int]] = {}
    for pk, town in Village.objects.values_list("pk", "town_id"):
        villages_by_town.setdefault(town, []).append(pk)
    count = Child.objects.count()
    originals = Child.objects.order_by("id")[:: max(1, count // (per_kind * 4 + 1))]
    originals = list(originals[: per_kind * 4])
    rng.shuffle(originals)
    planted = []
    for n, child in enumerate(originals):
        kind = KINDS[n % 4]
        if kind in ("id_one_char", "id_swapped"):
            copy = _id_typo(rng, child, used, swap=kind == "id_swapped")
        else:
            copy = _same_name(rng, child, used, villages_by_town, typo=kind == "name_birth_typo")
        if copy is not None:
            copy.wishes = kind
            planted.append(copy)
    Child.objects.bulk_create(planted)
    print(f"planted {len(planted)} duplicates ({per_kind} of each kind asked)")


def grow(target: int, source: str = "500138") -> None:
    """Clone the first county's places and children into new counties, in SQL, until the
    register holds ``target`` children (``bench_data.generate`` takes ~6 min for 2.35 M on a
    quiet machine, hours on a loaded one). Each clone's numbers get their county's area code
    and their sequence shifted (parity kept, checksum recomputed) and its given names rotated,
    so that the clones are not near twins of one another."""
    from django.db import connection

    from registry.models import Child, County

    k = 1
    with connection.cursor() as cursor:
        src = County.objects.get(code=source).pk
        while Child.objects.count() < target:
            k += 1
            code = f"5{k:03d}38"
            if County.objects.filter(code=code).exists():
                continue
            new = _clone_places(cursor, src, code)
            _clone_children(cursor, src, new, code, k)
            print(f"  county {code}: {cursor.rowcount:,} children cloned", flush=True)
        cursor.execute("ANALYZE")


def _tables():
    from registry.models import Child, County, School, Town, Village

    return (m._meta.db_table for m in (County, Town, Village, School, Child))


def _clone_places(cursor, src: int, code: str) -> int:
    c, t, v, s, _ch = _tables()
    cursor.execute(
        f"INSERT INTO {c} (created_at, updated_at, code, name) "
        f"VALUES (now(), now(), %s, %s) RETURNING id",
        [code, f"县{code}"],
    )
    (new,) = cursor.fetchone()
    cursor.execute(
        f"INSERT INTO {t} (created_at, updated_at, county_id, name, kind) "
        f"SELECT now(), now(), %s, name, kind FROM {t} WHERE county_id = %s",
        [new, src],
    )
    cursor.execute(
        f"INSERT INTO {v} (created_at, updated_at, town_id, name, kind) "
        f"SELECT now(), now(), nt.id, x.name, x.kind FROM {v} x JOIN {t} ot ON "
        f"ot.id = x.town_id JOIN {t} nt ON nt.county_id = %s AND nt.name = ot.name "
        f"WHERE ot.county_id = %s",
        [new, src],
    )
    cursor.execute(
        f"INSERT INTO {s} (created_at, updated_at, county_id, town_id, code, name, level,"
        f" boarding, bathroom, canteen, active) SELECT now(), now(), %s, nt.id, "
        f"%s || substr(x.code, 7), x.name || %s, x.level, x.boarding, x.bathroom, "
        f"x.canteen, x.active FROM {s} x JOIN {t} ot ON ot.id = x.town_id "
        f"JOIN {t} nt ON nt.county_id = %s AND nt.name = ot.name WHERE x.county_id = %s",
        [new, code, code, new, src],
    )
    return new


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _clone_children(cursor, src: int, new: int, code: str, k: int) -> None:
    from registry.models import Child

    _c, t, v, s, ch = _tables()
    given = "".join(dict.fromkeys(bench_data.GIVEN))
    rotated = given[k % len(given) :] + given[: k % len(given)]
    body = (
        "%s || substr(x.id_number, 7, 8) || lpad(((substr(x.id_number, 15, 3)::int"
        f" + {74 * k}) %% 1000)::text, 3, '0')"
    )
    check = " + ".join(f"substr(b.body, {i + 1}, 1)::int * {w}" for i, w in enumerate(WEIGHTS))
    exprs = {
        "county_id": "%s",
        "id_number": f"b.body || substr('10X98765432', ({check}) %% 11 + 1, 1)",
        "name": "translate(x.name, %s, %s)",
        "school_id": "ns.new",
        "village_id": "nv.new",
    }
    columns = [f.column for f in Child._meta.concrete_fields if f.column != "id"]
    select = ", ".join(exprs.get(col, f"x.{col}") for col in columns)
    params = [p for col in columns if col in ("county_id", "name")
              for p in ([new] if col == "county_id" else [given, rotated])]  # fmt: skip
    # The old school and village → the new county's (a few hundred rows), joined by key.
    cursor.execute("DROP TABLE IF EXISTS bench_schools, bench_villages")
    cursor.execute(
        f"CREATE TEMPORARY TABLE bench_schools AS SELECT os.id AS old, ns.id AS new FROM {s} os "
        f"JOIN {s} ns ON ns.county_id = %s AND substr(ns.code, 7) = substr(os.code, 7) "
        f"WHERE os.county_id = %s",
        [new, src],
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE bench_villages AS SELECT ov.id AS old, nv.id AS new FROM {v} ov "
        f"JOIN {t} ot ON ot.id = ov.town_id JOIN {t} nt ON nt.county_id = %s "
        f"AND nt.name = ot.name JOIN {v} nv ON nv.town_id = nt.id AND nv.name = ov.name "
        f"WHERE ot.county_id = %s",
        [new, src],
    )
    cursor.execute("ANALYZE bench_schools")
    cursor.execute("ANALYZE bench_villages")
    cursor.execute(
        f"INSERT INTO {ch} ({', '.join(columns)}) SELECT {select} FROM {ch} x "
        f"CROSS JOIN LATERAL (SELECT {body} AS body) b "
        f"JOIN bench_schools ns ON ns.old = x.school_id "
        f"JOIN bench_villages nv ON nv.old = x.village_id "
        f"WHERE x.county_id = %s",
        [*params, code, src],
    )


def measure(runs: int) -> None:
    from django.db import connection

    from registry import duplicates
    from registry.models import Child

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = Child.objects.count()
    planted = {
        (int(notes.removeprefix(NOTE)), pk): kind
        for pk, notes, kind in Child.objects.filter(notes__startswith=NOTE).values_list(
            "pk", "notes", "wishes"
        )
    }
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pairs = duplicates.find_pairs()
        times.append(time.perf_counter() - started)
    found = {tuple(sorted(pair)) for pair in pairs}
    print(f"{total:,} children: find_pairs in " + ", ".join(f"{t:.1f}s" for t in times))
    for kind in KINDS:
        mine = [p for p, k in planted.items() if k == kind]
        hit = sum(1 for p in mine if tuple(sorted(p)) in found)
        print(f"  recall {kind:16s} {hit}/{len(mine)}")
    others = len(found - {tuple(sorted(p)) for p in planted})
    print(f"  pairs found: {len(found):,}, of which not planted: {others:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=54_660)
    parser.add_argument("--planted", type=int, default=50, help="pairs planted of each kind")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument(
        "--grow", type=int, help="with --reuse: clone counties in SQL up to this many children"
    )
    args = parser.parse_args()
    bench_register._setup(args.reuse)
    if not args.reuse:
        bench_data.generate(args.children)
        plant(args.planted)
    elif args.grow:
        grow(args.grow)
        plant(args.planted)
    measure(args.runs)


if __name__ == "__main__":
    main()
