from registry.importing.command import ImportCommand


class Command(ImportCommand):
    help = "Import children from a CSV or XLSX file: all rows or none (see DESIGN.md's columns)."
    kind = "children"
