"""Benchmark: the personal file as PDF (one file; a batch of 500 on the worker).

Makes a fresh database (the one named in DATABASE_URL is dropped and migrated anew), a school of
``--children`` children each with a full file (two guardians, a parent away, 12 health checks,
a status change), then times, in this process as the worker would run them:

- one file: ``registry.printing.render.file_pdf`` as a teacher, ``--repeat`` times (median, max);
- the batch: ``jobs.start`` + ``jobs.run`` (the Celery tasks' bodies, every chunk one after the
  other) of every child, as an official, with the process's peak memory;
- with ``--worker N``, the batch instead through a real Celery worker (prefork, concurrency N)
  on the Redis of ``REDIS_URL``: asked for, then waited for until the job's row says done, so
  the wall time counts the queue, the chunks printed side by side and the join.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbc_print_bench \\
        .venv/bin/python scripts/bench_print.py --children 500
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python scripts/bench_print.py --reuse --repeat 3 --worker 2

Figures go in docs/PERFORMANCE.md ("The personal file on paper").
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
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
    parser.add_argument(
        "--worker", type=int, default=0, metavar="N",
        help="print the batch through a real Celery worker of N processes (needs REDIS_URL)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.reuse:
        fresh_database()
    else:  # the data of a previous run, brought up to this branch's migrations
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True)

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

    if args.worker:
        time_batch_on_worker(ids, official, args.worker)
    elif not args.no_batch:
        time_batch(ids, official)


def time_batch(ids, official) -> None:
    """A batch of files as the worker makes it (the task's body run here, not via a broker)."""
    from celery import current_app

    from registry import tasks
    from registry.models import PrintJob
    from registry.printing import jobs

    tasks.print_files.delay = lambda pk: None  # the worker's body runs here, not via a broker
    current_app.conf.task_always_eager = True  # and so do its chunks and the join
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its finished children (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _worker_processes(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def time_batch_on_worker(ids, official, concurrency: int) -> None:
    """The batch through a real Celery worker (prefork, ``concurrency`` processes) on Redis."""
    from celery import current_app

    from registry.models import PrintJob
    from registry.printing import jobs

    if not os.environ.get("REDIS_URL"):
        sys.exit("--worker needs REDIS_URL (a Redis database of your own)")
    celery = str(Path(sys.executable).with_name("celery"))
    subprocess.run([celery, "-A", "lbc_office", "purge", "-f"], cwd=ROOT, capture_output=True)
    worker = subprocess.Popen(
        [celery, "-A", "lbc_office", "worker", "--pool=prefork", f"--concurrency={concurrency}",
         "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not current_app.control.ping(timeout=1):
            if time.monotonic() > deadline:
                sys.exit("the worker did not answer within 60 s")
        processes = _worker_processes(worker.pid)
        cpu_before = sum(_cpu_seconds(p) for p in processes)
        load = os.getloadavg()[0]
        t = time.perf_counter()
        job = jobs.start(kind=PrintJob.Kind.BATCH, child_ids=ids, by=official)
        while PrintJob.objects.get(pk=job.pk).in_progress:
            if time.perf_counter() - t > 900:
                sys.exit("the batch was not printed within 15 minutes")
            time.sleep(0.5)
        elapsed = time.perf_counter() - t
        cpu = sum(_cpu_seconds(p) for p in processes) - cpu_before
        job.refresh_from_db()
        if job.status != PrintJob.Status.DONE:
            sys.exit(f"the job ended {job.status}: {job.message}")
        size = jobs.path_of(job).stat().st_size
        print(
            f"batch of {job.done} files on a worker of {concurrency} processes "
            f"({job.chunks.count()} chunks): wall {elapsed:.1f} s, worker CPU {cpu:.1f} s, "
            f"{size / 1024 / 1024:.1f} MB PDF, load average at start {load:.1f}"
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)


if __name__ == "__main__":
    main()
