"""The demo county's home visits, family-room calls, programmes and donations (see demo.py)."""

from __future__ import annotations


def seed(*, rng, by, users, today) -> dict:
    """Add the programmes' demo records; return {label: count} for the summary."""
    return {}
