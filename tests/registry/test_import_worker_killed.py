"""A real Celery worker (prefork, one child) whose child is killed with SIGKILL while it checks an
upload: the task is requeued once, and its next delivery ends the job as failed — the worker is
not killed again and again (issue 12, finding 3).

Needs Redis (the broker) and PostgreSQL (the worker is another process and must see the test
database); skipped otherwise, like tests/volunteers/test_worker.py.
"""

from __future__ import annotations

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
from registry import tasks
from registry.models import ImportJob
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _services():
    if not str(celery_app.conf.broker_url).startswith("redis://"):
        if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
            pytest.fail("REDIS_URL must be set in CI: the worker test needs Redis")
        pytest.skip("needs REDIS_URL (a real Redis broker)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker is another process")


def _wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _slow_file(personas, rows: int) -> bytes:
    """Rows that take the worker several seconds to check (each is looked up)."""
    born = datetime.date(2016, 6, 1)
    town = personas.school_a.town.name
    header = "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
    lines = [header] + [
        f"{make_id_number(born, 'F', area=f'5{i % 100000:05d}')},学生,女,{born},A001,4,{town},"
        f"新村{i % 50},是,是,祖辈,否,否"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_killed_worker_leaves_a_failed_job_not_a_crash_loop(personas):
    _services()
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    data = _slow_file(personas, 120_000)
    job = ImportJob.objects.create(
        kind="children", filename="slow.csv", size=len(data), data=data,
        uploaded_by=personas.official,
    )  # fmt: skip
    celery_app.control.purge()
    env = {**os.environ, "DATABASE_URL": url}
    celery = str(Path(sys.executable).with_name("celery"))
    worker = subprocess.Popen(
        [celery, "-A", "lbc_office", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert _wait_for(lambda: _children(worker.pid), 60), "the worker did not start a child"
        tasks.check_import.delay(job.pk)
        claimed = _wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, attempts=1, status="checking").exists()
        )
        assert claimed, "the worker did not begin the check"
        (child,) = _children(worker.pid)
        os.kill(child, signal.SIGKILL)  # as the OOM killer would, while the file is read
        failed = _wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk).exclude(status="checking").exists()
        )
        assert failed, "the job is still being checked after its worker was killed"
        job.refresh_from_db()
        assert job.status == "failed" and job.attempts == 1 and job.data == b""
        assert job.message
        assert worker.poll() is None, "the worker itself went down"
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        celery_app.control.purge()
