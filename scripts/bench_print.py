"""Benchmark: the personal file as PDF (one file; a batch of 500 on the worker).

Makes a fresh database (the one named in DATABASE_URL is dropped and migrated anew), a school of
``--children`` children each with a full file (two guardians, a parent away, 12 health checks,
a status change), then times, in this process as the worker would run them:

- one file: ``registry.printing.render.file_pdf`` as a teacher, ``--repeat`` times (median, max);
- the batch: ``jobs.start`` + ``jobs.run`` (the Celery task's body) of every child, as an official,
  with the process's peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_print_bench \\
        .venv/bin/python scripts/bench_print.py --children 500

Figures go in docs/PERFORMANCE.md ("The personal file on paper").
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")
os.environ.setdefault("LBC_PRINT_DIR", tempfile.mkdtemp(prefix="lbc-print-bench-"))


def fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, name = url.rsplit("/", 1)
        admin = f"{base}/postgres"
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, cwd=ROOT
    )


def make_files(children: int):
    import datetime

    from lbc_office.core.models import Role
    from registry.models import Guardian, ParentAway, StatusChange
    from tests.factories import (
        ChildFactory,
        HealthCheckFactory,
        SchoolFactory,
        TeacherFactory,
        UserFactory,
    )

    school = SchoolFactory(name="城关第一小学", code="B0001")
    teacher = TeacherFactory(user__username="bench-teacher", schools=[school]).user
    official = UserFactory(username="bench-official", role=Role.OFFICIAL)
    ids = []
    for i in range(children):
        child = ChildFactory(school=school, notes="父母在广东务工，由祖父母照看。" * 3)
        Guardian.objects.create(child=child, name=f"王奶奶{i}", relation="grandmother")
        Guardian.objects.create(child=child, name=f"王爷爷{i}", relation="grandfather")
        ParentAway.objects.create(
            child=child, relation="father", name=f"王父{i}", work_province="广东", work_city="东莞"
        )
        for month in range(12):
            HealthCheckFactory(
                child=child, date=datetime.date(2025, month + 1, 10), notes="身体健康，视力正常。"
            )
        StatusChange.objects.create(
            child=child, from_status="active", to_status="active", date=datetime.date(2025, 9, 1),
            reason="新学期复核",
        )  # fmt: skip
        ids.append(child.pk)
    return teacher, official, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    parser.add_argument("--no-batch", action="store_true", help="time one file only")
    args = parser.parse_args()
    if not args.reuse:
        fresh_database()

    import django

    django.setup()
    from registry import selectors
    from registry.printing import render

    if args.reuse:
        from lbc_office.core.models import User
        from registry.models import Child

        teacher = User.objects.get(username="bench-teacher")
        official = User.objects.get(username="bench-official")
        ids = list(Child.objects.order_by("pk").values_list("pk", flat=True)[: args.children])
    else:
        started = time.perf_counter()
        teacher, official, ids = make_files(args.children)
        print(f"data: {args.children} files in {time.perf_counter() - started:.1f} s")
    # Wall time on a shared machine counts other processes' turns too; CPU time is this
    # process's own work (what an idle worker core would take).

    request = render.request_for(teacher)
    render.file_pdf(request, selectors.personal_file_queryset().get(pk=ids[0]))  # warm fonts
    times, cpu = [], []
    for pk in ids[: args.repeat]:
        t, c = time.perf_counter(), time.process_time()
        child = selectors.personal_file_queryset().get(pk=pk)
        pdf = render.file_pdf(request, child)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(
        f"one file as PDF (teacher): wall median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s; CPU median {statistics.median(cpu):.3f} s; {len(pdf) // 1024} KB"
    )

    if not args.no_batch:
        time_batch(ids, official)


def time_batch(ids, official) -> None:
    """A batch of files as the worker makes it (the task's body run here, not via a broker)."""
    from registry import tasks
    from registry.models import PrintJob
    from registry.printing import jobs

    tasks.print_files.delay = lambda pk: None  # the worker's body runs here, not via a broker
    t, c = time.perf_counter(), time.process_time()
    job = jobs.start(kind=PrintJob.Kind.BATCH, child_ids=ids, by=official)
    jobs.run(job.pk)
    elapsed, elapsed_cpu = time.perf_counter() - t, time.process_time() - c
    job.refresh_from_db()
    size = jobs.path_of(job).stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"batch of {job.done} files (official, worker body): wall {elapsed:.1f} s, "
        f"CPU {elapsed_cpu:.1f} s, "
        f"{size / 1024 / 1024:.1f} MB PDF, peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
