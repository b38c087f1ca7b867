"""The personal file on paper: one file now, batches and hand-over files by a worker.

Scope is the file's own (``get_child_for_user``: out of scope is 404); every print is audited
twice over — the VIEW event of a page that shows personal data, and a PRINT event that says what
was printed. Batches are officials' work; their PDFs are downloadable by whoever asked for them
and nobody else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.models import Role
from registry import search_box, selectors
from registry.filters import ChildFilter
from registry.models import ChildStatus, PrintJob
from registry.printing import jobs
from registry.printing import render as printing
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)
PDF_TYPE = "application/pdf"


@audit.shows_personal_data
def child_file_pdf(request, pk):
    child = get_child_for_user(request, pk, queryset=selectors.personal_file_queryset())
    pdf = printing.file_pdf(request, child)
    audit.record(audit.Action.PRINT, request=request, obj=child, detail="file.pdf")
    response = HttpResponse(pdf, content_type=PDF_TYPE)
    response["Content-Disposition"] = f'inline; filename="file-{child.pk}.pdf"'
    return response


@official_only
@require_POST
def batch_start(request):
    """The children list's current search and filters (a school's files: ``?school=<pk>``)."""
    data = search_box.search_data(request)
    child_filter = ChildFilter(
        data, queryset=selectors.children_for_list(request.user), user=request.user
    )
    ids = list(child_filter.qs.order_by("school__name", "grade", "name", "pk").values_list(
        "pk", flat=True
    )[: settings.PRINT_BATCH_MAX + 1])  # fmt: skip
    if not ids or len(ids) > settings.PRINT_BATCH_MAX:
        messages.error(
            request,
            _("A batch prints between 1 and %(max)d files: narrow the list and try again.")
            % {"max": settings.PRINT_BATCH_MAX},
        )
        return redirect("registry:child_list")
    job = jobs.start(kind=PrintJob.Kind.BATCH, child_ids=ids, by=request.user)
    return redirect("registry:print_job", pk=job.pk)


@official_only
@require_POST
def handover_start(request, pk):
    """The hand-over file of a child transferred out of the county, made the batches' way."""
    child = get_child_for_user(request, pk)
    if child.status != ChildStatus.TRANSFERRED:
        raise Http404
    job = jobs.start(kind=PrintJob.Kind.HANDOVER, child_ids=[child.pk], by=request.user)
    return redirect("registry:print_job", pk=job.pk)


def _own_job(request, pk) -> PrintJob:
    return get_object_or_404(PrintJob, pk=pk, requested_by=request.user)


@official_only
def print_job(request, pk):
    job = _own_job(request, pk)
    recent = PrintJob.objects.filter(requested_by=request.user)[:10]
    return render(request, "registry/print/job.html", {"job": job, "recent": recent})


@official_only
def print_job_progress(request, pk):
    job = _own_job(request, pk)
    if not job.in_progress:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "registry/print/_progress.html", {"job": job})


@audit.shows_personal_data
@official_only
def print_job_download(request, pk):
    job = _own_job(request, pk)
    path = jobs.path_of(job)
    if job.status != PrintJob.Status.DONE or path is None or not path.exists():
        raise Http404
    audit.shown(request, job.child_ids)
    audit.record(
        audit.Action.PRINT,
        request=request,
        obj=job,
        detail=f"{job.kind} files={len(job.child_ids)}",
        children=job.child_ids,
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{job.kind}-{job.pk}.pdf",
        content_type=PDF_TYPE,
    )  # fmt: skip
