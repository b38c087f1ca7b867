"""Queues by kind (lbc_office/queues.py): every task has a route, beat's tasks go where their
route says, and on real workers a reminder goes out while a long import runs — whereas one
worker of one process for both queues makes the reminder wait for the import (the control).

The worker tests need Redis and PostgreSQL (the workers are processes of their own, started as
docs/OPERATIONS.md says); skipped on a laptop without them, required in CI
(LBC_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

import pytest
from celery.beat import ScheduleEntry, Scheduler
from django.utils import timezone

from casework.models import Concern
from lbc_office import queues
from lbc_office.beat import beat_schedule
from lbc_office.celery import app as celery_app
from registry import tasks as registry_tasks
from registry.models import ImportJob
from tests.casework.factories import ConcernFactory
from tests.workers import (
    require_redis,
    require_redis_and_postgresql,
    slow_children_file,
    wait_for,
    worker_process,
    worker_processes,
)
from volunteers import tasks as volunteer_tasks
from volunteers.models import Notification

ROOT = Path(__file__).resolve().parents[2]
# Rows of the long import: several seconds of a worker's time (each row is looked up), far more
# than a reminder takes, and the test stays well under a minute.
IMPORT_ROWS = 1000


def _registered_tasks() -> set[str]:
    celery_app.loader.import_default_modules()  # every app's tasks module
    return {name for name in celery_app.tasks if not name.startswith("celery.")}


def _queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_has_a_route_and_every_route_a_task():
    registered = _registered_tasks()
    assert registered, "no task found: the apps' tasks modules were not imported"
    unrouted = sorted(registered - set(queues.ROUTES))
    assert unrouted == [], f"add these tasks to lbc_office/queues.py: {unrouted}"
    stale = sorted(set(queues.ROUTES) - registered)
    assert stale == [], f"routes for tasks that no longer exist: {stale}"
    assert {route["queue"] for route in queues.ROUTES.values()} == set(queues.QUEUES)


def test_the_app_sends_each_task_to_its_queue_and_nothing_to_an_unread_one():
    for name, route in queues.ROUTES.items():
        assert _queue_of(name) == route["queue"], name
    # A name with no route (sent by hand, say) goes to a queue that a worker reads.
    assert _queue_of("no.such.task") == queues.DEFAULT_QUEUE in queues.QUEUES
    assert set(celery_app.amqp.queues) == set(queues.QUEUES)
    for name, queue in celery_app.amqp.queues.items():  # no two share a binding
        assert (queue.exchange.name, queue.routing_key) == (name, name)
    # A worker started without -Q (the laptop's, the in-process test workers) reads all four.
    assert set(celery_app.amqp.queues.consume_from) == set(queues.QUEUES)


def test_reminders_never_share_a_queue_with_imports_reports_or_exports():
    reminders = {"volunteers.tasks.deliver_notification", "volunteers.tasks.sweep_deliveries",
                 "volunteers.tasks.escalate_overdue_concerns",
                 "lbc_office.tasks.remind_plan_reviews"}  # fmt: skip
    slow = {"registry.tasks.run_import": queues.IMPORTS,
            "registry.tasks.check_import": queues.IMPORTS,
            "lbc_office.tasks.count_report_figures": queues.REPORTS,
            "registry.tasks.find_duplicates": queues.REPORTS,
            "registry.tasks.print_chunk": queues.EXPORTS}  # fmt: skip
    assert {_queue_of(name) for name in reminders} == {queues.REMINDERS}
    assert {name: _queue_of(name) for name in slow} == slow


def test_every_beat_entry_is_routed():
    schedule = beat_schedule(report_figures_minutes=15)  # a city's: the figures' count too
    for key, entry in schedule.items():
        assert entry["task"] in queues.ROUTES, key
        assert "queue" not in entry.get("options", {}), f"{key}: route it in lbc_office/queues.py"


def test_the_laptop_worker_reads_every_queue():
    run_local = (ROOT / "bin" / "run-local").read_text(encoding="utf-8")
    (listed,) = re.findall(r"-Q ([\w,]+)", run_local)
    assert set(listed.split(",")) == set(queues.QUEUES)


def test_beat_puts_each_task_on_its_queue_in_redis():
    """Beat sends by name (``send_task``): the routes apply. Seen in Redis, one list per queue."""
    require_redis()
    one_per_queue = {
        "volunteers.tasks.sweep_deliveries": queues.REMINDERS,
        "registry.tasks.purge_stale_imports": queues.IMPORTS,
        "lbc_office.tasks.count_report_figures": queues.REPORTS,
        "registry.tasks.purge_old_prints": queues.EXPORTS,
    }
    celery_app.control.purge()
    scheduler = Scheduler(celery_app, lazy=True)
    try:
        for name in one_per_queue:
            entry = ScheduleEntry(name=name, task=name, schedule=60, app=celery_app)
            scheduler.apply_async(entry, advance=False)
        with celery_app.connection_for_write() as conn:
            redis = conn.default_channel.client
            waiting = {queue: redis.llen(queue) for queue in queues.QUEUES}
    finally:
        celery_app.control.purge()
    assert waiting == dict.fromkeys(queues.QUEUES, 1)


# --- On real workers, one per queue ------------------------------------------------------------


def _queued_import(personas) -> ImportJob:
    """A confirmed register file of IMPORT_ROWS new children, ready for its worker."""
    data = slow_children_file(personas, IMPORT_ROWS)
    return ImportJob.objects.create(
        kind="children", filename="county.csv", size=len(data), data=data,
        uploaded_by=personas.official, confirmed_by=personas.official,
        status=ImportJob.Status.QUEUED,
    )  # fmt: skip


def _import_then_reminder(job: ImportJob, concern: Concern) -> tuple[ImportJob, Concern]:
    """The import sent, and once it runs the overdue-concern scan (a reminder): both as they
    stand when the import has finished and the concern was escalated."""
    registry_tasks.run_import.delay(job.pk)
    assert wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="running").exists(), 60)
    volunteer_tasks.escalate_overdue_concerns.delay()
    finished = ("done", "failed")
    assert wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status__in=finished).exists(), 120)
    assert wait_for(lambda: Concern.objects.filter(pk=concern.pk, escalated_at__isnull=False), 60)
    job.refresh_from_db()
    concern.refresh_from_db()
    assert job.status == "done", job.message  # a real import: the county's children written
    return job, concern


@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_out_while_a_county_import_runs(personas, capsys):
    require_redis_and_postgresql()
    job = _queued_import(personas)
    concern = ConcernFactory(due_at=timezone.now() - datetime.timedelta(minutes=5))
    celery_app.control.purge()
    with worker_processes(
        ["-Q", queues.IMPORTS, "--concurrency=1"], ["-Q", queues.REMINDERS, "--concurrency=1"]
    ):
        registry_tasks.run_import.delay(job.pk)
        assert wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="running").exists(), 60)
        sent = time.monotonic()
        volunteer_tasks.escalate_overdue_concerns.delay()
        told = Notification.objects.filter(kind="concern_overdue", period=f"concern:{concern.pk}")
        assert wait_for(told.exists, 60), "the reminders' worker did not tell the officials"
        reminded_in = time.monotonic() - sent
        still_running = ImportJob.objects.filter(pk=job.pk, status="running").exists()
        assert still_running, "the import had already finished: the reminder might have waited"
        assert wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status__in=("done", "failed")).exists(),
            120,
        )
    celery_app.control.purge()
    job.refresh_from_db()
    concern.refresh_from_db()
    assert job.status == "done", job.message
    assert job.started_at < concern.escalated_at < job.finished_at
    assert personas.official.pk in set(told.values_list("user", flat=True))
    with capsys.disabled():
        print(
            f"\n  reminder delivered {reminded_in:.1f} s after it was sent, while the import "
            f"of {IMPORT_ROWS} rows ran {(job.finished_at - job.started_at).total_seconds():.1f} s"
        )


@pytest.mark.django_db(transaction=True)
def test_control_one_process_for_both_queues_makes_the_reminder_wait(personas, capsys):
    """What the separate workers prevent: with one worker process reading both queues, the
    reminder sent while the import runs is escalated only after the import has finished."""
    require_redis_and_postgresql()
    job = _queued_import(personas)
    concern = ConcernFactory(due_at=timezone.now() - datetime.timedelta(minutes=5))
    celery_app.control.purge()
    with worker_process("-Q", f"{queues.IMPORTS},{queues.REMINDERS}", "--concurrency=1"):
        job, concern = _import_then_reminder(job, concern)
    celery_app.control.purge()
    assert concern.escalated_at > job.finished_at
    with capsys.disabled():
        waited = (concern.escalated_at - job.started_at).total_seconds()
        print(f"\n  control: the reminder waited {waited:.1f} s, behind the whole import")
