"""Reads that span models. Each owns its select_related/annotations so that a page costs the same
number of queries however much data there is; gaps and totals are computed in the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, NullIf, TruncDate

from programmes.models import (
    PARENT_CONTACT,
    Donation,
    Enrolment,
    FamilyCall,
    Handover,
    HomeVisit,
    ParentVisit,
    Programme,
)
from registry.models import Child, FamilyRoom, School

# The contact-gap lists the office keeps: no contact with a parent for this many days or more.
GAP_DAYS = (30, 90, 365)
# Stands for "never" inside the database (GREATEST ignores NULL on PostgreSQL, not on SQLite).
_NEVER = datetime.date(1900, 1, 1)


# --- Home visits -------------------------------------------------------------------------------


def open_follow_ups(user, *, today: datetime.date, due_only: bool = True) -> QuerySet:
    """Visits that asked for a follow-up which no later visit has made, for active children
    (the rule: ``HomeVisit.objects.open_follow_ups``), in ``user``'s scope, listed.

    ``due_only``: only those whose date has come (due today or overdue).
    """
    return (
        HomeVisit.objects.visible_to(user)
        .open_follow_ups(today=today, due_only=due_only)
        .select_related("child__school", "visitor")
        .order_by("follow_up_by", "child__name", "pk")
    )


def visit_queryset() -> QuerySet:
    return HomeVisit.objects.select_related(
        "child__school", "visitor", "created_by", "updated_by"
    ).annotate(followed_up=HomeVisit.objects.followed_up())


# --- Contact with parents ----------------------------------------------------------------------


def last_contact_expression(today: datetime.date):
    """The last day the child was in touch with a parent: a call with a parent, or a parent's
    visit home (up to today while the parent is still at home). NULL when none is recorded."""
    last_call = Subquery(
        FamilyCall.objects.filter(child=OuterRef("pk"), with_whom__in=PARENT_CONTACT)
        .order_by("-at")
        .annotate(day=TruncDate("at"))
        .values("day")[:1],
        output_field=DateField(),
    )
    last_visit = Subquery(
        ParentVisit.objects.filter(child=OuterRef("pk"), arrived_on__lte=today)
        .annotate(day=Coalesce("left_on", Value(today)))
        .order_by("-day")
        .values("day")[:1],
        output_field=DateField(),
    )
    never = Value(_NEVER, output_field=DateField())
    latest = Greatest(Coalesce(last_call, never), Coalesce(last_visit, never))
    # Back to NULL for "never": NULLIF(latest, 1900-01-01).
    return NullIf(latest, never, output_field=DateField())


def children_with_last_contact(user, *, today: datetime.date) -> QuerySet:
    """Active children in scope, with ``last_contact``: the cached column that the contact
    services keep (see ``services.contact.refresh_last_contact``), so that the lists and counts
    read one indexed column instead of searching every child's calls."""
    return (
        Child.objects.visible_to(user).active().annotate(last_contact=F("last_parent_contact_on"))
    )


def gap_filter(days: int, today: datetime.date, field: str = "last_contact") -> Q:
    """No contact for ``days`` days or more: the last contact (``field``: the computed
    ``last_contact``, or the child's cached ``last_parent_contact_on``) was that long ago, or
    never."""
    return Q(**{f"{field}__lte": today - datetime.timedelta(days=days)}) | Q(
        **{f"{field}__isnull": True}
    )


def gap_filters(today: datetime.date, field: str = "last_parent_contact_on") -> dict[int, Q]:
    """{30: Q, 90: Q, 365: Q}: the office's contact gaps (``GAP_DAYS``) as filters on a child's
    last contact (the cached column by default), for counting every gap in one pass."""
    return {d: gap_filter(d, today, field) for d in GAP_DAYS}


def contact_gap(user, *, days: int, today: datetime.date) -> QuerySet:
    """Active children with no contact with a parent for ``days`` days or more, longest first."""
    return (
        children_with_last_contact(user, today=today)
        .filter(gap_filter(days, today))
        .select_related("school", "village__town")
        .order_by(F("last_contact").asc(nulls_first=True), "name", "pk")
    )


