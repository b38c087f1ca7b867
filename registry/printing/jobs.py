"""Batches of personal files and hand-over files, printed by a worker.

``start`` stores the job (the children's keys, chosen within the official's scope when asked)
and queues ``run``. ``run`` claims the job with a conditional UPDATE, checks the scope again
(children the official no longer sees are dropped) and splits the job into chunk rows of
``PRINT_CHUNK_SIZE`` files, each queued as its own task, so that the worker's processes print a
batch side by side. ``run_chunk`` claims its chunk with a conditional UPDATE (a chunk delivered
twice prints once; one found begun by a worker that died fails the job clearly, never a loop),
prints each file as the official who asked for it sees it, counts progress on the job's row (the
page polls it) and writes a part PDF; the last chunk done queues ``join``, which puts the parts
together, in order, as one PDF. Every file is readable by the service's own user only (0600 in
a 0700 ``PRINT_DIR``); parts are deleted once joined or when the job fails. ``purge_expired``
deletes files older than ``PRINT_KEEP_DAYS``; run twice, the second run finds nothing.
"""

from __future__ import annotations

import datetime
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lbc_office.core import audit
from lbc_office.core.queue import enqueue_on_commit
from registry.models import PrintChunk, PrintJob
from registry.printing import render

log = logging.getLogger(__name__)
Status = PrintJob.Status
ChunkStatus = PrintChunk.Status
IN_PROGRESS = (Status.QUEUED, Status.RUNNING, Status.JOINING)
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
    """Split the job into chunks of ``PRINT_CHUNK_SIZE`` files and have them printed side by
    side (one chunk: printed here, no round trip through the queue)."""
    claimed = PrintJob.objects.filter(pk=pk, status=Status.QUEUED, attempts=0).update(
        status=Status.RUNNING, attempts=1
    )
    if not claimed:
        _redelivered(pk)
        return
    try:
        chunks = _split(PrintJob.objects.select_related("requested_by").get(pk=pk))
    except Exception:
        log.exception("print job %s: splitting failed", pk)
        _fail(pk, _("The files could not be printed: an unexpected error stopped the worker."))
        raise
    if len(chunks) == 1:
        run_chunk(chunks[0].pk)


def _redelivered(pk: int) -> None:
    """``run`` delivered again (a duplicate, or its worker died). No chunks: it died before the
    split, the job fails clearly. One chunk (printed in that task): the chunk's own rule
    decides (done: nothing; begun: the job fails; not begun: printed now). Several: those not
    begun are queued again (a chunk delivered twice prints once), in case the worker died
    between the split and their sending."""
    chunks = list(PrintChunk.objects.filter(job_id=pk).order_by("index"))
    if not chunks:
        _fail(pk, _("The worker printing these files stopped; ask for them again."))
    elif len(chunks) == 1:
        run_chunk(chunks[0].pk)
    else:
        for chunk in chunks:
            if chunk.status == ChunkStatus.QUEUED:
                enqueue_on_commit("registry.tasks.print_chunk", chunk.pk)


@transaction.atomic
def _split(job: PrintJob) -> list[PrintChunk]:
    ids = _visible(job.requested_by, job.child_ids)
    size = max(1, settings.PRINT_CHUNK_SIZE)
    PrintJob.objects.filter(pk=job.pk).update(total=len(ids))
    chunks = PrintChunk.objects.bulk_create(
        PrintChunk(job=job, index=n, child_ids=ids[start : start + size])
        for n, start in enumerate(range(0, max(len(ids), 1), size))
    )
    if len(chunks) > 1:
        for chunk in chunks:
            enqueue_on_commit("registry.tasks.print_chunk", chunk.pk)
    return chunks


def _visible(user, child_ids: list[int]) -> list[int]:
    """Children who left the official's scope since the job was asked for are not printed."""
    from registry.models import Child

    visible = set(
        Child.objects.visible_to(user).filter(pk__in=child_ids).values_list("pk", flat=True)
    )
    return [pk for pk in child_ids if pk in visible]


