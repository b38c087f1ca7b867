"""Sessions end after ``SESSION_COOKIE_AGE`` idle seconds, pushed forward at most once a minute.

Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on every request (a transaction,
an UPDATE and a WAL flush) only to move its end 30 minutes ahead. Here a signed-in user's session
is saved when a view changed it or when its end was last moved ``SESSION_REFRESH_SECONDS`` or
more ago. A session therefore ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
``SESSION_COOKIE_AGE`` seconds after the user's last request (29–30 idle minutes by default).

Goes right after ``SessionMiddleware``, so that its answer is seen before that one saves.
"""

from __future__ import annotations

import time

from django.conf import settings

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
        if session.modified or not isinstance(seen, int) or now - seen >= settings.SESSION_REFRESH_SECONDS:
            session[SEEN] = now  # marks it modified: SessionMiddleware saves it with a new end
        return response
