"""``manage.py lbc_report TABLE [--format csv|json] [--county CODE] [--town NAME] [--school CODE]
[--as-of DATE]``

Prints one of the county's statistical tables (or the office's working reports), counted from
the register: CSV (a header row of keys, then the rows in order) or JSON (a list of objects
with the same keys). The counts are exact, as an official sees them; ``--suppress-small``
prints what a report viewer sees (``reports.disclosure``: child counts rounded to 10, under 5
as "<5"), for publishing. Without ``--county`` the table is the whole city's (the operator
runs the command); a town's name that is in more than one county needs ``--county``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lbc_office import reports
from lbc_office.figures.management.days import past_or_today
from lbc_office.reports import export
from registry.models import County, Town


class Command(BaseCommand):
    help = "Print one of the county's statistical tables as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("table", choices=list(reports.TABLES))
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--county", default="", help="a county's administrative code (default: the city)"
        )
        parser.add_argument("--town", default="", help="a town's name (the school's town)")
        parser.add_argument("--school", default="", help="a school code")
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--suppress-small",
            action="store_true",
            help='what a report viewer sees: child counts rounded to 10, under 5 as "<5"',
        )

    def handle(self, *args, table, format, county, town, school, as_of, suppress_small, **options):
        spec = reports.TABLES[table]
        day = past_or_today(as_of, "--as-of") if as_of else None
        given = {"as_of": day, "town": town, "school": school}
        refused = [name for name, value in given.items() if value and name not in spec.filters]
        if refused:
            names = ", ".join("--" + name.replace("_", "-") for name in refused)
            raise CommandError(f"The {table} table cannot be filtered by {names}.")
        if county and not County.objects.filter(code=county).exists():
            raise CommandError(f"No county has the code {county}.")
        if town and not county and _counties_named(town) > 1:
            raise CommandError(f"Towns named {town} are in several counties: give --county.")
        filters = reports.Filters(as_of=day, town=town, school=school, county=county)
        report = reports.build(table, filters)
        if suppress_small:
            report = reports.for_viewer(report)
        output = export.to_csv(report) if format == "csv" else export.to_json(report) + "\n"
        self.stdout.write(output, ending="")


def _counties_named(town: str) -> int:
    """How many counties have a town of that name."""
    return Town.objects.filter(name=town).values("county").distinct().count()
