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
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from lbc_office import reports
from lbc_office.core.auth import role_required
from lbc_office.core.forms import DateInput
from lbc_office.core.models import Role
from lbc_office.reports import export
from registry import access
from registry.models import County, Town

# Rows of a table on one page (a county's 221 schools fit on one).
ROWS_PER_PAGE = 250
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


class ReportFilterForm(forms.Form):
    """A report's filters as ``user`` may choose them: a city user (a municipal official, a
    city's report viewer) chooses a county or the whole city; a county's user has no choice (the
    county is theirs: ``filters()``). Town names repeat across counties: the towns offered are
    the county's; a city user's town with no county is refused when its name is in more than
    one county ("choose a county first")."""

    as_of = forms.DateField(label=_("As of"), required=False, widget=DateInput())
    county = forms.ChoiceField(label=_("County"), required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)
    school = forms.CharField(label=_("School code"), required=False, max_length=20)

    def __init__(self, *args, table: reports.Table, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_county = access.county_code_of(user)
        county = self.own_county
        if county:
            del self.fields["county"]
        else:
            self.fields["county"].choices = [
                ("", _("The whole city")),
                *County.objects.order_by("code").values_list("code", "name"),
            ]
            county = self.data.get("county", "") if self.is_bound else ""
        towns = Town.objects.order_by("name")
        if county:
            towns = towns.filter(county__code=county)
        names = towns.values_list("name", flat=True).distinct()
        self.fields["town"].choices = [("", _("All towns")), *((n, n) for n in names)]
        for name in [n for n in self.fields if n not in (*table.filters, "county")]:
            del self.fields[name]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("A report cannot be made for a day still to come."))
        return day

    def clean(self):
        data = super().clean()
        town = data.get("town")
        if town and not (self.own_county or data.get("county")):
            counties = Town.objects.filter(name=town).values("county").distinct()
            if counties.count() > 1:
                self.add_error(
                    "town", _("Towns of this name are in several counties: choose a county first.")
                )
        return data

    def filters(self) -> reports.Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return reports.Filters(
            as_of=data.get("as_of"),
            town=data.get("town", ""),
            school=data.get("school", ""),
            county=self.own_county or data.get("county", ""),
        )

    def county_name(self) -> str:
        """The chosen county's name (a city user's choice), or ""."""
        if self.own_county or "county" not in self.fields or not self.is_valid():
            return ""
        return dict(self.fields["county"].choices).get(self.cleaned_data["county"], "")


def refuse_other_county(user, data) -> None:
    """A county's user asking for another county's report: out of scope, 404 (like any record
    of another county). A city user may ask for any county."""
    own = access.county_code_of(user)
    asked = data.get("county", "")
    if own and asked and asked != own:
        raise Http404


@role_required(Role.OFFICIAL, Role.VIEWER)
def report_index(request):
    """The list of tables, with Table 1 for today (the user's county, or the city) and Table 1
    by place: a city's counties (a county's towns), each linking to its own Table 1."""
    report = reports.build_for(request.user, "status", by_place=True)
    status_url = reverse(reports.url_name("status"))
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
            **_places_context(report.by_place, status_url, {}),
        },
    )


def table_view(slug: str):
    """The page of one table (a view per table: the URL names it, no key in the URL)."""

    @role_required(Role.OFFICIAL, Role.VIEWER)
    def view(request):
        table = reports.TABLES[slug]
        refuse_other_county(request.user, request.GET)
        form = ReportFilterForm(request.GET or None, table=table, user=request.user)
        valid = not form.is_bound or form.is_valid()
        filters = form.filters()
        fmt = request.GET.get("format", "")
        # Table 1's page shows it by place too (the drill-down); its downloads do not.
        by_place = slug == PLACES_TABLE and not fmt
        report = reports.build_for(request.user, slug, filters, by_place=by_place)
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
            _add_links(report, shown, city=not access.county_code_of(request.user))
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)
        context = {
            "table": table,
            "report": report,
            "form": form,
            "lines": _lines(report.table, shown),
            "columns": table.columns,
            "page": page,
            "query": query.urlencode(),
            "trail": _trail(request.path, filters, form.county_name()),
        }
        if report.by_place is not None:
            as_of = {"as_of": filters.as_of.isoformat()} if filters.as_of else {}
            context.update(_places_context(report.by_place, request.path, as_of))
        return render(request, "lbc_office/report_table.html", context)

    view.__name__ = view.__qualname__ = f"report_{slug.replace('-', '_')}"
    return view


# The table whose page shows its figures by place (the drill-down city → county → town → school).
PLACES_TABLE = "status"


def _places_context(report: reports.Report, target: str, keep: dict) -> dict:
    """Table 1 by place for the template: each place's name links to its own table (``target``
    with the place's filters, and ``keep``: the day)."""
    level = reports.places.place_level(report.filters)
    lines = _lines(report.table, report.rows)
    for line in lines:
        row = line["row"]
        if not line["total"] and level:
            params = reports.places.place_params(report.filters, level, row["code"])
            line["url"] = f"{target}?{urlencode({**params, **keep})}"
    return {
        "places": lines,
        "places_columns": report.table.columns[1:],
        "places_level": reports.places.LEVEL_LABELS.get(level, ""),
    }


def _trail(path: str, filters: reports.Filters, county_name: str) -> list[dict]:
    """The place of a city user's report, each step linking to its table: the city, the county,
    the town (a county's user has no city above them: empty)."""
    if not county_name:
        return []
    steps = [{"label": _("The whole city"), "url": path}]
    steps.append({"label": county_name, "url": f"{path}?{urlencode({'county': filters.county})}"})
    if filters.town:
        params = {"county": filters.county, "town": filters.town}
        steps.append({"label": filters.town, "url": f"{path}?{urlencode(params)}"})
    return steps


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
    county = f"{report.filters.county}-" if report.filters.county else ""
    name = f"{report.table.slug}-{county}{report.filters.day:%Y-%m-%d}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Drill-downs (officials only) ----------------------------------------------------------------


def _add_links(report: reports.Report, rows: list[dict], *, city: bool = False) -> None:
    """Put under each count of ``rows`` (the report's rows on the page) the list of the
    children it counts, where such a list exists: each table declares its own (``Table.links``).
    A city user's list is asked for the report's county too (a county's user's list is theirs).

    The lists show the register as it is now: a table for a past day links nowhere.
    """
    filters = report.filters
    if not filters.is_today:
        return
    given = {
        "county": filters.county if city else "",
        "school_town": filters.town,
        "school_code": filters.school,
    }
    place = {k: v for k, v in given.items() if v}
    for row in rows:
        row["links"] = report.table.drill_down(row, place)
