"""The joint conference's organisations as data, and their partner logins (officials only).

An organisation is added, changed and (de)activated here; a partner login is an account with
the partner role (``lbc_office.core.accounts``) linked to one organisation by a ``Liaison``.
Each write checks who asks, validates, saves in one transaction and is audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework.models import Agency, Liaison
from casework.models.referrals import OPEN
from lbc_office.core import accounts, audit
from lbc_office.core.models import Role, User
from lbc_office.core.services import save_tracked

AGENCY_FIELDS = ("county", "name", "kind", "contact_name", "phone")


def require_official(by) -> None:
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only a county official does this")


@transaction.atomic
def save_agency(*, agency: Agency, by, **fields) -> Agency:
    """Add or change an organisation (name, kind, contact); not its active flag."""
    require_official(by)
    unknown = set(fields) - set(AGENCY_FIELDS)
    if unknown:
        raise ValidationError(_("These fields are not changed here: %s") % ", ".join(unknown))
    if agency.pk:  # the same form again: nothing to record (compared with the stored row)
        stored = Agency.objects.select_for_update().get(pk=agency.pk)
        if all(getattr(stored, k) == v for k, v in fields.items()):
            return stored
    return save_tracked(agency, by=by, fields=fields)


@transaction.atomic
def set_agency_active(*, agency: Agency, by, active: bool) -> Agency:
    """Deactivate (no new referrals, its logins see nothing) or reactivate an organisation.

    An organisation with open referrals is not deactivated: the office withdraws them or
    records their answers first, so that no child's referral is left with nobody to act.
    """
    require_official(by)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if agency.active == bool(active):
        return agency
    if not active:
        waiting = agency.referrals.filter(status__in=OPEN).count()
        if waiting:
            raise ValidationError(
                {
                    "active": _(
                        "This organisation has %(n)s open referrals: withdraw them or record "
                        "their answers first."
                    )
                    % {"n": waiting}
                }
            )
    return save_tracked(agency, by=by, fields={"active": bool(active)}, update_fields=["active"])


@transaction.atomic
def create_partner_login(
    *,
    by,
    agency: Agency,
    username: str,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    county_code: str | None = None,
) -> tuple[User, str]:
    """A partner login acting for ``agency``; returns it and its temporary password (shown
    once). Partners sign in with a password, like teachers (docs/SECURITY.md). Its county is
    the creator's unless a municipal official places it (``accounts.create_account``)."""
    require_official(by)
    if agency is None or not agency.active:
        raise ValidationError({"agency": _("Choose an active organisation.")})
    user, password = accounts.create_account(
        by=by, username=username, role=Role.PARTNER, full_name=full_name, phone=phone,
        email=email, county_code=county_code,
    )  # fmt: skip
    save_tracked(Liaison(user=user, agency=agency), by=by)
    return user, password


@transaction.atomic
def set_liaison(*, user: User, by, agency: Agency) -> Liaison:
    """Move a partner login to another organisation (or link one that has none)."""
    require_official(by)
    if user.role != Role.PARTNER:
        raise ValidationError({"agency": _("Only a partner login acts for an organisation.")})
    if agency is None or not agency.active:
        raise ValidationError({"agency": _("Choose an active organisation.")})
    liaison = Liaison.objects.select_for_update().filter(user=user).first()
    if liaison is None:
        return save_tracked(Liaison(user=user, agency=agency), by=by)
    if liaison.agency_id == agency.pk:
        return liaison
    old = liaison.agency_id
    save_tracked(liaison, by=by, fields={"agency": agency}, update_fields=["agency"])
    audit.record(
        audit.Action.CHANGE, user=by, obj=user, detail=f"partner organisation {old} -> {agency.pk}"
    )
    return liaison


def agency_of(user) -> Agency | None:
    """The organisation a partner login acts for (None without a liaison)."""
    liaison = Liaison.objects.select_related("agency").filter(user=user).first()
    return liaison.agency if liaison else None
