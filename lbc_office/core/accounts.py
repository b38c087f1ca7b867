"""Who may sign in, and as what: the one write path for accounts (ground floor).

Every change of who may see what goes through one function here — create an account, change
its role, (de)activate it, give it a temporary password, reset its second factor — and each
checks who asks, validates, writes and records one audit event in the same transaction. The
admin and the officials' account screens call these; nothing else writes ``role``,
``is_active`` or a password for someone else. (A teacher's schools live in the register:
``registry.services.set_teacher_schools``; a volunteer's login in ``volunteers.services``.)

This module imports none of our apps. Where a role change would strand a record of an app (a
teacher's school links, a volunteer's record), it asks through the user's reverse relations.
Audit events name the account and what changed, never a password or a secret.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.models import Role, User

# No 0/O, 1/l/I: a temporary password is read aloud or copied from a screen to a phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 12
EDITABLE_DETAILS = ("full_name", "phone", "email")


def temporary_password() -> str:
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        # At least one letter and one digit: never all digits, never a dictionary word.
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


# Only an active official changes an account, and never their own role or active flag: so
# whoever demotes or deactivates an official is another active official, and the county always
# keeps one.
def _require_official(by) -> None:
    if by is None or not getattr(by, "is_official", False):
        raise PermissionDenied("only an active county official manages accounts")


def _require_manager(by, user: User) -> None:
    """An official manages the accounts of their own county; a municipal official (of the
    city) manages every account. Another county's account is refused like a missing one."""
    _require_official(by)
    if by.county_code and user.county_code != by.county_code:
        raise PermissionDenied("an official manages the accounts of their own county")


def _locked(user: User) -> User:
    """The account's row, locked for the transaction, so that two officials' changes queue."""
    return User.objects.select_for_update().get(pk=user.pk)


def _record(by, user: User, action: str, detail: str) -> None:
    audit.record(action, user=by, obj=user, detail=detail)


