"""The audit log's one writer (ground floor: it imports none of our apps).

``record()`` appends an ``AuditEvent``. Who and from where come from the request when one is
given, else from the request being served (``AuditMiddleware`` keeps it in a context variable),
so that services called by a view are attributed without passing the request down. Events carry
record types and keys, never a value: no names, identity numbers, phones or notes.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging

from django.urls import Resolver404, resolve

from lbc_office.models import AuditEvent

log = logging.getLogger(__name__)
_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)
Action = AuditEvent.Action


def client_ip(request) -> str | None:
    """The client's address: the one rule for the audit log and for the sign-in lock-out alike
    (``AXES_CLIENT_IP_CALLABLE`` points here).

    Reached directly (``TRUSTED_PROXY_COUNT = 0``, the default): ``REMOTE_ADDR``, whatever the
    request's headers claim. Behind N trusted reverse proxies: the N-th address from the right of
    ``X-Forwarded-For``, the hop our outermost proxy appended; anything left of it was written
    by the client and is never believed. A header that is too short or not an address falls back
    to ``REMOTE_ADDR``.
    """
    from django.conf import settings

    remote = _address(request.META.get("REMOTE_ADDR"))
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= hops:
            return _address(forwarded[-hops]) or remote
    return remote


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def record(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    object_id="",
    child_id: int | None = None,
    detail: str = "",
    username: str = "",
) -> AuditEvent:
    request = request if request is not None else _current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if child_id is None:
            child_id = (
                obj.pk
                if obj._meta.label_lower == "registry.child"
                else getattr(obj, "child_id", None)
            )
    return AuditEvent.objects.create(
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        ip=client_ip(request) if request is not None else None,
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id or "")[:40],
        child_id=child_id,
        detail=detail[:200],
    )


def _logged_in(sender, request, user, **kwargs):
    record(Action.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # The name that was tried, never the password (Django masks it in ``credentials`` anyway).
    record(Action.LOGIN_FAILED, request=request, username=str(credentials.get("username", "")))


def connect_signals() -> None:
    """Sign-ins are Django's own events: listening is the only way to see them."""
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")


class AuditMiddleware:
    """Keeps the request for ``record()``, and logs every refusal of a record to a signed-in
    user: a 404 or 403 on a URL that names a record (by its key)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        user = getattr(request, "user", None)
        if response.status_code in (403, 404) and user is not None and user.is_authenticated:
            self._refused(request)
        return response

    @staticmethod
    def _refused(request) -> None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        keys = {k: v for k, v in match.kwargs.items() if k == "pk" or k.endswith("_pk")}
        if not keys:
            return
        child_id = keys.get("pk") if match.route.startswith("children/") else None
        record(
            Action.REFUSED,
            request=request,
            object_type=match.view_name[:60],
            object_id=",".join(str(v) for v in keys.values()),
            child_id=child_id,
            detail=request.path_info[:200],  # the path only: a query string may hold a search
        )
