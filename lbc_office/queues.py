"""Which queue each task goes to, in one place (``settings.CELERY_TASK_ROUTES`` is ``ROUTES``).

Four queues, each with its own worker in production (docs/OPERATIONS.md, "Workers"), so that
slow work never stands in front of a reminder: a county's import or a city's figures count
occupies its own worker while the reminders' worker goes on sending.

- ``reminders``: what people wait for, short and mostly waiting on SMTP or the SMS gateway —
  each notification's delivery, the two-minute sweep, escalations, the monthly check-in cycle,
  reminders and the weekly digest.
- ``imports``: an upload's check and its import (seconds to minutes of CPU, one transaction),
  and the nightly purge of unconfirmed uploads.
- ``reports``: counts and scans over the whole register — the report figures, last contact,
  the duplicate check, aged-out children, retention, the nightly backup. Long, and nobody is
  waiting for them; they share one worker so that two never compete for the database.
- ``exports``: printed files (PDF batches, their parts and their join) and their nightly purge.

A task sent by name to no route goes to ``DEFAULT_QUEUE`` (consumed everywhere), never to a
queue nobody reads; tests/lbc_office/test_queues.py fails for a task without a route.
"""

from __future__ import annotations

from kombu import Exchange, Queue

REMINDERS = "reminders"
IMPORTS = "imports"
REPORTS = "reports"
EXPORTS = "exports"
QUEUES = (REMINDERS, IMPORTS, REPORTS, EXPORTS)

# Unknown weight goes behind the slow work, not in front of a reminder.
DEFAULT_QUEUE = REPORTS

_BY_QUEUE = {
    REMINDERS: [
        "volunteers.tasks.deliver_notification",
        "volunteers.tasks.sweep_deliveries",
        "volunteers.tasks.escalate_overdue_concerns",
        "volunteers.tasks.remind_overdue_referrals",
        "volunteers.tasks.open_month",
        "volunteers.tasks.remind_missing",
        "volunteers.tasks.close_months",
        "lbc_office.tasks.remind_plan_reviews",
        "lbc_office.tasks.remind_reunification_checks",
        "lbc_office.tasks.weekly_digest",
    ],
    IMPORTS: [
        "registry.tasks.check_import",
        "registry.tasks.run_import",
        "registry.tasks.purge_stale_imports",
    ],
    REPORTS: [
        "lbc_office.tasks.count_report_figures",
        "programmes.tasks.refresh_last_contact",
        "registry.tasks.find_duplicates",
        "registry.tasks.mark_aged_out",
        "lbc_office.tasks.anonymise_expired",
        "lbc_office.tasks.backup",
    ],
    EXPORTS: [
        "registry.tasks.print_files",
        "registry.tasks.print_chunk",
        "registry.tasks.print_join",
        "registry.tasks.purge_old_prints",
    ],
}

ROUTES = {task: {"queue": queue} for queue, tasks in _BY_QUEUE.items() for task in tasks}

# Each queue bound to its own exchange by its own name: with no exchange given, Celery binds
# them all to the default queue's, and a message sent there would reach every queue.
TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES]


def broker(redis_url: str, folder) -> tuple[str, dict]:
    """The broker's URL and transport options: Redis when ``REDIS_URL`` is set, else the
    embedded default — messages in files under ``folder`` on the local disk, so one laptop runs
    web, worker and beat with nothing else installed."""
    if redis_url:
        return redis_url, {"visibility_timeout": 3600}
    return "filesystem://localhost/", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
