"""Background work of the register. Tasks are thin: they call a service."""

from celery import shared_task

from registry import services


@shared_task(name="registry.tasks.mark_aged_out")
def mark_aged_out() -> int:
    """Nightly (see CELERY_BEAT_SCHEDULE): children who reached the age limit leave the register."""
    return services.mark_aged_out()
