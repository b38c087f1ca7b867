"""Reads of the referral screens, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from casework.models import Referral, ReferralUpdate
from casework.models.referrals import OPEN
from registry.models import Guardian

# Never even read for a partner's page: the identity number and the file's free text.
NEVER_TO_PARTNERS = ("child__id_number", "child__notes", "child__wishes", "concern__description")


def _open_first(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        finished=Case(When(status__in=OPEN, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    ).order_by("finished", "due_on", "pk")  # fmt: skip


def referral_list(user) -> QuerySet:
    """The officials' list: open first, the oldest date first."""
    queryset = Referral.objects.visible_to(user).select_related(
        "agency", "child__village__town", "sent_by"
    )
    return _open_first(queryset)


def partner_referrals(user) -> QuerySet:
    """A partner's list: their organisation's referrals, open first (the child's name and
    town only)."""
    queryset = Referral.objects.for_partner(user).select_related("agency", "child__village__town")
    return _open_first(queryset.defer(*NEVER_TO_PARTNERS))


def _updates():
    return Prefetch("updates", ReferralUpdate.objects.select_related("by").order_by("at", "id"))


def referral_page(queryset: QuerySet) -> QuerySet:
    """One referral with its steps, its child's place, school and concern."""
    return queryset.select_related(
        "agency", "concern", "sent_by", "child__village__town", "child__school"
    ).prefetch_related(_updates())


def partner_page(queryset: QuerySet) -> QuerySet:
    """One referral as its partner sees it: the least of the child's file (name, age, town,
    guardian and their phone) — the guardians' rows, nothing else of the file."""
    guardians = Guardian.objects.only("id", "child_id", "name", "relation", "phone")
    return (
        queryset.select_related("agency", "concern", "sent_by", "child__village__town")
        .defer(*NEVER_TO_PARTNERS)
        .prefetch_related(_updates(), Prefetch("child__guardians", guardians))
    )
