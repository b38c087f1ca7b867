"""Batches of personal files and hand-over files, printed by a worker.

``start`` stores the job (the children's keys, chosen within the official's scope when asked)
and queues ``run``. ``run`` claims the job with a conditional UPDATE (a task delivered twice
prints once; a delivery that finds the job begun by a worker that died marks it failed), prints
each file as the official who asked for it sees it, counts progress on the row (the page polls
it), and writes one PDF into ``PRINT_DIR`` readable by the service's own user only (0600 in a
0700 directory). ``purge_expired`` deletes files older than ``PRINT_KEEP_DAYS``; run twice, the
second run finds nothing.
"""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lbc_office.core import audit
from registry.models import PrintJob
from registry.printing import render

log = logging.getLogger(__name__)
Status = PrintJob.Status
PROGRESS_EVERY = 10  # files between two progress updates of the row


def print_dir() -> Path:
    path = Path(settings.PRINT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def path_of(job: PrintJob) -> Path | None:
    return Path(settings.PRINT_DIR) / job.filename if job.filename else None


@transaction.atomic
def start(*, kind: str, child_ids: list[int], by, description: str = "") -> PrintJob:
    """Store a print job for these children and have a worker print it. Audited."""
    job = PrintJob(
        kind=kind,
        requested_by=by,
        child_ids=[int(pk) for pk in child_ids],
        total=len(child_ids),
        description=description[:200],
    )
    job.full_clean()
    job.save()
    audit.record(
        audit.Action.PRINT,
        user=by,
        obj=job,
        child_id=child_ids[0] if len(child_ids) == 1 else None,
        detail=f"queued {kind} files={len(child_ids)}",
        children=child_ids if len(child_ids) > 1 else (),
    )
    from registry import tasks

    transaction.on_commit(lambda: tasks.print_files.delay(job.pk))
    return job


def run(pk: int) -> None:
    """Print the job's files into one PDF."""
    claimed = PrintJob.objects.filter(pk=pk, status=Status.QUEUED, attempts=0).update(
        status=Status.RUNNING, attempts=1
    )
    if not claimed:
        PrintJob.objects.filter(pk=pk, status=Status.RUNNING).update(
            status=Status.FAILED,
            message=_("The worker printing these files stopped; ask for them again."),
            finished_at=timezone.now(),
        )
        return
    job = PrintJob.objects.select_related("requested_by").get(pk=pk)
    try:
        _print(job)
    except Exception:
        log.exception("print job %s failed", pk)
        PrintJob.objects.filter(pk=pk).update(
            status=Status.FAILED,
            message=_("The files could not be printed: an unexpected error stopped the worker."),
            finished_at=timezone.now(),
        )
        raise


def _print(job: PrintJob) -> None:
    user = job.requested_by
    request = render.request_for(user)
    # Children who left the official's scope since the job was asked for are not printed.
    from registry.models import Child

    visible = set(
        Child.objects.visible_to(user).filter(pk__in=job.child_ids).values_list("pk", flat=True)
    )
    ids = [pk for pk in job.child_ids if pk in visible]
    title = _("Hand-over file") if job.kind == PrintJob.Kind.HANDOVER else ""
    pdfs = []
    with override(settings.LANGUAGE_CODE):
        for done, child in enumerate(render.files(ids), start=1):
            pdfs.append(render.file_pdf(request, child, title=title))
            if done % PROGRESS_EVERY == 0:
                PrintJob.objects.filter(pk=job.pk).update(done=done)
    filename = f"{job.kind}-{job.pk}-{os.urandom(8).hex()}.pdf"
    target = print_dir() / filename
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(render.merged(pdfs) if pdfs else b"")
    PrintJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        done=len(pdfs),
        total=len(pdfs),
        filename=filename,
        finished_at=timezone.now(),
    )


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the PDFs of jobs older than PRINT_KEEP_DAYS; the job rows stay (as EXPIRED)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PRINT_KEEP_DAYS)
    count = 0
    old = PrintJob.objects.filter(created_at__lt=cutoff).exclude(status=Status.EXPIRED)
    for job in old.only("pk", "filename", "status"):
        path = path_of(job)
        if path is not None:
            path.unlink(missing_ok=True)
        count += (
            PrintJob.objects.filter(pk=job.pk)
            .exclude(status=Status.EXPIRED)
            .update(status=Status.EXPIRED, filename="")
        )
    return count
