"""Background work of the programmes app (schedule: settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from programmes.services import contact


@shared_task(name="programmes.tasks.refresh_last_contact")
def refresh_last_contact() -> int:
    """Nightly: every child's last contact with a parent, recomputed (a parent still at home
    counts as contact today). Writes go through the services, which refresh at once; this run
    only moves "today" on and repairs anything written around them. Safe to repeat."""
    return contact.refresh_last_contact()
