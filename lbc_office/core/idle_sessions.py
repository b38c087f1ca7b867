"""Sessions end after ``SESSION_COOKIE_AGE`` idle seconds, pushed forward at most once a minute.

Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on every request (a transaction,
an UPDATE and a WAL flush) only to move its end 30 minutes ahead. Here a signed-in user's session
is saved when a view changed it or when its end was last moved ``SESSION_REFRESH_SECONDS`` or
more ago. A session therefore ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
``SESSION_COOKIE_AGE`` seconds after the user's last request (29–30 idle minutes by default).

Goes right after ``SessionMiddleware``, so that its answer is seen before that one saves. Signing
in counts as a move (the new session is saved with its end then).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in

SEEN = "_idle_from"  # when the session's end was last moved (seconds since the epoch)


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Only a signed-in user's session: touching an anonymous one (an expired cookie, say)
        # would make a new row for nobody. Signing out empties the session first.
        if session is None or not getattr(user, "is_authenticated", False) or session.is_empty():
            return response
        now = int(time.time())
        seen = session.get(SEEN)
        due = not isinstance(seen, int) or now - seen >= settings.SESSION_REFRESH_SECONDS
        if session.modified or due:
            session[SEEN] = now  # marks it modified: SessionMiddleware saves it with a new end
        return response


def _signed_in(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None:
        request.session[SEEN] = int(time.time())


def connect_signals() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="lbc-idle-session-signed-in")
