"""``{% icon "<name>" %}``: a bootstrap-icons icon as inline SVG, in place of the icon font.

The icons are the files of npm's bootstrap-icons that ``make assets`` copies into
``lbc_office/core/icons/`` (only those the templates and the code name). Inline, an icon costs a
few hundred bytes of the page it is on (compressed with it) and no request; the font cost 134 KB.
An icon takes the colour and size of its text; ``{% icon "x-circle-fill" "text-danger" %}``
adds classes. A name without a file is an error, never a silent blank.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ICONS = Path(__file__).resolve().parent.parent / "icons"
_INNER = re.compile(r"<svg[^>]*>(.*)</svg>", re.S)


@cache
def icon_body(name: str) -> str:
    """The shapes inside the icon's <svg>, read once per process."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"not an icon name: {name!r}")
    path = ICONS / f"{name}.svg"
    if not path.exists():
        raise ValueError(f"no icon {name!r} in {ICONS} (add it to a template, then make assets)")
    match = _INNER.search(path.read_text())
    return " ".join(match.group(1).split())


@register.simple_tag
def icon(name: str, css: str = "") -> str:
    classes = f"bi bi-{name} {css}".strip()
    return format_html(
        '<svg class="{}" width="1em" height="1em" viewBox="0 0 16 16" fill="currentColor" '
        'aria-hidden="true" focusable="false">{}</svg>',
        classes,
        mark_safe(icon_body(name)),  # noqa: S308 — the committed files of bootstrap-icons
    )
