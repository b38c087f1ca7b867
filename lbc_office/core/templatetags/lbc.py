"""Template helpers shared by every app's templates (ground floor: imports none of our apps)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from lbc_office.core.forms import ONCE_FIELD, once_key_for

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta in whole minutes (for the lock-out message)."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.filter
def yes_no(value):
    return _("Yes") if value else _("No")


@register.simple_tag(takes_context=True)
def once_key(context):
    """The hidden one-time key of a form page (``lbc_office.core.forms``: a double tap saves
    once): made here on a GET, the same one again after a refused POST."""
    key = once_key_for(context.get("request"), context.get("form"))
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, key)
