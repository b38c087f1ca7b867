"""When a child's file leaves "active" (reunited, moved with parents, aged out, transferred out,
closed), each app ends what it holds for the child — carers, check-ins, enrolments, plan
actions, follow-ups — in the same transaction as the status change; when an official reopens
the file, each app can say what it ended and restore it.

The register imports no app (docs/ARCHITECTURE.md), so the apps plug in here from their
``AppConfig.ready()``::

    closure.register(
        "carers",                     # a key, unique per app part
        close=end_carers,             # (*, child, change, by) -> list[Ended]
        restore=restore_carers,       # (*, child, change, by) -> list[Ended], optional
    )

``change`` is the ``StatusChange`` that closed the file; a closer marks what it ended with it
(for example the end reason and date) so that ``restore`` finds exactly those records again.
Closers must be safe to run twice (a second run finds nothing left to end).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Ended:
    """What one closer ended or restored, told on the timeline and on the reopen screen."""

    key: str
    label: str  # translated, e.g. "2 carer assignments ended"
    count: int


Closer = Callable[..., list[Ended]]


@dataclass(frozen=True)
class _Part:
    close: Closer
    restore: Closer | None


_parts: dict[str, _Part] = {}


def register(key: str, *, close: Closer, restore: Closer | None = None) -> None:
    """Add (or replace) an app's closer; called from ``AppConfig.ready()``."""
    _parts[key] = _Part(close=close, restore=restore)


def close_all(*, child, change, by) -> list[Ended]:
    """Run every closer for ``child`` (inside the caller's transaction)."""
    ended: list[Ended] = []
    for part in _parts.values():
        ended.extend(e for e in part.close(child=child, change=change, by=by) if e.count)
    return ended


def restore_all(*, child, change, by) -> list[Ended]:
    """Undo what the closers ended with ``change`` (inside the caller's transaction)."""
    restored: list[Ended] = []
    for part in _parts.values():
        if part.restore is not None:
            restored.extend(e for e in part.restore(child=child, change=change, by=by) if e.count)
    return restored
