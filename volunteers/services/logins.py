"""A volunteer's own login: an account with the volunteer role, linked to their record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core import accounts
from lbc_office.core.models import Role
from lbc_office.core.services import save_tracked
from volunteers.models import Volunteer


@transaction.atomic
def create_volunteer_login(*, by, volunteer: Volunteer, username: str, phone: str = "",
                           email: str = ""):  # fmt: skip
    """Create the login and link it to ``volunteer`` in one transaction.

    Returns (user, temporary password). Two audit events: the account's creation
    (``lbc_office.core.accounts``) and the volunteer record's change (``save_tracked``).
    """
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.user_id is not None:
        raise ValidationError({"volunteer": _("This volunteer already has a login.")})
    if not volunteer.active:
        raise ValidationError({"volunteer": _("This volunteer is no longer active.")})
    user, password = accounts.create_account(
        by=by, username=username, role=Role.VOLUNTEER, full_name=volunteer.name,
        phone=phone or volunteer.phone, email=email or volunteer.email,
        county_code=volunteer.county.code,  # the login works in its volunteer's county
    )  # fmt: skip
    save_tracked(volunteer, by=by, fields={"user": user}, update_fields=["user"])
    return user, password
