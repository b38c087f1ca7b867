"""Background work of the register. Tasks are thin: they call a service."""

from celery import shared_task

from registry import services


@shared_task(name="registry.tasks.mark_aged_out")
def mark_aged_out() -> int:
    """Nightly (see CELERY_BEAT_SCHEDULE): children who reached the age limit leave the register."""
    return services.mark_aged_out()


@shared_task(name="registry.tasks.check_import")
def check_import(job_pk: int) -> None:
    """An uploaded file: read and check every row, writing nothing (the preview)."""
    from registry.importing import jobs

    jobs.check(job_pk)


@shared_task(name="registry.tasks.run_import")
def run_import(job_pk: int) -> None:
    """A confirmed file: import it, all or nothing."""
    from registry.importing import jobs

    jobs.run(job_pk)


@shared_task(name="registry.tasks.purge_stale_imports")
def purge_stale_imports() -> int:
    """Nightly: drop the files of uploads nobody confirmed (they hold identity numbers)."""
    from registry.importing import jobs

    return jobs.purge_stale()
