"""What casework adds to a hand-over summary (``registry.transfers.register_fact``): how many
protection concerns were open when the file closed — open still, or closed because the child
left the register."""

from __future__ import annotations

from django.db.models import Q

from casework.models import Concern
from registry import transfers


def open_concerns(child) -> int:
    return (
        Concern.objects.filter(child=child)
        .filter(Q(closed_at__isnull=True) | Q(outcome=Concern.Outcome.LEFT))
        .count()
    )


def register() -> None:
    transfers.register_fact("open_concerns", open_concerns)
