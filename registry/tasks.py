"""Background work of the register. Tasks are thin: they call a service."""

from celery import shared_task

from registry import merging, services
from registry.importing import jobs


@shared_task(name="registry.tasks.mark_aged_out")
def mark_aged_out() -> int:
    """Nightly (see CELERY_BEAT_SCHEDULE): children who reached the age limit leave the register."""
    return services.mark_aged_out()


# An import's steps are acknowledged after they ran and put back in the queue when their worker
# dies (killed, out of memory), so that the next delivery can mark the job failed: see
# registry/importing/jobs.py (the attempt is counted before the file is read; never a loop).
IMPORT_TASK = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="registry.tasks.check_import", **IMPORT_TASK)
def check_import(job_pk: int) -> None:
    """An uploaded file: read and check every row, writing nothing (the preview)."""
    jobs.check(job_pk)


@shared_task(name="registry.tasks.run_import", **IMPORT_TASK)
def run_import(job_pk: int) -> None:
    """A confirmed file: import it, all or nothing."""
    jobs.run(job_pk)


@shared_task(name="registry.tasks.purge_stale_imports")
def purge_stale_imports() -> int:
    """Nightly: drop the files of uploads nobody confirmed (they hold identity numbers)."""
    return jobs.purge_stale()


@shared_task(name="registry.tasks.print_files", acks_late=True, reject_on_worker_lost=True)
def print_files(job_pk: int) -> None:
    """A batch of personal files, or a hand-over file, as one PDF (registry/printing/jobs.py)."""
    from registry.printing import jobs

    jobs.run(job_pk)


@shared_task(name="registry.tasks.print_chunk", acks_late=True, reject_on_worker_lost=True)
def print_chunk(chunk_pk: int) -> None:
    """A part of a batch (PRINT_CHUNK_SIZE files), printed side by side with the others."""
    from registry.printing import jobs

    jobs.run_chunk(chunk_pk)


@shared_task(name="registry.tasks.print_join", acks_late=True, reject_on_worker_lost=True)
def print_join(job_pk: int) -> None:
    """A batch's parts, once all are printed, put together as one PDF."""
    from registry.printing import jobs

    jobs.join(job_pk)


@shared_task(name="registry.tasks.purge_old_prints")
def purge_old_prints() -> int:
    """Nightly: printed batches older than PRINT_KEEP_DAYS are deleted (idempotent)."""
    from registry.printing import jobs

    return jobs.purge_expired()


@shared_task(name="registry.tasks.find_duplicates")
def find_duplicates() -> int:
    """Nightly: the county-wide duplicate check, stored for the officials' page."""
    return merging.refresh_pairs()
