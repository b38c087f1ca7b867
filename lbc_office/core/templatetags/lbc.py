"""Template helpers shared by every app's templates (ground floor: imports none of our apps)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta in whole minutes (for the lock-out message)."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.filter
def yes_no(value):
    return _("Yes") if value else _("No")
