"""Bringing the register in and taking it out (officials only): uploads with a preview and a
progress bar, the blank templates, and the children list's export."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from lbc_office.core import audit, replica
from lbc_office.core.auth import role_required
from lbc_office.core.forms import save_form
from lbc_office.core.models import Role
from registry import access, search_box, selectors
from registry.filters import ChildFilter
from registry.importing import ImportReport, export, jobs
from registry.importing.columns import headers
from registry.models import Child, ImportJob, School
from registry.upload_forms import ImportUploadForm

official_only = role_required(Role.OFFICIAL)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_LIMIT = 200  # records listed by name on a result page; the counts are always complete


def _jobs(request):
    """The imports of the official's county (every county's for the city): those its
    officials uploaded."""
    jobs = ImportJob.objects.defer("data")
    code = access.county_code_of(request.user)
    return jobs.filter(uploaded_by__county_code=code) if code else jobs


def _chinese(request) -> bool:
    lang = request.GET.get("lang")
    if lang in {"zh", "en"}:
        return lang == "zh"
    return translation.get_language().startswith("zh")


@official_only
def import_start(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)

    def start(*, by, kind, file, county, **_checked):
        return jobs.start(kind=kind, filename=file.name, data=form.data_bytes, county=county, by=by)

    # save_form: a one-time key makes a double tap upload once.
    if request.method == "POST" and (job := save_form(request, form, start)):
        return redirect("registry:import_detail", pk=job.pk)
    recent = _jobs(request).select_related("uploaded_by")[:10]
    return render(request, "registry/import_start.html", {"form": form, "recent": recent})


@audit.shows_personal_data
@official_only
def import_detail(request, pk):
    job = get_object_or_404(_jobs(request), pk=pk)
    context = {"job": job, "progress": jobs.progress(job) if job.in_progress else None}
    if job.check_report:
        context["check"] = ImportReport.from_dict(job.check_report)
    if job.result:
        result = ImportReport.from_dict(job.result)
        context["result"] = result
        context["created"] = _records(job.kind, result.created)
        context["updated"] = _records(job.kind, result.updated)
        if job.kind != ImportJob.Kind.SCHOOLS:
            audit.shown(request, [*context["created"], *context["updated"]])
    # The preview shows rows of the file (children who may not be in the register yet).
    audit.shown(request, about=job)
    return render(request, "registry/import_detail.html", context)


def _records(kind: str, pks: list[int]):
    if kind == ImportJob.Kind.SCHOOLS:
        return School.objects.filter(pk__in=pks[:LIST_LIMIT]).select_related("town")
    return Child.objects.filter(pk__in=pks[:LIST_LIMIT]).select_related("school")


@official_only
def import_progress(request, pk):
    """The progress bar, polled by the page every second (htmx); a finished step reloads it."""
    job = get_object_or_404(_jobs(request), pk=pk)
    if not job.in_progress:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "registry/_import_progress.html", {"job": job, "progress": jobs.progress(job)}
    )


@official_only
@require_POST
def import_confirm(request, pk):
    job = get_object_or_404(_jobs(request), pk=pk)
    jobs.confirm(job, by=request.user)
    return redirect("registry:import_detail", pk=job.pk)


@official_only
def import_template(request):
    """A blank file with the columns, in Chinese or English (``?lang=zh|en``)."""
    kind = request.GET.get("kind", "children")
    kind = kind if kind in export.COLUMNS else "children"
    chinese = _chinese(request)
    name = f"{kind}-template-{'zh' if chinese else 'en'}"
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            export.template_xlsx(kind, chinese=chinese),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = HttpResponse(export.template_csv(kind, chinese=chinese), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@audit.shows_personal_data
@official_only
@replica.reads_replica
def child_export(request):
    """The children list, with its search and filters, in the import format (CSV or XLSX)."""
    data = search_box.search_data(request)
    fmt = "xlsx" if data.get("format") == "xlsx" else "csv"
    child_filter = ChildFilter(
        data, queryset=selectors.children_for_list(request.user), user=request.user
    )
    queryset = child_filter.qs
    rows_count = queryset.count()
    filters = {
        k: v for k, v in (child_filter.form.cleaned_data or {}).items() if v not in ("", None)
    }
    filters = {k: getattr(v, "pk", v) for k, v in filters.items()}
    export.record_export(
        request, kind="children", fmt=fmt, rows=rows_count, filters=filters,
        children=queryset.order_by().values_list("pk", flat=True),
    )  # fmt: skip
    chinese = _chinese(request)
    header = headers(export.CHILD_COLUMNS, chinese)
    rows = export.child_rows(queryset, chinese=chinese)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        return FileResponse(
            export.xlsx_file(header, rows),
            as_attachment=True,
            filename=f"children-{stamp}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(export.csv_stream(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="children-{stamp}.csv"'
    return response
