"""The commands' day options (``--as-of``, ``--day``): a date as YYYY-MM-DD, today or before."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def past_or_today(value: str, option: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r}: give a date as YYYY-MM-DD.") from None
    if day > timezone.localdate():
        raise CommandError(f"{option} {value}: a future day cannot be counted.")
    return day
