"""The audit log's one writer (ground floor: it imports none of our apps).

``record()`` appends an ``AuditEvent``. Who and from where come from the request when one is
given, else from the request being served (``AuditMiddleware`` keeps it in a context variable),
so that services called by a view are attributed without passing the request down. Events carry
record types and keys, never a value: no names, identity numbers, phones or notes.

Views of personal data: a view declared with ``@shows_personal_data`` notes the children its
page shows with ``shown(request, ...)`` (``registry.selectors.get_child_for_user``, the one way a
view reaches a child, notes its child by itself); ``AuditMiddleware`` then writes ONE ``VIEW``
event per response that showed any (a page of several lists them in ``AuditEventChild``), and
one ``REFUSED`` event per refusal. Every response to a signed-in user is ``no-store``.
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control

from lbc_office.core.models import AuditEvent, AuditEventChild

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


@dataclass
class _Children:
    """What the register tells the audit about its children (``register_children``)."""

    label: str = ""  # the child model's label, e.g. the object type of a page of children
    routes: tuple[
        tuple[str, str], ...
    ] = ()  # (URL route prefix, the keyword holding a child's key)


_children = _Children()


def register_children(model, *, routes: Iterable[tuple[str, str]]) -> None:
    """The register names its child model and the URL routes whose key is a child's, from its
    ``AppConfig.ready()`` (registry/apps.py): the audit knows no app's labels or URLs."""
    _children.label = model._meta.label_lower
    _children.routes = tuple(routes)


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
    children: Iterable[int] = (),
) -> AuditEvent:
    """Append one event. ``children``: the keys of every child a page or file of several showed
    (one ``AuditEventChild`` row each, so that "who saw child X" is an index look-up)."""
    request = request if request is not None else _current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    if child_id is not None and not -(2**63) <= int(child_id) < 2**63:
        child_id = None  # a key typed into a URL that no record can have
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if child_id is None:
            child_id = (
                obj.pk
                if obj._meta.label_lower == _children.label
                else getattr(obj, "child_id", None)
            )
    event = AuditEvent(
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        ip=client_ip(request) if request is not None else None,
        action=action,
        object_type=object_type[:60],
        object_id=str(object_id or "")[:40],
        child_id=child_id,
        detail=detail[:200],
    )
    children = [int(pk) for pk in children]
    if children and connection.vendor == "postgresql":
        _insert_with_children(event, children)
        return event
    if not children:
        event.save(force_insert=True)  # one INSERT
        return event
    with transaction.atomic():  # the event and its children together, or neither (SQLite)
        event.save(force_insert=True)
        rows = (AuditEventChild(event=event, child_id=pk) for pk in children)
        AuditEventChild.objects.bulk_create(rows, batch_size=1000)
    return event


def _insert_with_children(event: AuditEvent, children: list[int]) -> None:
    """The event and one row per child in ONE statement (PostgreSQL): a list page's audit was
    four round trips (the event, BEGIN, its children, COMMIT) on every page of children."""
    event.at = timezone.now()
    columns = ["at", "user_id", "username", "ip", "action", "object_type", "object_id"]
    columns += ["child_id", "detail"]
    values = [getattr(event, name) for name in columns]
    events, shown = AuditEvent._meta.db_table, AuditEventChild._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'WITH event AS (INSERT INTO "{events}" ({", ".join(columns)}) '  # noqa: S608 (names from _meta)
            f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id) "
            f'INSERT INTO "{shown}" (event_id, child_id) '
            "SELECT event.id, shown FROM event, unnest(%s::bigint[]) AS shown RETURNING event_id",
            [*values, children],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding, event._state.db = False, connection.alias


# --- Views of personal data -------------------------------------------------------------------

_SHOWN = "_lbc_audit_shown"
SEARCH_ID_NUMBER = "id_number"
SEARCH_NAME = "name"


def shown(request, children=None, *, search: str = "", about=None) -> None:
    """Note that the response to ``request`` shows these children's personal data.

    ``children``: a child, a child's key, or an iterable of either (a page, a queryset, a list).
    ``search``: ``SEARCH_ID_NUMBER`` or ``SEARCH_NAME`` when the page answers a search — what
    kind of search, never what was typed. ``about``: the record the page is about when it is not
    a child (an import's preview: rows of a file not yet in the register). Called several times,
    the notes add up; the middleware writes one event for them all.
    """
    notes = request.__dict__.setdefault(
        _SHOWN, {"ids": {}, "search": "", "about": None, "list": False}
    )
    if children is None:
        children = []
    elif hasattr(children, "pk") or not isinstance(children, Iterable):
        children = [children]
    else:
        notes["list"] = True  # a list names its children apart, however many (a fixed cost)
    for item in children:
        pk = getattr(item, "pk", item)
        if pk is not None:
            notes["ids"][int(pk)] = None
    if search:
        notes["search"] = search
    if about is not None:
        notes["about"] = about


def shows_personal_data(view):
    """Declares a view whose pages show children's personal data (tests walk the URLs and fail
    on a view that is neither declared nor listed as showing none). The response is never
    stored by a browser or proxy; the children it noted are audited by the middleware."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, private=True)
        return response

    wrapper.shows_personal_data = True
    return wrapper


def _record_shown(request, response) -> None:
    """One VIEW event for the children the response showed (a successful page only: a redirect
    after a save is the save's own event, a refusal is a REFUSED event)."""
    notes = request.__dict__.pop(_SHOWN, None)
    if not notes or not 200 <= response.status_code < 300:
        return
    ids = list(notes["ids"])
    if not ids and not notes["search"] and notes["about"] is None:
        return
    match = getattr(request, "resolver_match", None)
    page = match.view_name if match is not None else ""
    one = len(ids) == 1 and not notes["list"]
    detail = page if one else f"{page} children={len(ids)}"
    if notes["search"]:
        detail += f" search={notes['search']}"
    about = notes["about"]
    record(
        Action.VIEW,
        request=request,
        object_type=about._meta.label_lower if about is not None else _children.label,
        object_id=about.pk if about is not None else ids[0] if one else "",
        child_id=ids[0] if one else None,
        detail=detail,
        children=() if one else ids,
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
    """Keeps the request for ``record()``; for a signed-in user, writes the view event of the
    children the response showed, logs every refusal (any 403; a 404 on a URL that names a
    record by its key), and marks the response ``no-store`` (static files never get here:
    WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        patch_cache_control(response, no_store=True, private=True)
        if response.status_code in (403, 404):
            self._refused(request, response.status_code)
        else:
            _record_shown(request, response)
        return response

    @staticmethod
    def _refused(request, status: int) -> None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            if status == 404:
                return  # no such page: nothing was refused
            match = None
        keys = {
            k: v
            for k, v in (match.kwargs.items() if match else ())
            if k == "pk" or k.endswith("_pk") or k == "object_id"
        }
        if status == 404 and not keys:
            return  # an unkeyed page answers 404 only when it does not exist
        if match is None:
            record(Action.REFUSED, request=request, detail=request.path_info[:200])
            return
        child_id = next(
            (keys.get(key) for route, key in _children.routes if match.route.startswith(route)),
            None,
        )
        if child_id is not None and not str(child_id).isdigit():
            child_id = None
        record(
            Action.REFUSED,
            request=request,
            object_type=match.view_name[:60],
            object_id=",".join(str(v) for v in keys.values()),
            child_id=child_id,
            detail=request.path_info[:200],  # the path only: a query string may hold a search
        )
