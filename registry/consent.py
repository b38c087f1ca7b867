"""The guardian's consent: recording it, an official's override, and who still lacks it.

- ``record_consent`` — what a guardian agreed to, on a date (officials, and teachers for the
  children of their schools). Withdrawing consent is a new record with the boxes unticked.
- ``record_consent_override`` — an official keeps a file without the guardian's consent and
  says why (the guardian cannot be reached, the parents are away…). It covers keeping the file
  only; sharing with volunteers and photos need a guardian's consent.
- ``record_sharing_override`` / ``end_sharing_override`` — an official lets the child's
  volunteers see the file although sharing is not consented, for a reason and until a date
  (at most ``SHARING_OVERRIDE_MAX_DAYS`` ahead); ``registry.access`` enforces it.
- ``latest_consent`` / ``children_without_consent`` — reads: the latest record counts.

Records are never changed or deleted, and nothing is recorded in an anonymised file.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.core.services import save_tracked
from registry import access, file_sections, history
from registry.models import Child, ConsentOverride, ConsentRecord

CONSENT_FIELDS = frozenset(
    {
        "date",
        "guardian_name",
        "guardian_relation",
        "keep_file",
        "share_with_volunteers",
        "photos",
        "notes",
    }
)


def _check_file_open(child: Child) -> None:
    if child.anonymised_at is not None:
        raise ValidationError(_("This file has been anonymised: nothing more is recorded in it."))


@transaction.atomic
def record_consent(*, child: Child, by, **fields) -> ConsentRecord:
    """A guardian's consent (or its withdrawal: every box unticked), as of ``date``."""
    unknown = set(fields) - CONSENT_FIELDS
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    if not access.can_edit_children(by):
        raise ValidationError(_("Only county officials and teachers record consent."))
    _check_file_open(child)
    fields["guardian_name"] = (fields.get("guardian_name") or "").strip()
    fields["notes"] = (fields.get("notes") or "").strip()
    record = ConsentRecord(child=child, county_id=child.county_id, override_reason="")
    return save_tracked(record, by=by, fields=fields)


@transaction.atomic
def record_consent_override(*, child: Child, by, reason: str) -> ConsentRecord:
    """An official keeps the file without the guardian's consent, today, for ``reason``."""
    if not getattr(by, "is_official", False):
        raise ValidationError({"reason": _("Only a county official may record an override.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the file is kept without consent.")})
    _check_file_open(child)
    record = ConsentRecord(
        child=child,
        county_id=child.county_id,
        date=timezone.localdate(),
        keep_file=True,
        override_reason=reason,
    )
    return save_tracked(record, by=by)


# How far ahead a sharing override may run: it is a stop-gap while the guardian is asked again.
SHARING_OVERRIDE_MAX_DAYS = 92


@transaction.atomic
def record_sharing_override(*, child: Child, by, reason: str, valid_until) -> ConsentOverride:
    """An official lets the child's volunteers see the file until ``valid_until`` (inclusive),
    although the guardian's consent to share does not stand, and says why. Audited."""
    errors: dict = {}
    if not getattr(by, "is_official", False):
        raise ValidationError({"reason": _("Only a county official may record an override.")})
    _check_file_open(child)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why volunteers may see the file without the guardian's consent.")
    today = timezone.localdate()
    if valid_until is None or valid_until < today:
        errors["valid_until"] = _("The override must run until today or a later day.")
    elif (valid_until - today).days > SHARING_OVERRIDE_MAX_DAYS:
        errors["valid_until"] = _(
            "An override runs for at most %(days)d days: ask the guardian again meanwhile."
        ) % {"days": SHARING_OVERRIDE_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    override = ConsentOverride(
        child=child,
        county_id=child.county_id,
        covers=ConsentOverride.Covers.SHARE_WITH_VOLUNTEERS,
        reason=reason,
        valid_until=valid_until,
    )
    return save_tracked(override, by=by)


@transaction.atomic
def end_sharing_override(*, override: ConsentOverride, by) -> ConsentOverride:
    """End an override today: the volunteers lose the file on their next request. Audited."""
    if not getattr(by, "is_official", False):
        raise ValidationError(_("Only a county official may end an override."))
    override = ConsentOverride.objects.select_for_update().get(pk=override.pk)
    today = timezone.localdate()
    if not override.applies_on(today):
        raise ValidationError(_("This override no longer applies."))
    return save_tracked(override, by=by, fields={"ended_on": today}, update_fields=["ended_on"])


def current_sharing_override(child: Child) -> ConsentOverride | None:
    """The override letting volunteers see ``child``'s file today, if any (one query)."""
    today = timezone.localdate()
    return (
        ConsentOverride.objects.filter(
            child=child,
            covers=ConsentOverride.Covers.SHARE_WITH_VOLUNTEERS,
            valid_until__gte=today,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .select_related("created_by")
        .order_by("-valid_until", "-id")
        .first()
    )


# --- Reads ----------------------------------------------------------------------------------


def latest_consent(child: Child) -> ConsentRecord | None:
    """The record that counts for ``child`` (one query)."""
    return ConsentRecord.objects.filter(child=child).select_related("created_by").first()


def children_without_consent() -> QuerySet:
    """Active children whose latest record does not cover keeping the file (or who have none),
    annotated with ``consent_on``: the date of that latest record, if any."""
    latest = ConsentRecord.objects.filter(child=OuterRef("pk")).order_by("-date", "-id")
    return (
        Child.objects.active()
        .annotate(
            consent_on=Subquery(latest.values("date")[:1]),
            file_covered=Subquery(latest.values("keep_file")[:1]),
        )
        .filter(Q(file_covered__isnull=True) | Q(file_covered=False))
    )


# --- The card on the personal file ----------------------------------------------------------


def consent_section(request, child) -> dict:
    """The latest record and what it covers (one query), with the buttons this user gets."""
    latest = latest_consent(child)
    user = request.user
    open_file = child.anonymised_at is None
    # Sharing with volunteers does not stand: say whether an override lets them in (one more
    # query, only for such a file).
    withheld = latest is not None and not latest.shares_with_volunteers
    override = current_sharing_override(child) if withheld else None
    return {
        "child": child,
        "latest": latest,
        "covered": latest is not None and latest.keep_file,
        "sharing_withheld": withheld,
        "sharing_override": override,
        "can_record": open_file and access.can_edit_children(user),
        "can_override": open_file and getattr(user, "is_official", False),
    }


def register() -> None:
    """Called from ``RegistryConfig.ready()``."""
    history.register(ConsentRecord)
    history.register(ConsentOverride)
    file_sections.register_section(
        file_sections.Section(
            key="registry.consent",
            template="registry/_consent_card.html",
            context=consent_section,
            order=20,
        )
    )
