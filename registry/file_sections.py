"""What other apps add to the personal file page: buttons and sections.

Like the timeline, this is a registry that apps fill from their ``AppConfig.ready()``, so that the
register shows visits, calls or carers without importing the apps that record them.

- An *action* is a button at the top of the file (record a home visit, assign a carer…), shown
  when ``allowed(user, child)`` says so.
- A *section* is a card on the file: a template and a function ``(request, child) -> dict`` that
  builds its context in a bounded number of queries (query counts of the file are pinned); it
  returns None when this user gets no such card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    url_name: str  # reversed with the child's pk
    icon: str  # a Bootstrap Icons name, e.g. "house-heart"
    allowed: Callable[[object, object], bool]
    order: int = 100


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[[object, object], dict]
    order: int = 100


_actions: dict[str, Action] = {}
_sections: dict[str, Section] = {}


def register_action(action: Action) -> None:
    _actions[action.key] = action


def register_section(section: Section) -> None:
    _sections[section.key] = section


@dataclass(frozen=True)
class ShownAction:
    label: str
    url: str
    icon: str


@dataclass(frozen=True)
class ShownSection:
    template: str
    context: dict


def actions_for(user, child) -> list[ShownAction]:
    return [
        ShownAction(label=a.label, url=reverse(a.url_name, args=[child.pk]), icon=a.icon)
        for a in sorted(_actions.values(), key=lambda a: a.order)
        if a.allowed(user, child)
    ]


def sections_for(request, child) -> list[ShownSection]:
    shown = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        context = section.context(request, child)
        if context is not None:
            shown.append(ShownSection(template=section.template, context=context))
    return shown
