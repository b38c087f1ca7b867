"""The office's deadline for looking at a protection concern.

``CONCERN_TRIAGE_WORKING_DAYS`` working days (Monday to Friday, at the same time of day), or
``CONCERN_URGENT_HOURS`` hours for an urgent concern, from when it was raised. A concern raised
at the weekend counts from Monday: Saturday 10:00 + 2 working days is Tuesday 10:00. Public
holidays are not known to the office's calendar and count as working days.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from casework.models import Severity


def add_working_days(moment: datetime.datetime, days: int) -> datetime.datetime:
    """``moment`` moved on by ``days`` working days (Saturdays and Sundays skipped), in local
    time; ``days`` of 0 or less leaves it where it is."""
    local = timezone.localtime(moment)
    while days > 0:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local


def triage_due(raised_at: datetime.datetime, severity: str) -> datetime.datetime:
    if severity == Severity.URGENT:
        return raised_at + datetime.timedelta(hours=settings.CONCERN_URGENT_HOURS)
    return add_working_days(raised_at, settings.CONCERN_TRIAGE_WORKING_DAYS)
