"""The demo county's volunteers, assignments and check-ins (see demo.py)."""

from __future__ import annotations


def seed(*, rng, by, users, today) -> dict:
    """Add the volunteers' demo records; return {label: count} for the summary."""
    return {}
