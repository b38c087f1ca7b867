"""Export layouts (officials only): define them, and export the children list with one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lbc_office.core import audit, replica
from lbc_office.core.auth import role_required
from lbc_office.core.forms import save_form
from lbc_office.core.models import Role
from registry import access, export_layouts, search_box, selectors
from registry.filters import ChildFilter
from registry.importing import export
from registry.models import ExportLayout

official_only = role_required(Role.OFFICIAL)


def _layouts(request):
    """The layouts the officials of the user's county made (every county's for the city)."""
    layouts = ExportLayout.objects.all()
    code = access.county_code_of(request.user)
    return layouts.filter(created_by__county_code=code) if code else layouts


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LayoutForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    columns = forms.CharField(
        label=_("Columns"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=_(
            "One column a line, in order: key | header | value=label, value=label. "
            "Keys: %(keys)s. Example: sex | 性别 | M=1, F=2"
        )
        % {"keys": ", ".join(export_layouts.KEYS)},
    )

    def clean_columns(self):
        columns = export_layouts.parse_lines(self.cleaned_data["columns"])
        try:
            export_layouts.validate_columns(columns)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return columns


@official_only
def layout_list(request):
    layouts = _layouts(request).select_related("created_by")
    return render(request, "registry/layouts/list.html", {"layouts": layouts})


@official_only
def layout_edit(request, pk=None):
    layout = get_object_or_404(_layouts(request), pk=pk) if pk is not None else None
    initial = (
        {
            "name": layout.name,
            "description": layout.description,
            "columns": export_layouts.as_lines(layout.columns),
        }
        if layout
        else {"columns": export_layouts.as_lines(
            [{"key": k, "header": k} for k in export_layouts.KEYS]
        )}
    )  # fmt: skip
    form = LayoutForm(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(
        request, form, export_layouts.save_layout, layout=layout
    ):  # save_form: a one-time key makes a double tap save once
        return redirect("registry:layout_list")
    history = layout.history.select_related("history_user")[:20] if layout else []
    return render(
        request, "registry/layouts/edit.html", {"form": form, "layout": layout, "history": history}
    )


@audit.shows_personal_data
@official_only
@replica.reads_replica
def layout_export(request):
    """The children list, with its search and filters, in a chosen layout (CSV or XLSX)."""
    data = search_box.search_data(request)
    layout = None
    if str(data.get("layout", "")).isdigit():
        layout = _layouts(request).filter(pk=int(data["layout"])).first()
    if layout is None:
        query = request.GET.copy()
        query.pop("layout", None)
        return render(
            request,
            "registry/layouts/export.html",
            {"layouts": _layouts(request), "query": query},
        )
    fmt = "xlsx" if data.get("format") == "xlsx" else "csv"
    child_filter = ChildFilter(
        data, queryset=selectors.children_for_list(request.user), user=request.user
    )
    queryset = child_filter.qs
    filters = {
        k: getattr(v, "pk", v)
        for k, v in (child_filter.form.cleaned_data or {}).items()
        if v not in ("", None)
    }
    export.record_export(
        request, kind="children", fmt=fmt, rows=queryset.count(),
        filters={**filters, "layout": layout.pk},
        children=queryset.order_by().values_list("pk", flat=True),
    )  # fmt: skip
    header = export_layouts.header(layout)
    rows = export_layouts.rows(layout, queryset, user=request.user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return FileResponse(
            export.xlsx_file(header, rows),
            as_attachment=True,
            filename=f"layout-{layout.pk}-{stamp}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(export.csv_stream(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="layout-{layout.pk}-{stamp}.csv"'
    return response
