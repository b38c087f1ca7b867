"""The report tables as JSON, through ``reports.build_for`` (the small-cell rule for viewers)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from lbc_office import reports
from lbc_office.reports.views import ReportFilterForm, refuse_other_county


def _require_report_reader(request) -> None:
    if not (request.user.is_official or request.user.is_report_viewer):
        raise PermissionDenied


class ReportIndex(APIView):
    """The tables, each with its options (``as_of``, ``town``, ``school`` where it takes them;
    ``county`` for a city's user, every table: a county's user always gets their county)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        _require_report_reader(request)
        return Response(
            [
                {
                    "slug": t.slug,
                    "title": str(t.title),
                    "options": [*t.filters, "county"],
                    "url": request.build_absolute_uri(reverse(f"api:report_{t.slug}")),
                }
                for t in reports.TABLES.values()
            ]
        )


class ReportTable(APIView):
    """One table's rows (the JSON download of its screen), with the same options."""

    slug: str = ""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        _require_report_reader(request)
        slug = self.slug
        table = reports.TABLES[slug]
        refuse_other_county(request.user, request.query_params)  # another county's: 404
        form = ReportFilterForm(request.query_params or None, table=table, user=request.user)
        if form.is_bound and not form.is_valid():
            raise ValidationError({f: [str(m) for m in ms] for f, ms in form.errors.items()})
        report = reports.build_for(request.user, slug, form.filters())
        return Response(
            {
                "table": slug,
                "as_of": report.filters.day,
                "county": report.filters.county,
                "counted_at": report.counted_at,
                "suppressed": report.suppressed,
                "columns": table.keys,
                "rows": report.records(),
            }
        )
