"""Count and store the school figures the slow reports read (see lbc_office.reports.figures)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lbc_office.figures.management.days import past_or_today
from lbc_office.home import dashboard
from lbc_office.reports import figures


class Command(BaseCommand):
    help = "Count every school's report figures for a day (today by default) and store them."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD, today or earlier (default: today)")

    def handle(self, *args, day, **options):
        when = past_or_today(day, "--day") if day else timezone.localdate()
        started = time.perf_counter()
        stored = figures.count_day(when)
        if stored is None:
            raise CommandError("Another count is running; nothing was done.")
        if when == timezone.localdate():
            # As the beat task does: the dashboard's trends of the whole register go into the
            # cache with today's figures, so the first official of the day does not count them.
            dashboard.keep_trends(when)
        seconds = time.perf_counter() - started
        self.stdout.write(f"{when}: figures of {stored} school levels stored in {seconds:.1f} s.")
