"""Setting up an official's second factor: enrolment codes and recovery codes (ground floor).

The password alone never enrols: an official without an authenticator first enters a one-time
enrolment code that another official issued (``issue_enrolment_code``; for the first official,
``manage.py issue_enrolment_code``). Only then is the authenticator's key shown; confirming it
with a first code issues ten single-use recovery codes (django-otp's ``otp_static``), shown once.

Every step is one service: it checks, writes and audits in one transaction.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core import audit
from lbc_office.core.models import EnrolmentCode, User

# 32 letters and digits that cannot be mistaken for one another (no 0/O, 1/I): 12 of them are
# 60 bits, far beyond guessing in the few tries a code allows.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
# Wrong tries after which a code is revoked (a new one must be issued).
MAX_FAILURES = 5
RECOVERY_CODES = 10


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def live_code(user) -> EnrolmentCode | None:
    """The code ``user`` may still use, if any."""
    return (
        EnrolmentCode.objects.filter(
            user=user, used_at=None, revoked_at=None, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


# What ``accounts`` records when it gives an account a password someone else knows.
_TEMPORARY_PASSWORD_EVENTS = ("temporary password set", "account created")


def gave_temporary_password(*, by, user) -> bool:
    """Whether ``by`` gave ``user`` the temporary password ``user`` has not yet changed (the
    latest such event in the audit log is ``by``'s)."""
    if by is None or not user.must_change_password:
        return False
    from django.db.models import Q

    from lbc_office.core.models import AuditEvent

    wanted = Q(detail=_TEMPORARY_PASSWORD_EVENTS[0]) | Q(
        detail__startswith=_TEMPORARY_PASSWORD_EVENTS[1]
    )
    last = (
        AuditEvent.objects.filter(
            wanted, object_type=User._meta.label_lower, object_id=str(user.pk)
        )
        .order_by("-id")
        .values_list("user_id", flat=True)
        .first()
    )
    return last == by.pk


def issue_enrolment_code(*, user, by) -> str:
    """Issue ``user`` (an official without an authenticator) a one-time enrolment code.

    ``by`` is the official issuing it, never ``user``; ``None`` only from ``manage.py``. Returns
    the code, to be shown once: only its hash is kept. Earlier unused codes are revoked.
    """
    if by is not None and (not by.is_official or by.pk == user.pk):
        raise ValidationError(_("An official cannot issue an enrolment code for themselves."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_official:
            raise ValidationError(_("Only an active county official needs an enrolment code."))
        if has_authenticator(user):
            raise ValidationError(
                _("This official has already set up two-step sign-in: reset it first.")
            )
        # Two people, not one: whoever knows the temporary password must not also hold the
        # code, or they alone could sign in and enrol as this official.
        if gave_temporary_password(by=by, user=user):
            raise ValidationError(
                _(
                    "You gave this official their temporary password: another official "
                    "(or manage.py issue_enrolment_code) must issue the enrolment code."
                )
            )
        now = timezone.now()
        EnrolmentCode.objects.filter(user=user, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        row = EnrolmentCode(
            user=user,
            issued_by=by,
            code_hash=make_password(code),
            expires_at=now + datetime.timedelta(hours=settings.ENROLMENT_CODE_HOURS),
        )
        row.full_clean()
        row.save()
        audit.record(
            audit.Action.ENROLMENT_ISSUED,
            user=by,
            username="" if by is not None else "manage.py",
            obj=user,
            detail=f"code {row.pk}, valid until {row.expires_at:%Y-%m-%d %H:%M} UTC",
        )
    return _grouped(code)


def redeem_enrolment_code(*, user, code: str) -> bool:
    """Use ``user``'s enrolment code: True once, for the right code within its validity.

    A wrong code counts against the live one (revoked after ``MAX_FAILURES``) and is audited as
    a failed sign-in; the right one is spent, and any authenticator key made before is dropped.
    """
    with transaction.atomic():
        row = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at=None, revoked_at=None, expires_at__gt=timezone.now())
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or not check_password(_normalise(code), row.code_hash):
            if row is not None:
                row.failures += 1
                if row.failures >= MAX_FAILURES:
                    row.revoked_at = timezone.now()
                row.save(update_fields=["failures", "revoked_at"])
            audit.record(
                audit.Action.LOGIN_FAILED, user=user, obj=user, detail="wrong enrolment code"
            )
            return False
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit.record(audit.Action.ENROLMENT_USED, user=user, obj=user, detail=f"code {row.pk}")
    return True


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up (after a redeemed code): one per user until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def complete_enrolment(*, user, device: TOTPDevice) -> list[str]:
    """Confirm ``device`` (its first code was right) and issue the recovery codes.

    Returns the recovery codes, to be shown once; any earlier ones stop working.
    """
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=t) for t in tokens)
        audit.record(audit.Action.ENROLLED, user=user, obj=user)
    return [_grouped(token) for token in tokens]


def use_recovery_code(*, user, code: str) -> StaticDevice | None:
    """The recovery device if ``code`` is one of ``user``'s unused recovery codes (it is then
    spent); None otherwise, or while too many wrong codes slow the device down."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    with transaction.atomic():
        if not device.verify_token(_normalise(code).lower()):
            return None
        left = device.token_set.count()
        audit.record(
            audit.Action.RECOVERY_USED, user=user, obj=user, detail=f"{left} recovery codes left"
        )
    return device
