"""Background work of the volunteers app. Thin: each task calls a service that is safe to run
twice, concurrently or late. The schedule is settings.CELERY_BEAT_SCHEDULE; beat sends no
arguments (today's date is used), an operator may replay a day with ``day="2026-11-20"``."""

import datetime

from celery import shared_task

from volunteers.services import monthly, notify, referral_reminders


def _day(day: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(day) if day else None


@shared_task(name="volunteers.tasks.open_month")
def open_month(day: str | None = None) -> dict:
    return monthly.open_month(_day(day))


@shared_task(name="volunteers.tasks.remind_missing")
def remind_missing(day: str | None = None) -> dict:
    return monthly.remind_missing(_day(day))


@shared_task(name="volunteers.tasks.close_months")
def close_months(day: str | None = None) -> dict:
    return monthly.close_months(_day(day))


@shared_task(name="volunteers.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> int:
    return notify.deliver_notification(notification_id)


@shared_task(name="volunteers.tasks.sweep_deliveries")
def sweep_deliveries() -> int:
    return notify.sweep()


@shared_task(name="volunteers.tasks.escalate_overdue_concerns")
def escalate_overdue_concerns() -> int:
    """Concerns nobody looked at in time: every official is told, once per concern."""
    return len(notify.escalate_overdue_concerns())


@shared_task(name="volunteers.tasks.remind_overdue_referrals")
def remind_overdue_referrals(day: str | None = None) -> dict:
    return referral_reminders.remind_overdue_referrals(_day(day))
