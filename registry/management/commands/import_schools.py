from django.core.management.base import CommandError

from registry.importing.command import ImportCommand
from registry.models import County


class Command(ImportCommand):
    help = "Import schools and their family rooms from a CSV or XLSX file: all rows or none."
    kind = "schools"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--county", help="the county's administrative code (needed when there are several)"
        )
        parser.add_argument(
            "--county-name", help="with --county: create the county under this name if it is new"
        )

    def county(self, options):
        code, name = options.get("county"), options.get("county_name")
        if code:
            county = County.objects.filter(code=code).first()
            if county is None and name:
                return County(code=code, name=name)  # saved with the schools, or not at all
            if county is None:
                raise CommandError(
                    f"--county: no county has the code {code} (add --county-name to create it)"
                )
            return county
        counties = list(County.objects.all()[:2])
        if len(counties) != 1:
            raise CommandError(
                "--county CODE is needed: "
                + ("no county exists yet" if not counties else "there are several counties")
            )
        return counties[0]