def contact_gap_counts(user, *, today: datetime.date) -> dict[int, int]:
    """{30: n, 90: n, 365: n} in one pass over the children."""
    figures = children_with_last_contact(user, today=today).aggregate(
        **{f"d{d}": Count("pk", filter=q) for d, q in gap_filters(today, "last_contact").items()}
    )
    return {d: figures[f"d{d}"] for d in GAP_DAYS}


# --- Family rooms ------------------------------------------------------------------------------


def rooms_for(user) -> QuerySet:
    """Family rooms in use at the schools ``user`` may see."""
    return (
        FamilyRoom.objects.filter(active=True, school__in=School.objects.visible_to(user))
        .select_related("school")
        .order_by("school__name", "kind", "pk")
    )


# --- The personal file's card ------------------------------------------------------------------


def child_summary(child: Child, *, today: datetime.date) -> dict:
    """Last visit, open follow-up, last contact, donations received: one query."""
    latest_visit = HomeVisit.objects.filter(child=OuterRef("pk")).order_by("-date", "-pk")
    received = (
        Handover.objects.filter(child=OuterRef("pk"))
        .order_by()
        .values("child")
        .annotate(total=Sum("value"))
        .values("total")
    )
    row = (
        Child.objects.filter(pk=child.pk)
        .annotate(
            last_visit=Subquery(latest_visit.values("date")[:1]),
            follow_up_by=Subquery(latest_visit.values("follow_up_by")[:1]),
            last_contact=last_contact_expression(today),
            received=Coalesce(
                Subquery(received, output_field=DecimalField(max_digits=12, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .values("last_visit", "follow_up_by", "last_contact", "received")
        .get()
    )
    row["days_since_contact"] = (
        (today - row["last_contact"]).days if row["last_contact"] is not None else None
    )
    return row


def current_enrolments(child: Child) -> QuerySet:
    return (
        Enrolment.objects.filter(child=child, ends_on__isnull=True)
        .select_related("programme")
        .order_by("programme__name")
    )


# --- Programmes --------------------------------------------------------------------------------


def programmes_with_counts() -> QuerySet:
    return Programme.objects.annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__ends_on__isnull=True), distinct=True)
    ).order_by("-starts_on", "name")


def programme_children_filter(programme: Programme) -> Q:
    """Children of the schools where ``programme`` runs (its schools, the schools of its towns,
    or the whole county when it names neither). Evaluates the two small lists of ids."""
    school_ids = list(programme.schools.values_list("pk", flat=True))
    town_ids = list(programme.towns.values_list("pk", flat=True))
    if not school_ids and not town_ids:
        return Q(county=programme.county_id)
    return Q(school__in=school_ids) | Q(school__town__in=town_ids)


def enrolment_candidates(programme: Programme, children: QuerySet, *, starts_on) -> QuerySet:
    """Active children of ``children`` where the programme runs, not enrolled on ``starts_on``."""
    overlapping = Enrolment.objects.filter(programme=programme, child=OuterRef("pk")).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    return (
        children.active().filter(programme_children_filter(programme)).filter(~Exists(overlapping))
    )


def enrolled_on(programme: Programme, day) -> QuerySet:
    """The children enrolled in ``programme`` on ``day`` (for a session's attendance)."""
    enrolment = Enrolment.objects.filter(
        child=OuterRef("pk"), programme=programme, starts_on__lte=day
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    return (
        Child.objects.filter(Exists(enrolment))
        .select_related("school")
        .order_by("school__name", "name", "pk")
    )


# --- Donations ---------------------------------------------------------------------------------


def donations_for_list(*, open_only: bool = False) -> QuerySet:
    qs = Donation.objects.with_traced().select_related("school", "programme")
    if open_only:
        qs = qs.filter(traced__lt=F("value"))
    return qs.order_by("-date", "-pk")


def donation_handovers(donation: Donation) -> QuerySet:
    return donation.handovers.select_related("child__school", "school", "created_by").order_by(
        "-handed_over_on", "-pk"
    )


def child_received(child: Child) -> dict:
    """What a child has received: handovers of donations and programme enrolments."""
    return {
        "handovers": list(
            Handover.objects.filter(child=child)
            .select_related("donation", "created_by")
            .order_by("-handed_over_on", "-pk")
        ),
        "enrolments": list(
            Enrolment.objects.filter(child=child)
            .select_related("programme")
            .order_by("-starts_on", "-pk")
        ),
    }