def check_role_change(*, user: User, role: str, by) -> None:
    """Raise ValidationError when ``user`` may not take ``role`` now (the admin's form asks too)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if role == user.role:
        return
    if user.pk == getattr(by, "pk", None):
        raise ValidationError({"role": _("You cannot change your own role.")})
    # What the register and the volunteers app hang on the account requires its role: ask them
    # to be unlinked first rather than leave a teacher link on a volunteer, or the reverse.
    teacher = getattr(user, "teacher", None) if user.role == Role.TEACHER else None
    if teacher is not None and teacher.schools.exists():
        raise ValidationError(
            {"role": _("Unlink this teacher from their schools before changing the role.")}
        )
    if user.role == Role.VOLUNTEER and getattr(user, "volunteer", None) is not None:
        raise ValidationError(
            {"role": _("Unlink this login from its volunteer record before changing the role.")}
        )
    if user.role == Role.PARTNER and getattr(user, "liaison", None) is not None:
        # A partner's organisation link (casework): a teacher must not inherit it.
        raise ValidationError(
            {"role": _("A partner login acts for an organisation: make a new account instead.")}
        )


def check_active_change(*, user: User, active: bool, by) -> None:
    if active or not user.is_active:
        return
    if user.pk == getattr(by, "pk", None):
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})


@transaction.atomic
def create_account(
    *,
    by,
    username: str,
    role: str,
    full_name: str = "",
    phone: str = "",
    email: str = "",
    password: str | None = None,
    county_code: str | None = None,
) -> tuple[User, str]:
    """A new account with ``role``; returns it and its temporary password (shown once).

    The password is generated unless given (the admin's add form); either way the person must
    choose their own at their first sign-in.
    """
    _require_official(by)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    username = (username or "").strip()
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    # The account's county: the creator's own unless a municipal official places it (empty
    # for the city). A county official cannot make an account of another county or the city.
    county_code = by.county_code if county_code is None else county_code
    if by.county_code and county_code != by.county_code:
        raise PermissionDenied("an official makes accounts in their own county")
    password = password or temporary_password()
    user = User(
        username=username, role=role, full_name=full_name, phone=phone, email=email,
        must_change_password=True, county_code=county_code,
    )  # fmt: skip
    user.set_password(password)
    user.full_clean()
    user.save()
    _record(by, user, audit.Action.CREATE, f"account created, role {role}")
    return user, password


@transaction.atomic
def update_details(*, user: User, by, **fields) -> User:
    """Name, phone and e-mail: what says who the person is, not what they may see."""
    _require_manager(by, user)
    unknown = set(fields) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValidationError(_("These fields are not changed here: %s") % ", ".join(unknown))
    user = _locked(user)
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    if not changed:
        return user
    for name in changed:
        setattr(user, name, fields[name])
    user.full_clean()
    user.save(update_fields=changed)
    _record(by, user, audit.Action.CHANGE, "details: " + ", ".join(sorted(changed)))
    return user


@transaction.atomic
def change_role(*, user: User, role: str, by) -> User:
    """Give ``user`` another role. Changing to the same role does nothing and records nothing."""
    _require_manager(by, user)
    user = _locked(user)
    check_role_change(user=user, role=role, by=by)
    if role == user.role:
        return user
    old = user.role
    user.role = role
    user.full_clean()
    user.save(update_fields=["role"])
    _record(by, user, audit.Action.CHANGE, f"role {old} -> {role}")
    return user


@transaction.atomic
def change_county(*, user: User, county_code: str, by) -> User:
    """Move ``user`` to another county, or to the city (``""``): a municipal official's act,
    never a county official's (who would hand their account away or take another county's).

    What the account reaches in its county must go first: a teacher's schools (a teacher works
    in the county of their schools) and a volunteer's record (kept by its county). The code is
    one of the counties' (the form offers them; the ground floor knows no county model).
    Changing to the same county does nothing and records nothing.
    """
    _require_official(by)
    if by.county_code:
        raise PermissionDenied("only a municipal official moves an account between counties")
    county_code = (county_code or "").strip()
    if county_code and not (len(county_code) == 6 and county_code.isdigit()):
        raise ValidationError({"county_code": _("Choose a county.")})
    user = _locked(user)
    if county_code == user.county_code:
        return user
    if user.pk == by.pk:
        raise ValidationError({"county_code": _("Another official must move your account.")})
    teacher = getattr(user, "teacher", None) if user.role == Role.TEACHER else None
    if teacher is not None and teacher.schools.exists():
        raise ValidationError(
            {"county_code": _("Unlink this teacher from their schools before moving the "
                              "account to another county.")}
        )  # fmt: skip
    if user.role == Role.VOLUNTEER and getattr(user, "volunteer", None) is not None:
        raise ValidationError(
            {"county_code": _("This login belongs to a volunteer record of its county: make "
                              "a new login in the other county instead.")}
        )  # fmt: skip
    old = user.county_code
    user.county_code = county_code
    user.full_clean()
    user.save(update_fields=["county_code"])
    _record(by, user, audit.Action.CHANGE, f"county {old or 'city'} -> {county_code or 'city'}")
    return user


@transaction.atomic
def set_active(*, user: User, active: bool, by) -> User:
    """Deactivate (the person's next request finds them signed out) or reactivate an account.

    Django refuses an inactive user at sign-in and on every request of an open session (the
    backend's ``get_user`` loads only active users), so access ends on the next request.
    """
    _require_manager(by, user)
    user = _locked(user)
    active = bool(active)
    check_active_change(user=user, active=active, by=by)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    _record(by, user, audit.Action.CHANGE, "reactivated" if active else "deactivated")
    return user


@transaction.atomic
def set_password(*, user: User, by, password: str | None = None) -> tuple[User, str]:
    """An official gives ``user`` a temporary password (generated unless given).

    The person must choose their own at their next sign-in, and every session they have open
    ends (Django ties a session to the password it was opened with). Returns the password to
    show the official once; it is never stored or logged in clear.
    """
    _require_manager(by, user)
    user = _locked(user)
    password = password or temporary_password()
    user.set_password(password)
    user.must_change_password = user.pk != by.pk  # your own password is not temporary
    user.save(update_fields=["password", "must_change_password"])
    _record(by, user, audit.Action.CHANGE, "temporary password set")
    return user, password


@transaction.atomic
def change_own_password(*, user: User, password: str) -> User:
    """The person chose their own password (the sign-in's "change your password" page)."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _record(user, user, audit.Action.CHANGE, "own password changed")
    return user


@transaction.atomic
def reset_second_factor(*, user: User, by) -> int:
    """Remove every second-factor device of ``user`` (confirmed or not, of every kind).

    The person sets the second factor up again at their next sign-in. Returns how many
    devices went; with none, nothing is recorded.
    """
    from django_otp import devices_for_user

    _require_manager(by, user)
    user = _locked(user)
    if user.pk == by.pk:
        raise ValidationError(_("Another official must reset your second factor."))
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    if devices:
        _record(by, user, audit.Action.CHANGE, f"second factor reset ({len(devices)} devices)")
    return len(devices)


def has_second_factor(user: User) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


class PasswordChangeRequiredMiddleware:
    """After the two-factor middleware: someone with a temporary password reaches only the page
    that changes it (and signing out, the language, the second step)."""

    OPEN = ("password_change", "password_change_done", "logout", "set_language", "healthz",
            "two_factor")  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve

        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in self.OPEN and not request.path_info.startswith(settings.STATIC_URL):
                return redirect("password_change")
        return self.get_response(request)
