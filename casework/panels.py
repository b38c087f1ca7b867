"""What other parts of casework add to a concern's page, below its record: a referral's
block, a "refer" button… Registered from ``CaseworkConfig.ready()`` like the file's sections
(``registry.file_sections``): a template and a function ``(request, concern) -> dict | None``
building its context in a bounded number of queries (the page's query count is pinned); None
when this user gets no such block."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[object, object], dict | None]
    order: int = 100


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(request, concern) -> list[ShownPanel]:
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        context = panel.context(request, concern)
        if context is not None:
            shown.append(ShownPanel(template=panel.template, context=context))
    return shown
