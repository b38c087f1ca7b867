"""The whole beat schedule, in one place (``settings.CELERY_BEAT_SCHEDULE`` is this).

Times are Asia/Shanghai. Beat only triggers scans; every task finds its own work in the database
and is safe to run twice or late.
"""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab

EVERY_DAY = {
    # 02:10 every night: children who have turned 17 leave the active register ("aged out").
    "registry.mark_aged_out": {
        "task": "registry.tasks.mark_aged_out",
        "schedule": crontab(hour=2, minute=10),
    },
    # 02:40: uploads nobody confirmed for a day are abandoned and their file (identity numbers)
    # dropped; imported files were dropped as soon as they were imported.
    "registry.purge_stale_imports": {
        "task": "registry.tasks.purge_stale_imports",
        "schedule": crontab(hour=2, minute=40),
    },
    # 02:50: printed batches and hand-over files older than PRINT_KEEP_DAYS are deleted.
    "registry.purge_old_prints": {
        "task": "registry.tasks.purge_old_prints",
        "schedule": crontab(hour=2, minute=50),
    },
    # 00:20: every child's last contact with a parent is recomputed (a parent still at home is
    # contact today); recording a call or a visit home refreshes the child at once anyway.
    "programmes.refresh_last_contact": {
        "task": "programmes.tasks.refresh_last_contact",
        "schedule": crontab(hour=0, minute=20),
    },
    # The monthly check-in cycle runs every day and works out from the date what is due, so a
    # worker that was down on the 1st or the 20th catches up the next morning.
    # 06:30: months that have ended are closed (missed check-ins, lists to officials and
    # organisations).
    "volunteers.close_months": {
        "task": "volunteers.tasks.close_months",
        "schedule": crontab(hour=6, minute=30),
    },
    # 07:30: this month's check-ins are opened and volunteers told (on the 1st; later days
    # only catch up new assignments).
    "volunteers.open_month": {
        "task": "volunteers.tasks.open_month",
        "schedule": crontab(hour=7, minute=30),
    },
    # 09:00: from the 20th, volunteers whose check-in is still to do are reminded (once a
    # month).
    "volunteers.remind_missing": {
        "task": "volunteers.tasks.remind_missing",
        "schedule": crontab(hour=9, minute=0),
    },
    # 08:40: referrals past their date and still open are reminded to the organisation's partner
    # logins and the referring official (once when overdue, then weekly; exactly once each).
    "volunteers.remind_overdue_referrals": {
        "task": "volunteers.tasks.remind_overdue_referrals",
        "schedule": crontab(hour=8, minute=40),
    },
    # 01:30: a dated, compressed backup of the database; the newest BACKUP_KEEP are kept.
    "lbc_office.backup": {
        "task": "lbc_office.tasks.backup",
        "schedule": crontab(hour=1, minute=30),
    },
    # 03:00: files closed or aged out for longer than RETENTION_YEARS are anonymised.
    "lbc_office.anonymise_expired": {
        "task": "lbc_office.tasks.anonymise_expired",
        "schedule": crontab(hour=3, minute=0),
    },
    # Mondays 07:45: each user with something due hears of it once a week (counts only).
    "lbc_office.weekly_digest": {
        "task": "lbc_office.tasks.weekly_digest",
        "schedule": crontab(hour=7, minute=45, day_of_week=1),
    },
    # Every 15 minutes: protection concerns nobody looked at by their deadline (2 working
    # days, 24 hours if urgent) escalate to every official, once per concern.
    "volunteers.escalate_overdue_concerns": {
        "task": "volunteers.tasks.escalate_overdue_concerns",
        "schedule": crontab(minute="*/15"),
    },
    # Every 2 minutes: emails and SMS not yet sent (new, or waiting for a retry) go out.
    "volunteers.sweep_deliveries": {
        "task": "volunteers.tasks.sweep_deliveries",
        "schedule": crontab(minute="*/2"),
    },
}


def beat_schedule(*, report_figures_minutes: int) -> dict:
    """The schedule for these settings: every day's tasks, and the figures' count when a city
    stores its report figures (``REPORT_FIGURES_MINUTES``)."""
    schedule = dict(EVERY_DAY)
    if report_figures_minutes:
        # Every N minutes, and at 23:55 so that each day keeps its count: the stored figures the
        # slow reports read (a second count while one runs does nothing).
        schedule["lbc_office.count_report_figures"] = {
            "task": "lbc_office.tasks.count_report_figures",
            "schedule": timedelta(minutes=report_figures_minutes),
        }
        schedule["lbc_office.count_report_figures_at_close"] = {
            "task": "lbc_office.tasks.count_report_figures",
            "schedule": crontab(hour=23, minute=55),
        }
    return schedule
