"""How an API request is authenticated, limited and answered when refused."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling

from lbc_office.api import services


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer lbc_…``. A revoked, expired, unknown or malformed token, or one
    whose user may not act now (``services.may_act``: inactive, a temporary password to change,
    an official without the second factor), answers 401 (the same answer for each)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = services.find_live(secret)
        if token is None or not services.may_act(token.user):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        services.touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The site's own pages (with CSRF): an official's session counts only once the second
    factor is verified, as on the screens."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if user.is_official and not getattr(request._request.user, "is_verified", lambda: True)():
            return None
        return result


class IsActiveUser(permissions.BasePermission):
    """An active user; a municipal official only reads (``MunicipalReadsMiddleware``)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return request.method in permissions.SAFE_METHODS or not user.is_municipal


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Per token (a session: per user); the rate is ``API_RATE`` (settings)."""

    scope = "api"

    def get_rate(self):
        from django.conf import settings

        return settings.API_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        token = request.auth
        ident = f"token-{token.pk}" if hasattr(token, "pk") else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
