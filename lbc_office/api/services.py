"""Issuing and revoking API tokens: the one write path (the screen and the command use it)."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.api.models import ApiToken
from lbc_office.core import audit
from lbc_office.core.enrolment import has_authenticator
from lbc_office.core.models import Role

PREFIX = "lbc_"
PREFIX_LENGTH = 12  # "lbc_" and 8 characters of the token: enough to find the row


@dataclass
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_issue(*, by, user) -> bool:
    """A user makes their own tokens; an official makes them for any account (service
    accounts) but another official's: the secret is shown to whoever makes it, and a token for
    another official would let one official act, and be audited, as another."""
    if not by.is_active:
        return False
    return by.pk == user.pk or (by.is_official and user.role != Role.OFFICIAL)


def may_revoke(*, by, user) -> bool:
    """The owner, or any official (revoking only takes power away)."""
    return by.is_active and (by.pk == user.pk or by.is_official)


def may_act(user) -> bool:
    """Whether a token of ``user`` may act now (checked at every request, not only when the
    token was made): an active account, no temporary password still to change (the screens
    admit such a user to the password page only), and an official only while they have their
    second factor (a reset one, or a promotion after the token was made, stops it)."""
    if not user.is_active or getattr(user, "must_change_password", False):
        return False
    return user.role != Role.OFFICIAL or has_authenticator(user)


@transaction.atomic
def issue_token(*, user, by, name: str, days: int | None = None) -> Issued:
    days = settings.API_TOKEN_DAYS if days is None else days
    if not may_issue(by=by, user=user):
        raise ValidationError(
            _("Only an official may make a token for someone else, and never for another official.")
        )
    if not user.is_active:
        raise ValidationError(_("This account is not active."))
    if user.role == Role.OFFICIAL and not has_authenticator(user):
        raise ValidationError(
            _("An official's token needs two-step sign-in set up first for that official.")
        )
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts 1 to %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}}
        )
    # The rate limit is per token: a cap on live tokens keeps it a limit per account too.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.live().filter(user=user).count() >= settings.API_TOKEN_MAX_LIVE:
        raise ValidationError(
            _("This account already has %(n)d live tokens: revoke one first.")
            % {"n": settings.API_TOKEN_MAX_LIVE}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=(name or "").strip() or _("API token"),
        prefix=secret[:PREFIX_LENGTH],
        digest=digest(secret),
        created_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit.record(audit.Action.CREATE, user=by, obj=token, detail=f"api token for user {user.pk}")
    return Issued(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, token: ApiToken, by) -> ApiToken:
    if not may_revoke(by=by, user=token.user):
        raise ValidationError(_("Only an official may revoke someone else's token."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(audit.Action.CHANGE, user=by, obj=token, detail="api token revoked")
    return token


def find_live(secret: str) -> ApiToken | None:
    """The live token whose secret this is (compared in constant time), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    wanted = digest(secret)
    for token in (
        ApiToken.objects.live().select_related("user").filter(prefix=secret[:PREFIX_LENGTH])
    ):
        if secrets.compare_digest(token.digest, wanted):
            return token
    return None


def touch(token: ApiToken) -> None:
    """Note when a token was used (at most once a minute: a busy client writes little)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
