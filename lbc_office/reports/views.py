"""The reports' pages (the roof): the index, one page per table, and its downloads.

Officials see every figure and drill down from a count to the children behind it; report
viewers see the same tables through the one disclosure rule (``reports.build_for`` →
``reports.disclosure``: child counts rounded to 10, under 5 as "<5"), and no link that leads
to a name. Teachers and volunteers are refused (403).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lbc_office import reports
from lbc_office.core.auth import role_required
from lbc_office.core.forms import DateInput
from lbc_office.core.models import Role
from lbc_office.reports import export
from registry.models import Town

# Rows of a table on one page (a county's 221 schools fit on one).
ROWS_PER_PAGE = 250
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


class ReportFilterForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    town = forms.ChoiceField(label=_("Town"), required=False)
    school = forms.CharField(label=_("School code"), required=False, max_length=20)

    def __init__(self, *args, table: reports.Table, **kwargs):
        super().__init__(*args, **kwargs)
        names = Town.objects.order_by("name").values_list("name", flat=True).distinct()
        self.fields["town"].choices = [("", _("All towns")), *((n, n) for n in names)]
        for name in [n for n in self.fields if n not in table.filters]:
            del self.fields[name]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("A report cannot be made for a day still to come."))
        return day

    def filters(self) -> reports.Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return reports.Filters(
            as_of=data.get("as_of"), town=data.get("town", ""), school=data.get("school", "")
        )


@role_required(Role.OFFICIAL, Role.VIEWER)
def report_index(request):
    """The list of tables, with Table 1 for today."""
    report = reports.build_for(request.user, "status")
    return render(
        request,
        "lbc_office/reports.html",
        {
            "tables": [
                {"table": t, "url": reverse(reports.url_name(t.slug))}
                for t in reports.TABLES.values()
            ],
            "status_table": _lines(report.table, report.rows),
            "status_columns": report.table.columns[1:],
        },
    )


def table_view(slug: str):
    """The page of one table (a view per table: the URL names it, no key in the URL)."""

    @role_required(Role.OFFICIAL, Role.VIEWER)
    def view(request):
        table = reports.TABLES[slug]
        form = ReportFilterForm(request.GET or None, table=table)
        valid = not form.is_bound or form.is_valid()
        report = reports.build_for(request.user, slug, form.filters())
        fmt = request.GET.get("format", "")
        if fmt:
            if fmt not in FORMATS or not valid:
                raise Http404
            return _download(report, fmt)
        # A long table (the home visits of a city's thousands of schools) is shown a page at a
        # time with its total on every page; the downloads carry every row.
        key = table.keys[0]
        body = [row for row in report.rows if row.get(key) != "total"]
        page = Paginator(body, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        shown = [*page.object_list, *(row for row in report.rows if row.get(key) == "total")]
        if request.user.is_official:
            _add_links(report, shown)
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)
        return render(
            request,
            "lbc_office/report_table.html",
            {
                "table": table,
                "report": report,
                "form": form,
                "lines": _lines(report.table, shown),
                "columns": table.columns,
                "page": page,
                "query": query.urlencode(),
            },
        )

    view.__name__ = view.__qualname__ = f"report_{slug.replace('-', '_')}"
    return view


def _lines(table: reports.Table, rows: list[dict]) -> list[dict]:
    """Rows for the template: each cell with its drill-down link, if any."""
    keys = table.keys
    lines = []
    for row in rows:
        links = row.get("links", {})
        lines.append(
            {
                "row": row,
                "total": row.get(keys[0]) == "total",
                "label": row.get("label", row.get(keys[0])),
                "cells": [
                    {"value": row.get(k), "url": links.get(k), "label": column.label}
                    for k, column in zip(keys[1:], table.columns[1:], strict=True)
                ],
            }
        )
    return lines


def _download(report: reports.Report, fmt: str) -> HttpResponse:
    content_type, ext = FORMATS[fmt]
    if fmt == "csv":
        body = "\ufeff" + export.to_csv(report)  # a BOM: Excel on Chinese Windows reads UTF-8
    elif fmt == "json":
        body = export.to_json(report)
    else:
        body = export.to_xlsx(report)
    response = HttpResponse(body, content_type=content_type)
    name = f"{report.table.slug}-{report.filters.day:%Y-%m-%d}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Drill-downs (officials only) ----------------------------------------------------------------


def _add_links(report: reports.Report, rows: list[dict]) -> None:
    """Put under each count of ``rows`` (the report's rows on the page) the list of the
    children it counts, where such a list exists: each table declares its own (``Table.links``).

    The lists show the register as it is now: a table for a past day links nowhere.
    """
    filters = report.filters
    if not filters.is_today:
        return
    place = {
        k: v for k, v in {"school_town": filters.town, "school_code": filters.school}.items() if v
    }
    for row in rows:
        row["links"] = report.table.drill_down(row, place)
