"""A real Celery worker (prefork, one child) whose child is killed with SIGKILL while it checks an
upload: the task is requeued once, and its next delivery ends the job as failed — the worker is
not killed again and again (issue 12, finding 3).

Needs Redis (the broker) and PostgreSQL (the worker is another process and must see the test
database); skipped otherwise, like tests/volunteers/test_worker.py.
"""

from __future__ import annotations

import os
import signal

import pytest

from lbc_office.celery import app as celery_app
from registry import tasks
from registry.models import ImportJob
from tests.workers import (
    children_of,
    require_redis_and_postgresql,
    slow_children_file,
    wait_for,
    worker_process,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_worker_leaves_a_failed_job_not_a_crash_loop(personas):
    require_redis_and_postgresql()
    data = slow_children_file(personas, 120_000)
    job = ImportJob.objects.create(
        kind="children", filename="slow.csv", size=len(data), data=data,
        uploaded_by=personas.official,
    )  # fmt: skip
    celery_app.control.purge()
    with worker_process("-Q", "imports", "--concurrency=1") as worker:
        tasks.check_import.delay(job.pk)
        claimed = wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, attempts=1, status="checking").exists(),
            timeout=90,
        )
        assert claimed, "the worker did not begin the check"
        (child,) = children_of(worker.pid)
        os.kill(child, signal.SIGKILL)  # as the OOM killer would, while the file is read
        failed = wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk).exclude(status="checking").exists(),
            timeout=90,
        )
        assert failed, "the job is still being checked after its worker was killed"
        job.refresh_from_db()
        assert job.status == "failed" and job.attempts == 1 and job.data == b""
        assert job.message
        assert worker.poll() is None, "the worker itself went down"
    celery_app.control.purge()