def run_chunk(pk: int) -> None:
    """Print one chunk's files into a part PDF; the last chunk done has the parts joined."""
    claimed = PrintChunk.objects.filter(
        pk=pk, status=ChunkStatus.QUEUED, job__status=Status.RUNNING
    ).update(status=ChunkStatus.RUNNING)
    chunk = PrintChunk.objects.select_related("job__requested_by").get(pk=pk)
    if not claimed:
        if chunk.status == ChunkStatus.RUNNING:  # begun by a worker that died: fail, not loop
            PrintChunk.objects.filter(pk=pk).update(status=ChunkStatus.FAILED)
            _fail(chunk.job_id, _("The worker printing these files stopped; ask for them again."))
        return  # done already, or its job failed: nothing to print
    try:
        filename, printed = _print_chunk(chunk)
    except Exception:
        log.exception("print job %s, chunk %s failed", chunk.job_id, chunk.index)
        PrintChunk.objects.filter(pk=pk).update(status=ChunkStatus.FAILED)
        _fail(
            chunk.job_id,
            _("The files could not be printed: an unexpected error stopped the worker."),
        )
        raise
    PrintChunk.objects.filter(pk=pk, status=ChunkStatus.RUNNING).update(
        status=ChunkStatus.DONE, filename=filename, printed=printed
    )
    if PrintJob.objects.filter(pk=chunk.job_id, status=Status.FAILED).exists():
        _remove_parts(chunk.job_id)  # another chunk failed meanwhile
        return
    left = PrintChunk.objects.filter(job_id=chunk.job_id).exclude(status=ChunkStatus.DONE)
    # Two chunks ending together may both find none left: the job's row, moved from running to
    # joining by one conditional UPDATE, lets exactly one of them queue the join.
    if not left.exists() and _claim(chunk.job_id, Status.RUNNING, Status.JOINING):
        if chunk.index == 0 and chunk.job.chunks.count() == 1:
            join(chunk.job_id)
        else:
            enqueue_on_commit("registry.tasks.print_join", chunk.job_id)


def _claim(pk: int, old: str, new: str) -> bool:
    return bool(PrintJob.objects.filter(pk=pk, status=old).update(status=new))


def _print_chunk(chunk: PrintChunk) -> tuple[str, int]:
    job = chunk.job
    user = job.requested_by
    request = render.request_for(user)
    ids = _visible(user, chunk.child_ids)  # scope checked again, at print time
    title = _("Hand-over file") if job.kind == PrintJob.Kind.HANDOVER else ""
    pdfs, counted = [], 0
    with override(settings.LANGUAGE_CODE):
        for done, child in enumerate(render.files(ids), start=1):
            pdfs.append(render.file_pdf(request, child, title=title))
            if done % PROGRESS_EVERY == 0:
                PrintJob.objects.filter(pk=job.pk).update(done=F("done") + done - counted)
                counted = done
    PrintJob.objects.filter(pk=job.pk).update(done=F("done") + len(pdfs) - counted)
    filename = f"part-{job.pk}-{chunk.index}-{os.urandom(8).hex()}.pdf"
    _write(filename, render.merged(pdfs) if pdfs else b"")
    return filename, len(pdfs)


def join(pk: int) -> None:
    """The chunks' parts, in order, as the job's one PDF."""
    claimed = PrintJob.objects.filter(pk=pk, status=Status.JOINING, attempts=1).update(attempts=2)
    if not claimed:
        if PrintJob.objects.filter(pk=pk, status=Status.JOINING).exists():  # died while joining
            _fail(pk, _("The worker printing these files stopped; ask for them again."))
        return  # joined already, or failed
    job = PrintJob.objects.get(pk=pk)
    try:
        chunks = list(job.chunks.order_by("index"))
        parts = [(Path(settings.PRINT_DIR) / c.filename).read_bytes() for c in chunks if c.printed]
        filename = f"{job.kind}-{job.pk}-{os.urandom(8).hex()}.pdf"
        _write(filename, (parts[0] if len(parts) == 1 else render.merged(parts)) if parts else b"")
    except Exception:
        log.exception("print job %s: joining failed", pk)
        _fail(pk, _("The files could not be printed: an unexpected error stopped the worker."))
        raise
    printed = sum(c.printed for c in chunks)
    PrintJob.objects.filter(pk=pk, status=Status.JOINING).update(
        status=Status.DONE, done=printed, total=printed, filename=filename,
        finished_at=timezone.now(),
    )  # fmt: skip
    _remove_parts(pk)


def _write(filename: str, data: bytes) -> None:
    """A new file in PRINT_DIR (0700) readable by the service's own user only (0600)."""
    fd = os.open(print_dir() / filename, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _fail(pk: int, message: str) -> None:
    PrintJob.objects.filter(pk=pk, status__in=IN_PROGRESS).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )
    _remove_parts(pk)


def _remove_parts(pk: int) -> None:
    for part in Path(settings.PRINT_DIR).glob(f"part-{pk}-*.pdf"):
        part.unlink(missing_ok=True)


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
        _remove_parts(job.pk)
        count += (
            PrintJob.objects.filter(pk=job.pk)
            .exclude(status=Status.EXPIRED)
            .update(status=Status.EXPIRED, filename="")
        )
    return count
