"""Donations and their handovers to final recipients. A donation is never traced beyond its
value: the check runs under a lock on the donation row, so two clerks recording handovers at the
same moment cannot both spend the same yuan."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from lbc_office.core.services import save_tracked
from programmes import selectors
from programmes.models import Donation, Enrolment, Handover
from programmes.models.donations import ONE_FEN
from registry.models import Child, School


@transaction.atomic
def save_donation(*, donation: Donation, by, **fields) -> Donation:
    """Create or correct a donation. Its value cannot drop below what is already handed over."""
    if donation.pk is not None and "value" in fields and fields["value"] is not None:
        traced = _traced(donation)
        if fields["value"] < traced:
            message = _("%(traced)s yuan of it are already handed over: the value cannot be less.")
            raise ValidationError({"value": message % {"traced": _yuan(traced)}})
    return save_tracked(donation, by=by, fields=fields)


def _traced(donation: Donation) -> Decimal:
    """Yuan handed over so far, to the fen (SQLite sums decimals as floats)."""
    total = donation.handovers.aggregate(total=Sum("value"))["total"] or Decimal("0")
    return Decimal(total).quantize(ONE_FEN)


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _check_recipients(donation: Donation, children: list[Child], schools: list[School]) -> None:
    """Recipients must fit where the donation was given: that school's children (or the school),
    the programme's enrolled children (or its schools), or named children only."""
    D = Donation.Destination
    if donation.destination == D.SCHOOL:
        others = [c.name for c in children if c.school_id != donation.school_id]
        outside = others + [s.name for s in schools if s.pk != donation.school_id]
        if outside:
            message = _(
                "The donation was given to %(school)s: hand it to that school's children or to "
                "the school itself. Not there: %(names)s."
            )
            names = "、".join(outside)
            raise ValidationError(
                {"recipients": message % {"school": donation.school, "names": names}}
            )
    elif donation.destination == D.PROGRAMME:
        enrolled = set(
            Enrolment.objects.filter(
                programme=donation.programme_id, child__in=[c.pk for c in children]
            ).values_list("child_id", flat=True)
        )
        others = [c.name for c in children if c.pk not in enrolled]
        if others:
            message = _("Not enrolled in %(programme)s: %(names)s.")
            names = "、".join(others)
            raise ValidationError(
                {"recipients": message % {"programme": donation.programme, "names": names}}
            )
        if schools:
            where = selectors.programme_children_filter(donation.programme)
            running = set(
                Child.objects.filter(where).values_list("school_id", flat=True).distinct()
            )
            outside = [s.name for s in schools if s.pk not in running]
            if outside:
                message = _("%(programme)s does not run at %(names)s.")
                names = "、".join(outside)
                raise ValidationError(
                    {"recipients": message % {"programme": donation.programme, "names": names}}
                )
    elif schools:
        raise ValidationError(
            {"recipients": _("The donation was given to named children: hand it to children.")}
        )


@transaction.atomic
def record_handovers(
    *,
    donation: Donation,
    children: list[Child] = (),
    schools: list[School] = (),
    value_each: Decimal,
    handed_over_on: datetime.date,
    confirmed_by: str,
    items: str = "",
    by,
) -> list[Handover]:
    """Hand ``value_each`` yuan of ``donation`` to each recipient; never beyond its value."""
    children, schools = list(children), list(schools)
    if not children and not schools:
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    _check_recipients(donation, children, schools)
    if value_each is not None and value_each > 0:
        count = len(children) + len(schools)
        remaining = donation.value - _traced(donation)
        total = value_each * count
        if total > remaining:
            message = _(
                "These %(count)d handovers add up to %(total)s yuan, but only %(remaining)s yuan "
                "of the donation are not yet handed over."
            )
            figures = {"count": count, "total": _yuan(total), "remaining": _yuan(remaining)}
            raise ValidationError({"value": message % figures})
    fields = {
        "value": value_each,
        "handed_over_on": handed_over_on,
        "confirmed_by": (confirmed_by or "").strip(),
        "items": items,
    }
    made = []
    for recipient in [*children, *schools]:
        handover = Handover(donation=donation, county_id=donation.county_id)
        if isinstance(recipient, Child):
            handover.child = recipient
        else:
            handover.school = recipient
        made.append(save_tracked(handover, by=by, fields=fields))
    return made
