"""Real Celery workers for the tests: in a thread of the test process (``start_worker``), or as
separate processes started like production's (``worker_process``), on Redis.

Skipped on a laptop without Redis; CI sets REDIS_URL (the app's broker) and
LBC_REQUIRE_SERVICES=1, so there they must run.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from lbc_office.celery import app as celery_app
from tests.factories import make_id_number

ROOT = Path(__file__).resolve().parents[1]


def require_redis() -> None:
    url = str(celery_app.conf.broker_url)
    if not url.startswith("redis://"):
        if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
            pytest.fail("REDIS_URL must be set in CI: the worker test needs Redis")
        pytest.skip("needs REDIS_URL (a real Redis broker)")


def require_redis_and_postgresql() -> None:
    """A worker in another process must see the test database: PostgreSQL, not SQLite."""
    require_redis()
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker is another process")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """``predicate()``'s first true value within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextlib.contextmanager
def worker_processes(*workers: list[str], env: dict | None = None):
    """One ``celery -A lbc_office worker`` per list of options (e.g. ``["-Q", "imports"]``),
    each its own process on the test database, started side by side; each has started a pool
    child when this yields them. Stopped (warm: a task running finishes) on leaving."""
    environ = {**os.environ, "DATABASE_URL": _test_database_url(), **(env or {})}
    celery = str(Path(sys.executable).with_name("celery"))
    started = []
    try:
        for options in workers:
            started.append(
                subprocess.Popen(
                    [
                        celery,
                        "-A",
                        "lbc_office",
                        "worker",
                        "--pool=prefork",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        f"--hostname=test-{len(started)}@%h",
                        *options,
                    ],
                    cwd=ROOT,
                    env=environ,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        for worker in started:
            assert wait_for(lambda w=worker: children_of(w.pid), 60), "a worker did not start"
        yield started
    finally:
        for worker in started:
            worker.send_signal(signal.SIGTERM)
        for worker in started:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


@contextlib.contextmanager
def worker_process(*options: str, env: dict | None = None):
    """One worker process (``worker_processes``) with these options."""
    with worker_processes(list(options), env=env) as (worker,):
        yield worker


def slow_children_file(personas, rows: int) -> bytes:
    """A register file of ``rows`` new children at school A001 (personas), every row valid:
    each is looked up, so checking or importing it takes the worker a while."""
    born = datetime.date(2016, 6, 1)
    town = personas.school_a.town.name
    header = "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
    lines = [header] + [
        f"{make_id_number(born, 'F', area=f'5{i % 100000:05d}')},学生,女,{born},A001,4,{town},"
        f"新村{i % 50},是,是,祖辈,否,否"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
