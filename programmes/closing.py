"""What the programmes app ends when a child's file leaves the active register, and restores
when an official reopens it (``registry.closure``, registered from ``ProgrammesConfig.ready()``).

- Enrolments: every open enrolment ends on the day of the status change (not before it began)
  and remembers the change (``Enrolment.closing``).
- Home-visit follow-ups still pending are *closed by the rule*, not rewritten: every follow-up
  list counts only children on the active register (``HomeVisit.objects.open_follow_ups``), so
  they leave the teachers' and the office's lists with the file, the visit keeps what was asked
  as history, and they come back if the file is reopened. The closing says how many there were.
- Restoring: each enrolment the closing ended goes on again (its end undone: the history keeps
  it), where the programme still runs at the child's school; the others are named. (Carers, by
  contrast, start new assignments: a carer's gap matters, a lunch programme's does not.)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import ngettext

from programmes.models import Enrolment, HomeVisit
from programmes.services import programmes as services
from registry import closure, transfers


def _pending_follow_ups(child) -> int:
    return (
        HomeVisit.objects.filter(child=child, follow_up_needed=True)
        .filter(~HomeVisit.objects.followed_up())
        .count()
    )


def close(*, child, change, by) -> list[closure.Ended]:
    ended = 0
    for enrolment in Enrolment.objects.filter(child=child, ends_on__isnull=True).order_by("pk"):
        services.end_enrolment(
            enrolment=enrolment, ends_on=max(enrolment.starts_on, change.date), by=by,
            closing=change,
        )  # fmt: skip
        ended += 1
    follow_ups = _pending_follow_ups(child)
    return [
        closure.Ended(
            "programmes.enrolments",
            ngettext("%(count)d enrolment ended", "%(count)d enrolments ended", ended)
            % {"count": ended},
            ended,
        ),
        closure.Ended(
            "programmes.follow_ups",
            ngettext(
                "%(count)d pending home-visit follow-up closed",
                "%(count)d pending home-visit follow-ups closed",
                follow_ups,
            )
            % {"count": follow_ups},
            follow_ups,
        ),
    ]


def restore(*, child, change, by) -> list[closure.Ended]:
    restarted, refused = 0, []
    for old in Enrolment.objects.filter(closing=change).select_related("programme"):
        try:
            with transaction.atomic():  # a savepoint: one refusal keeps the others
                services.resume_enrolment(enrolment=old, by=by)
        except ValidationError:
            refused.append(old.programme.name)
        else:
            restarted += 1
    follow_ups = _pending_follow_ups(child)
    return [
        closure.Ended(
            "programmes.enrolments",
            ngettext("%(count)d enrolment resumed", "%(count)d enrolments resumed", restarted)
            % {"count": restarted},
            restarted,
        ),  # fmt: skip
        closure.Ended(
            "programmes.enrolments_refused",
            ngettext(
                "%(count)d enrolment could not be resumed (%(names)s)",
                "%(count)d enrolments could not be resumed (%(names)s)",
                len(refused),
            )
            % {"count": len(refused), "names": "、".join(refused)},
            len(refused),
        ),
        closure.Ended(
            "programmes.follow_ups",
            ngettext(
                "%(count)d pending home-visit follow-up back on the list",
                "%(count)d pending home-visit follow-ups back on the list",
                follow_ups,
            )
            % {"count": follow_ups},
            follow_ups,
        ),
    ]


def last_home_visit(child) -> str:
    """The hand-over summary's last home visit (``registry.transfers.register_fact``)."""
    day = HomeVisit.objects.filter(child=child).order_by("-date").values_list("date", flat=True)
    return f"{day[0]:%Y-%m-%d}" if day else ""


def register() -> None:
    closure.register("programmes", close=close, restore=restore)
    transfers.register_fact("last_home_visit", last_home_visit)
