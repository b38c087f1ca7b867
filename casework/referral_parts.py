"""What referrals add to a child's personal file: the referrals card, the "refer" button, and
each step of a referral on the timeline (registry's extension points)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import panels
from casework.models import Referral, ReferralUpdate
from registry import file_sections, timeline

SHOWN_ON_FILE = 10


def register() -> None:
    file_sections.register_action(
        file_sections.Action(
            key="casework.refer",
            label=gettext_lazy("Refer to an organisation"),
            url_name="referrals:refer_child",
            icon="send",
            allowed=lambda user, child: user.is_official and child.status == "active",
            order=60,
        )
    )
    file_sections.register_section(
        file_sections.Section(
            key="casework.referrals",
            template="casework/referrals/_file_section.html",
            context=referrals_section,
            order=30,
        )
    )
    timeline.register(referral_events)
    panels.register(
        panels.Panel(
            key="casework.refer",
            template="casework/referrals/_concern_refer.html",
            context=refer_panel,
            order=50,
        )  # fmt: skip
    )


def refer_panel(request, concern) -> dict | None:
    """On an open concern's page, the officials' button to refer it (no query)."""
    if not (request.user.is_official and concern.is_open):
        return None
    return {"concern": concern}


def referrals_section(request, child) -> dict | None:
    """The child's latest referrals (officials, and the teachers of the child's school, read
    only): one query. Nobody else reaches the file anyway."""
    user = request.user
    if not (user.is_official or user.is_teacher):
        return None
    referrals = list(
        Referral.objects.filter(child=child)
        .select_related("agency")
        .order_by("-sent_at", "-pk")[:SHOWN_ON_FILE]
    )
    return {"referrals": referrals, "can_refer": user.is_official, "child_pk": child.pk}


def referral_events(child, limit: int) -> list[timeline.TimelineEvent]:
    """Each step of the child's referrals: sent, accepted, declined, in progress, done,
    withdrawn (one query)."""
    rows = (
        ReferralUpdate.objects.filter(referral__child=child)
        .select_related("referral__agency", "by")
        .order_by("-at", "-id")[:limit]
    )
    return [
        timeline.TimelineEvent(
            date=timezone.localdate(u.at),
            kind="referral",
            title=_("Referral to %(agency)s: %(status)s")
            % {"agency": u.referral.agency.name, "status": u.get_status_display()},
            detail=u.feedback or (u.referral.asked if u.status == "sent" else ""),
            by=str(u.by),
            url=u.referral.get_absolute_url(),
            order=u.at.timestamp(),
        )
        for u in rows
    ]
