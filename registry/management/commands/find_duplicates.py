"""``manage.py find_duplicates``: the county-wide check for suspected duplicate files.

Prints every suspected pair with its reasons (CSV or text) and stores them for the officials'
page ``/children/duplicates/`` (unless ``--no-save``). Identity numbers are not printed: the
keys and names lead to the files, and output of commands ends up in logs.
"""

from __future__ import annotations

import csv
import time

from django.core.management.base import BaseCommand, CommandError

from registry import duplicates, merging
from registry.models import Child, County, DuplicateReason


class Command(BaseCommand):
    help = "List (and store) the register's suspected duplicate files with their reasons."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "text"], default="csv")
        parser.add_argument(
            "--no-save", action="store_true", help="print only; keep the stored list as it is"
        )
        parser.add_argument(
            "--county",
            help="a county's administrative code: only the pairs of two of its files (and only "
            "its stored pairs replaced); default: every county",
        )

    def handle(self, *args, **options):
        county = None
        if options.get("county"):
            county = County.objects.filter(code=options["county"]).first()
            if county is None:
                raise CommandError(f"--county: no county has the code {options['county']}")
        started = time.perf_counter()
        pairs = duplicates.find_pairs(county)
        seconds = time.perf_counter() - started
        names = dict(
            Child.objects.filter(pk__in={k for pair in pairs for k in pair}).values_list(
                "pk", "name"
            )
        )
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(["first", "first_name", "second", "second_name", "reasons"])
            for (a, b), reasons in pairs.items():
                writer.writerow([a, names.get(a, ""), b, names.get(b, ""), " ".join(reasons)])
        else:
            for (a, b), reasons in pairs.items():
                labels = "; ".join(str(DuplicateReason(r).label) for r in reasons)
                self.stdout.write(f"{a} {names.get(a, '')} — {b} {names.get(b, '')}: {labels}")
        if not options["no_save"]:
            merging.store_pairs(pairs, county)
        self.stderr.write(f"{len(pairs)} suspected pairs in {seconds:.1f}s")
