"""Template helpers of the register."""

from django import template
from django.utils.html import format_html

from registry import access
from registry.idnumber import mask

register = template.Library()


@register.simple_tag(takes_context=True)
def id_number(context, child):
    """The identity number as this user may see it: whole for officials, masked for others."""
    user = context["request"].user
    number = child.id_number if access.sees_full_id_number(user) else mask(child.id_number)
    return format_html('<span class="id-number">{}</span>', number)
