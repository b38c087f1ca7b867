"""The roof's Celery tasks: thin, each safe to run twice (schedule in CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lbc_office.home import digest
from lbc_office.upkeep import backup as backups
from lbc_office.upkeep import plan_reviews, retention, reunification


@shared_task(name="lbc_office.tasks.backup")
def backup() -> str:
    """The nightly backup: a new dated file in BACKUP_DIR, then only the newest BACKUP_KEEP
    kept. Run twice, it leaves two backups (harmless) and prunes the same way."""
    path = backups.make_backup()
    backups.prune(settings.BACKUP_DIR, settings.BACKUP_KEEP)
    return path.name


@shared_task(name="lbc_office.tasks.anonymise_expired")
def anonymise_expired() -> int:
    """Nightly: files closed or aged out for longer than RETENTION_YEARS are anonymised. Run
    twice, the second run finds nothing left (see lbc_office.upkeep.retention)."""
    return retention.anonymise_expired()


@shared_task(name="lbc_office.tasks.count_report_figures")
def count_report_figures() -> int | None:
    """Every REPORT_FIGURES_MINUTES: count and store today's school figures for the reports.
    Run twice at once, the second does nothing; run again later, it replaces the day's count.
    The dashboard's trends are counted into the cache alongside."""
    from lbc_office.home import dashboard
    from lbc_office.reports import figures

    stored = figures.count_day()
    dashboard.keep_trends(timezone.localdate())
    return stored


@shared_task(name="lbc_office.tasks.remind_plan_reviews")
def remind_plan_reviews(day: str | None = None) -> int:
    """Daily: case plans whose review is due are reminded, once per review due (see
    lbc_office.upkeep.plan_reviews). ``day`` (YYYY-MM-DD) stands for today in tests."""
    today = datetime.date.fromisoformat(day) if day else None
    return plan_reviews.remind_due_reviews(today=today)


@shared_task(name="lbc_office.tasks.remind_reunification_checks")
def remind_reunification_checks() -> int:
    """Daily: each reunification check that has come due is reminded once (the school's
    teachers, or the officials). Run twice or at once, the second finds nothing to claim."""
    return reunification.remind_due()


@shared_task(name="lbc_office.tasks.weekly_digest")
def weekly_digest(day: str | None = None) -> int:
    """Mondays: each user with something due hears of it once a week (lbc_office.home.digest).
    Run twice, the second run sends nothing."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return digest.send_weekly_digests(today)
