"""An official's upload, step by step: check in a worker, preview, confirm, import in a worker.

Each step claims its job with a conditional UPDATE that also counts the attempt, committed
before the file is read, so a task delivered twice does its work once. A delivery that finds
its step already attempted and unfinished knows the worker before it died (a file that ran it
out of memory, a killed process: the tasks are acknowledged late and requeued when their worker
is lost): it ends the job as failed with a message, instead of reading the file again and
killing the next worker — at most one retry, never a loop. Progress goes through the cache
(Redis, or files in var/), because the import itself runs in one transaction that nobody else
can see into until it commits.
"""

from __future__ import annotations

import datetime
import logging

from django.core.cache import cache
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core.queue import enqueue_on_commit
from registry.importing import FileRefused, ImportReport, check_file, import_file
from registry.importing.files import max_bytes, too_large
from registry.models import ImportJob

log = logging.getLogger(__name__)
Status = ImportJob.Status
KEEP_UNCONFIRMED = datetime.timedelta(days=1)


def start(*, kind: str, filename: str, data: bytes, county, by) -> ImportJob:
    """Store the upload and have a worker check it."""
    job = ImportJob.objects.create(
        kind=kind,
        county=county,  # the schools' county; for children, the county every row is in
        filename=filename[:200],
        size=len(data),
        data=data,
        uploaded_by=by,
    )
    _enqueue("check", job.pk)
    return job


def _enqueue(step: str, pk: int) -> None:
    # By name: registry.tasks imports this module (lbc_office/core/queue.py).
    task = "registry.tasks.check_import" if step == "check" else "registry.tasks.run_import"
    enqueue_on_commit(task, pk)


def _progress_callback(job: ImportJob):
    key = job.progress_key()

    def report(stage: str, done: int, total: int) -> None:
        cache.set(key, {"stage": stage, "done": done, "total": total}, timeout=3600)

    return report


def progress(job: ImportJob) -> dict:
    """``{"stage", "done", "total", "percent"}`` of the step running now."""
    data = cache.get(job.progress_key()) or {"stage": "waiting", "done": 0, "total": 0}
    total = data["total"] or 1
    # Reading and checking are the first half of an import's work; writing is the second.
    if job.status == Status.RUNNING:
        weight = {"reading": (0, 25), "checking": (25, 25), "writing": (50, 50)}
    else:
        weight = {"reading": (0, 50), "checking": (50, 50)}
    start_at, span = weight.get(data["stage"], (0, 0))
    data["percent"] = min(100, int(start_at + span * data["done"] / total))
    return data


def _worker_lost_message() -> str:
    return _(
        "The file could not be processed: the worker reading it stopped (out of memory, or "
        "restarted) and it was not tried again. Check that it is the register file, split it "
        "into smaller files if it is very large, and upload it again."
    )


def _unexpected_message() -> str:
    return _("The file could not be processed: an unexpected error stopped the worker.")


def _fail_attempted(pk: int, status: str) -> None:
    """A delivery of a step that an earlier delivery began and never finished: it died."""
    ImportJob.objects.filter(pk=pk, status=status, attempts__gte=1).update(
        status=Status.FAILED,
        message=_worker_lost_message(),
        data=b"",
        finished_at=timezone.now(),
    )


def _file(pk: int) -> bytes:
    """The job's file, refused by its size in the database before it is fetched (the upload
    page never stores a larger one; a row written some other way is not trusted)."""
    size = ImportJob.objects.filter(pk=pk).values_list(Length("data"), flat=True).get()
    if size > max_bytes():
        raise too_large(size, max_bytes())
    data = ImportJob.objects.filter(pk=pk).values_list("data", flat=True).get()
    return bytes(data)


def check(pk: int) -> None:
    """The preview: every error and what would change. Runs once per upload."""
    claimed = ImportJob.objects.filter(pk=pk, status=Status.CHECKING, attempts=0).update(attempts=1)
    if not claimed:
        _fail_attempted(pk, Status.CHECKING)
        return
    job = ImportJob.objects.select_related("uploaded_by", "county").defer("data").get(pk=pk)
    try:
        report = check_file(
            job.kind,
            _file(pk),
            by=job.uploaded_by,
            county=job.county,
            progress=_progress_callback(job),
        )
    except FileRefused as exc:
        ImportJob.objects.filter(pk=pk, status=Status.CHECKING).update(
            status=Status.REFUSED, message=exc.message, data=b"", finished_at=timezone.now()
        )
        return
    except Exception:
        log.exception("check of import %s failed", pk)
        ImportJob.objects.filter(pk=pk, status=Status.CHECKING).update(
            status=Status.FAILED,
            message=_unexpected_message(),
            data=b"",
            finished_at=timezone.now(),
        )
        raise
    ImportJob.objects.filter(pk=pk, status=Status.CHECKING).update(
        status=Status.CHECKED, check_report=report.to_dict(), attempts=0
    )


def confirm(job: ImportJob, *, by) -> bool:
    """Queue the import of a checked file without errors; False if it cannot be confirmed."""
    report = ImportReport.from_dict(job.check_report or {"kind": job.kind})
    if job.status != Status.CHECKED or not report.ok:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.QUEUED, confirmed_by=by
    )
    if claimed:
        _enqueue("run", job.pk)
    return bool(claimed)


def run(pk: int) -> None:
    """Import the confirmed file: all or nothing, checked again inside the transaction."""
    claimed = ImportJob.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), attempts=1
    )
    if not claimed:  # already done; or begun by a worker that died (its transaction rolled back)
        _fail_attempted(pk, Status.RUNNING)
        return
    job = ImportJob.objects.select_related("confirmed_by", "county").defer("data").get(pk=pk)
    try:
        report = import_file(
            job.kind,
            _file(pk),
            by=job.confirmed_by,
            county=job.county,
            progress=_progress_callback(job),
        )
    except FileRefused as exc:
        _finish(pk, Status.FAILED, message=exc.message)
        return
    except Exception:
        log.exception("import %s failed", pk)
        _finish(pk, Status.FAILED, message=_unexpected_message())
        raise
    _finish(pk, Status.DONE if report.written else Status.FAILED, result=report.to_dict())


def _finish(pk: int, status: str, *, message: str = "", result=None) -> None:
    ImportJob.objects.filter(pk=pk).update(
        status=status, message=message, result=result, data=b"", finished_at=timezone.now()
    )


def purge_stale(*, now: datetime.datetime | None = None) -> int:
    """Uploads never confirmed after a day are abandoned and their file dropped."""
    now = now or timezone.now()
    stale = ImportJob.objects.filter(
        status__in=[Status.CHECKING, Status.CHECKED, Status.REFUSED],
        uploaded_at__lt=now - KEEP_UNCONFIRMED,
    ).exclude(data=b"", status=Status.REFUSED)
    count = 0
    for job in stale.only("pk", "status"):
        status = Status.REFUSED if job.status == Status.REFUSED else Status.ABANDONED
        count += ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=status, data=b""
        )
    return count
