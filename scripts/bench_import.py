"""Benchmark: importing a whole county's register (221 schools, 54,660 children) into PostgreSQL.

Writes generated files the way a county clerk would have them (UTF-8 CSV with Chinese headers and
values; optionally the same as XLSX), makes a fresh database with one county, then runs each step
in its own process — the schools, the children's first import (everything created), the same
file again (everything unchanged) and a file with every fifth child changed — and prints wall
time inside the import (validation, history, audit included), the whole command's time with
Django's start-up, and the process's peak memory (max RSS).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_import_bench \
        .venv/bin/python scripts/bench_import.py --children 54660 [--xlsx]

The database named in DATABASE_URL is dropped and made anew. Figures go in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Production-like: no DEBUG query log; the test client needs no TLS redirect.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
)
GIVEN = "小明红华丽军芳强敏静磊洋勇艳杰娟涛超秀霞平刚桂英宇浩然欣怡梓涵子轩雨萱佳琪俊杰思远"
SCHOOL_HEADER = ["学校代码", "学校名称", "乡镇", "学段", "寄宿制", "浴室", "食堂", "亲情电话",
                 "亲情聊天室"]  # fmt: skip
CHILD_HEADER = ["身份证号", "姓名", "性别", "出生日期", "学校代码", "年级", "乡镇", "村",
                "父亲外出", "母亲外出", "监护人", "住校", "贫困"]  # fmt: skip


def generate_files(folder: Path, children: int, schools: int = 221, towns: int = 32, seed=2011):
    from registry.idnumber import check_digit_for

    rng = random.Random(seed)
    school_rows = []
    for i in range(schools):
        level = "小学" if i % 4 else "初中"
        school_rows.append(
            [f"5002380{i:03d}", f"学校{i:03d}", f"镇{i % towns:02d}", level,
             "是" if i % 3 == 0 else "否", "是" if i % 5 == 0 else "否", "是",
             str(i % 3), str(i % 2)]
        )  # fmt: skip
    today = datetime.date.today()
    used: set[str] = set()
    rows = []
    for _ in range(children):
        school = school_rows[rng.randrange(schools)]
        primary = school[3] == "小学"
        grade = rng.randint(1, 6) if primary else rng.randint(7, 9)
        dob = datetime.date(today.year - grade - 7, rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice("MF")
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            first17 = f"500238{dob:%Y%m%d}{seq:03d}"
            if first17 not in used:
                used.add(first17)
                break
        father, mother = rng.random() < 0.85, rng.random() < 0.45
        if not (father or mother):
            father = True
        guardian = "祖辈" if father and mother else "母亲" if father else "父亲"
        town = rng.randrange(towns)
        rows.append(
            [first17 + check_digit_for(first17),
             rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
             "男" if sex == "M" else "女", dob.isoformat(), school[0], str(grade),
             f"镇{town:02d}", f"村{town:02d}-{rng.randrange(8)}", "是" if father else "否",
             "是" if mother else "否", guardian,
             "是" if school[4] == "是" and rng.random() < 0.4 else "否",
             "是" if rng.random() < 0.18 else "否"]
        )  # fmt: skip
    _write_csv(folder / "schools.csv", SCHOOL_HEADER, school_rows)
    _write_csv(folder / "children.csv", CHILD_HEADER, rows)
    changed = [list(r) for r in rows]
    for row in changed[::5]:
        row[12] = "否" if row[12] == "是" else "是"  # every fifth child's household poverty
    _write_csv(folder / "children-changed.csv", CHILD_HEADER, changed)
    return rows


def _write_csv(path: Path, header, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header, rows) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def measure(kind: str, path: str) -> None:
    """One step, in this process: print the import's seconds and the process's peak memory."""
    import django

    django.setup()
    from registry.importing import import_file
    from registry.models import County

    data = Path(path).read_bytes()
    county = County.objects.get(code="500238")
    t0 = time.perf_counter()
    report = import_file(kind, data, by=None, county=county, limit=2**40)
    seconds = time.perf_counter() - t0
    assert report.ok, [str(e) for e in report.errors[:5]]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb),
                "rows": report.rows,
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": report.unchanged,
            }
        )
    )


def measure_export(fmt: str) -> None:
    """The whole register downloaded by an official, through Django's request stack."""
    import django

    django.setup()
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lbc_office.core.models import Role, User

    user, _ = User.objects.get_or_create(
        username="bench-official", defaults={"role": Role.OFFICIAL}
    )
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    t0 = time.perf_counter()
    response = client.get("/children/export/", {"format": fmt, "status": "all"})
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb), "bytes": size}))


def fresh_database() -> None:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL=postgres://…/lbc_import_bench (a database this script may drop)."
        )
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ}
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "-c", "import django; django.setup(); from registry.models import County; "
         "County.objects.create(code='500238', name='巫溪县')"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


def step(label: str, kind: str, path: Path) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["command_seconds"] = round(time.perf_counter() - t0, 2)
    print(
        f"{label:<34} {result['seconds']:>6.2f} s import  {result['command_seconds']:>6.2f} s "
        f"command  {result['peak_mb']:>4} MB peak  created {result['created']:,} "
        f"updated {result['updated']:,} unchanged {result['unchanged']:,}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=54_660)
    parser.add_argument("--xlsx", action="store_true", help="also time the first import as XLSX")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--export", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(*args.measure)
        return
    if args.export:
        measure_export(args.export)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = generate_files(folder, args.children)
        size = (folder / "children.csv").stat().st_size / 1024 / 1024
        print(f"children.csv: {len(rows):,} rows, {size:.1f} MB (UTF-8 with BOM, Chinese headers)")
        fresh_database()
        step("schools (221, first import)", "schools", folder / "schools.csv")
        step("children, first import", "children", folder / "children.csv")
        step("children, same file again", "children", folder / "children.csv")
        step("children, every 5th changed", "children", folder / "children-changed.csv")
        for fmt in ("csv", "xlsx"):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--export", fmt], cwd=ROOT, capture_output=True,
                text=True, check=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{'export, all children, ' + fmt.upper():<34} {result['seconds']:>6.2f} s request "
                f"{time.perf_counter() - t0:>6.2f} s command  {result['peak_mb']:>4} MB peak  "
                f"{result['bytes'] / 1024 / 1024:.1f} MB"
            )
        if args.xlsx:
            write_xlsx(folder / "children.xlsx", CHILD_HEADER, rows)
            fresh_database()
            step("schools (XLSX run)", "schools", folder / "schools.csv")
            step("children, first import, XLSX", "children", folder / "children.xlsx")


if __name__ == "__main__":
    main()
