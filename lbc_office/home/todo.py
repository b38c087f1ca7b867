"""My tasks (我的待办): what is due for a user, gathered from every app into one list with counts.

The roof combines the apps, so each kind of task is one ``Source`` here: which roles it is for,
the queryset of what is due for that user (through the apps' own selectors and ``visible_to``,
so nobody is told of a record outside their scope), how an item reads and where the whole list
is. ``due_for()`` answers each role's first screen and the weekly digest (``digest.py``):
two queries per kind that has something due (its count and its first items), none otherwise.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import reunification
from casework.models import Concern, PlanAction, Referral
from lbc_office.core.models import Role
from programmes import selectors as programmes_selectors
from registry.consent import children_without_consent
from volunteers.models import MonthlyCheckin


@dataclass(frozen=True)
class Item:
    title: str
    detail: str
    url: str
    child_id: int | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Source:
    key: str
    label: object  # lazy translation
    roles: tuple[str, ...]
    due: Callable[[object, datetime.date], QuerySet]
    item: Callable[[object, datetime.date], Item]
    list_url: Callable[[], str] | None = None


# A count stops here ("1000+"): a city's 2.35 million children without a consent record took
# 2.8 s to count on every official's first screen (docs/PERFORMANCE.md, issue 15).
COUNT_LIMIT = 1000


@dataclass
class Due:
    key: str
    label: str
    count: int
    items: list[Item] = field(default_factory=list)
    list_url: str = ""

    @property
    def more(self) -> bool:
        """More than ``COUNT_LIMIT`` are due (``count`` is then COUNT_LIMIT + 1)."""
        return self.count > COUNT_LIMIT

    @property
    def shown_count(self) -> str:
        return f"{COUNT_LIMIT}+" if self.more else str(self.count)


def _day(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


# --- The kinds of task -----------------------------------------------------------------------


def _follow_ups(user, today):
    return programmes_selectors.open_follow_ups(user, today=today)


def _follow_up_item(visit, today):
    return Item(
        title=visit.child.name,
        detail=_("Follow up the home visit by %(day)s: %(what)s")
        % {"day": _day(visit.follow_up_by), "what": visit.follow_up_note or "—"},
        url=reverse("programmes:visit_add", args=[visit.child_id]),
        child_id=visit.child_id,
        overdue=bool(visit.follow_up_by and visit.follow_up_by < today),
    )


def _concerns(user, today):
    return Concern.objects.visible_to(user).untriaged().select_related("child").order_by("due_at")


def _concern_item(concern, today):
    return Item(
        title=concern.child.name,
        detail=_("%(kind)s: to be looked at by %(day)s")
        % {"kind": concern.get_kind_display(), "day": _day(concern.due_at.date())},
        url=concern.get_absolute_url(),
        child_id=concern.child_id,
        overdue=concern.due_at.date() < today,
    )


def _checkins(user, today):
    return (
        MonthlyCheckin.objects.filter(
            assignment__volunteer__user=user, status=MonthlyCheckin.Status.OPEN
        )
        .visible_to(user)
        .select_related("assignment__child")
        .order_by("month", "id")
    )


def _checkin_item(checkin, today):
    return Item(
        title=checkin.assignment.child.name,
        detail=_("This month's check-in (%(month)s)")
        % {"month": date_format(checkin.month, "YEAR_MONTH_FORMAT")},
        url=reverse("volunteers:my_checkin", args=[checkin.assignment_id]),
        child_id=checkin.assignment.child_id,
        overdue=checkin.month < today.replace(day=1),
    )


def _reunification_checks(user, today):
    return reunification.pending_for(user).filter(due_on__lte=today)


def _reunification_item(check, today):
    return Item(
        title=check.child.name,
        detail=_("Check %(months)d months after reunification, due %(day)s")
        % {"months": check.after_months, "day": _day(check.due_on)},
        url=reverse("reunification_check", args=[check.pk]),
        child_id=check.child_id,
        overdue=check.due_on < today,
    )


def _without_consent(user, today):
    return children_without_consent().visible_to(user).order_by("name", "pk")


def _consent_item(child, today):
    return Item(
        title=child.name,
        detail=_("No consent on file for keeping the file"),
        url=reverse("registry:consent_add", args=[child.pk]),
        child_id=child.pk,
    )


def _plan_actions(user, today):
    """Open case-plan actions this user owns, of children they still see, soonest first."""
    return (
        PlanAction.objects.open()
        .filter(owner_user=user, plan__closed_at__isnull=True)
        .visible_to(user)
        .select_related("plan__child")
        .order_by("due_on", "id")
    )


def _plan_action_item(action, today):
    child = action.plan.child
    return Item(
        title=child.name,
        detail=_("%(what)s, by %(day)s") % {"what": action.what[:60], "day": _day(action.due_on)},
        url=reverse("plans:plan_detail", args=[child.pk]),
        child_id=child.pk,
        overdue=action.due_on < today,
    )


SOURCES: list[Source] = [
    Source(
        "follow_ups",
        gettext_lazy("Home-visit follow-ups"),
        (Role.TEACHER,),  # the officials' dashboard counts the county's
        _follow_ups,
        _follow_up_item,
        lambda: reverse("programmes:follow_ups"),
    ),
    Source(
        "concerns",
        gettext_lazy("Concerns to look at"),
        (Role.OFFICIAL,),
        _concerns,
        _concern_item,
        lambda: reverse("casework:concern_list") + "?state=untriaged",
    ),
    Source(
        "checkins",
        gettext_lazy("Check-ins to do"),
        (Role.VOLUNTEER,),
        _checkins,
        _checkin_item,
        lambda: reverse("volunteers:my_children"),
    ),
    Source(
        "plan_actions",
        gettext_lazy("Case plan actions"),
        (Role.OFFICIAL, Role.TEACHER),
        _plan_actions,
        _plan_action_item,
    ),
    Source(
        "reunification_checks",
        gettext_lazy("Reunification checks"),
        (Role.TEACHER,),  # the teachers of the child's school; officials have the whole list
        _reunification_checks,
        _reunification_item,
        lambda: reverse("reunification_checks"),
    ),
    Source(
        "without_consent",
        gettext_lazy("Children without consent"),
        (Role.OFFICIAL,),
        _without_consent,
        _consent_item,
        lambda: reverse("registry:consent_missing"),
    ),
]


# Referrals to answer (a partner's; casework): their organisation's open referrals, by date.
def _referrals_to_answer(user, today):
    return (
        Referral.objects.for_partner(user).open().select_related("child").order_by("due_on", "pk")
    )


def _referral_item(referral, today):
    return Item(
        title=referral.child.name,
        detail=_("%(status)s: answer needed by %(day)s")
        % {"status": referral.get_status_display(), "day": _day(referral.due_on)},
        url=reverse("referrals:partner_referral", args=[referral.pk]),
        child_id=referral.child_id,
        overdue=referral.due_on < today,
    )


SOURCES.append(
    Source(
        "referrals_to_answer",
        gettext_lazy("Referrals to answer"),
        (Role.PARTNER,),
        _referrals_to_answer,
        _referral_item,
        lambda: reverse("referrals:partner_list"),
    )
)


def register(source: Source) -> None:
    """Add a kind of task (or replace the one with its key)."""
    SOURCES[:] = [s for s in SOURCES if s.key != source.key] + [source]


def sources_for(user) -> list[Source]:
    if not (user.is_authenticated and user.is_active):
        return []
    return [s for s in SOURCES if user.role in s.roles]


def due_for(user, today: datetime.date, *, limit: int = 5) -> list[Due]:
    """What is due for ``user``: each kind with its count and its first ``limit`` items."""
    found = []
    for source in sources_for(user):
        due = source.due(user, today)
        count = due.order_by()[: COUNT_LIMIT + 1].count()
        if not count:
            continue
        items = [source.item(obj, today) for obj in due[:limit]] if limit else []
        found.append(
            Due(
                key=source.key,
                label=str(source.label),
                count=count,
                items=items,
                list_url=source.list_url() if source.list_url else "",
            )
        )
    return found


def children_named(due: list[Due]) -> list[int]:
    """The children the list names, for the audit's VIEW event."""
    return [item.child_id for d in due for item in d.items if item.child_id]
