"""Template helpers of the register."""

from django import template
from django.utils.html import format_html

from registry import idnumber

register = template.Library()


@register.simple_tag(takes_context=True)
def id_number(context, child):
    """The identity number as this user may see it: whole for officials, masked for others."""
    number = idnumber.shown_to(context["request"].user, child.id_number)
    return format_html('<span class="id-number">{}</span>', number)


@register.filter
def id_number_for(number, user):
    """``{{ value|id_number_for:request.user }}``: the same rule for a bare number."""
    return idnumber.shown_to(user, number or "")


@register.simple_tag
def risk_badge(child):
    """The child's risk level as a badge; nothing for "no known risk"."""
    from registry.risk_file import BADGE

    level = getattr(child, "risk_level", "none")
    if level not in BADGE:
        return ""
    return format_html(
        '<span class="badge risk-badge risk-{} {}">{}</span>',
        level,
        BADGE[level],
        child.get_risk_level_display(),
    )
