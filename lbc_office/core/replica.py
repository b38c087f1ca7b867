"""The read replica (issue 15): report reads go to a PostgreSQL streaming standby.

``REPLICA_DATABASE_URL`` adds the database alias ``"replica"`` and :class:`ReplicaRouter`.
Nothing reads from it unless asked: a view or a report wraps its reads in
:func:`reading` (``with replica.reading(user):``) or :func:`reads_replica` (a view decorator).
Inside, the router sends reads to the standby when all of these hold, and to the primary
otherwise:

- the standby answers, is in recovery, and lags at most ``REPLICA_MAX_LAG_SECONDS``
  (:func:`status`, checked at most every ``REPLICA_CHECK_SECONDS`` per process, with a short
  connect timeout, so a dead standby costs one short wait, then nothing);
- the user wrote nothing in the last ``REPLICA_STICKY_SECONDS`` (read-your-writes:
  :class:`ReadYourWritesMiddleware` notes each signed-in user's POST/PUT/PATCH/DELETE, by user id
  in the cache, so it holds for sessions and API tokens alike);
- the primary is not inside a transaction (``atomic``): what a transaction reads must see what
  it wrote.

Writes always go to the primary, and so do migrations. Without ``REPLICA_DATABASE_URL`` there
is no alias, no router, and every function here says "the primary".
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import StreamingHttpResponse

log = logging.getLogger(__name__)

ALIAS = "replica"

_reading: ContextVar[bool] = ContextVar("lbc_replica_reading", default=False)
# Process-wide switch (tests of other things, a maintenance window): the primary answers all.
_switched_off = False


@dataclass(frozen=True)
class Status:
    """What the last check of the standby found."""

    state: str  # "off" (none configured, or switched off), "ok", "lagging", "down"
    lag: float | None = None  # seconds behind the primary, when it answered

    @property
    def usable(self) -> bool:
        return self.state == "ok"

    def describe(self) -> str:
        """The health check's words for it."""
        if self.state == "lagging":
            return f"lagging {round(self.lag or 0)} s — reading the primary"
        if self.state == "down":
            return "down — reading the primary"
        return self.state


_lock = threading.Lock()
_checked: tuple[float, Status] | None = None

# The standby's lag: 0 when it has replayed all it received (an idle primary sends nothing,
# so the time since the last replayed transaction grows without any lag), else the time since
# the last transaction it replayed.
LAG_SQL = """
    SELECT pg_is_in_recovery(),
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
           END
"""


def configured() -> bool:
    return ALIAS in settings.DATABASES


def _check() -> Status:
    try:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except Exception:
        log.warning("read replica: the standby does not answer; reading the primary", exc_info=True)
        with contextlib.suppress(Exception):
            connections[ALIAS].close()
        return Status("down")
    if not in_recovery:
        # A promoted standby no longer follows the primary: what it holds goes stale.
        log.warning("read replica: the standby is not in recovery; reading the primary")
        return Status("down")
    lag = float(lag)
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        log.warning("read replica: the standby lags %.0f s; reading the primary", lag)
        return Status("lagging", lag)
    return Status("ok", lag)


def status(*, fresh: bool = False) -> Status:
    """The standby's state, checked at most every ``REPLICA_CHECK_SECONDS`` in this process
    (``fresh``: check now)."""
    global _checked
    if not configured() or _switched_off:
        return Status("off")
    now = time.monotonic()
    with _lock:
        found = _checked
        if fresh or found is None or now - found[0] >= settings.REPLICA_CHECK_SECONDS:
            found = _checked = (now, _check())
    return found[1]


def forget_status() -> None:
    """Check the standby again at the next read (tests, after starting or stopping it)."""
    global _checked
    with _lock:
        _checked = None


# --- Read-your-writes -----------------------------------------------------------------------


def _wrote_key(user_id) -> str:
    return f"lbc:replica:wrote:{user_id}"


def note_write(user) -> None:
    """``user`` has just written: their reads stay on the primary for REPLICA_STICKY_SECONDS."""
    if configured() and getattr(user, "is_authenticated", False):
        cache.set(_wrote_key(user.pk), time.time(), timeout=settings.REPLICA_STICKY_SECONDS)


def wrote_recently(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    wrote = cache.get(_wrote_key(user.pk))
    return wrote is not None and time.time() - wrote < settings.REPLICA_STICKY_SECONDS


class ReadYourWritesMiddleware:
    """Notes each signed-in user's writing request (any method but GET, HEAD, OPTIONS, TRACE),
    before the view and again after it, so that the user who signed in by it or authenticated by
    an API token is known and the time counts from the end of the write. Nothing happens
    without a replica."""

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in self.SAFE and configured()
        if writes:
            note_write(getattr(request, "user", None))
        response = self.get_response(request)
        if writes:
            note_write(getattr(request, "user", None))
        return response


# --- Choosing the database --------------------------------------------------------------------


def use_replica(user) -> bool:
    """Whether reads for ``user`` may go to the standby now."""
    return (
        configured()
        and not _switched_off
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and not wrote_recently(user)
        and status().usable
    )


@contextlib.contextmanager
def reading(user) -> Iterator[str]:
    """Reads inside go to the standby when it may serve ``user`` (see the module); yields the
    alias chosen, for code that opens its own transaction or cursor (``connections[alias]``)."""
    token = _reading.set(use_replica(user))
    try:
        yield read_alias()
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """The database a read made here goes to."""
    if _reading.get() and not _switched_off and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return ALIAS
    return DEFAULT_DB_ALIAS


def reads_replica(view):
    """A view whose reads go to the standby when it may serve the request's user (the page's
    template is rendered inside; a streamed answer's rows are read inside too)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with reading(request.user):
            use = _reading.get()
            response = view(request, *args, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _each_part(response.streaming_content, use)
        return response

    return wrapped


def _each_part(parts, use: bool):
    parts = iter(parts)
    while True:
        token = _reading.set(use)
        try:
            part = next(parts, _END)
        finally:
            _reading.reset(token)
        if part is _END:
            return
        yield part


_END = object()


@contextlib.contextmanager
def switched_off() -> Iterator[None]:
    """Every read goes to the primary while inside (process-wide)."""
    global _switched_off
    before, _switched_off = _switched_off, True
    try:
        yield
    finally:
        _switched_off = before


class ReplicaRouter:
    """``DATABASE_ROUTERS`` when a replica is configured: reads inside :func:`reading` go to the
    standby (see :func:`read_alias`), every other read, every write and every migration to the
    primary."""

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db not in (None, ALIAS, DEFAULT_DB_ALIAS):
            return instance._state.db
        return read_alias()

    def db_for_write(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db not in (None, ALIAS, DEFAULT_DB_ALIAS):
            return instance._state.db
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != ALIAS
