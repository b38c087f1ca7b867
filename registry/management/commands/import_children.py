from django.core.management.base import CommandError

from registry.importing.command import ImportCommand
from registry.models import County


class Command(ImportCommand):
    help = (
        "Import children from a CSV or XLSX file into one county: all rows or none (see "
        "DESIGN.md's columns). Every row's school must be a school of that county."
    )
    kind = "children"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--county", help="the county's administrative code (needed when there are several)"
        )

    def county(self, options):
        code = options.get("county")
        if code:
            county = County.objects.filter(code=code).first()
            if county is None:
                raise CommandError(f"--county: no county has the code {code}")
            return county
        counties = list(County.objects.all()[:2])
        if len(counties) > 1:
            raise CommandError("--county CODE is needed: there are several counties")
        # The only county; with none yet, every row is refused for its unknown school.
        return counties[0] if counties else None
