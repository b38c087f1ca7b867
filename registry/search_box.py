"""Searches never put what was typed into a URL.

An identity number typed into a search box must not end up in an address bar, the browser's
history, a proxy's log or a Referer header. Search forms therefore POST; the view keeps the text
in the cache, under the session's key and a short random token, and redirects to ``?s=<token>``
(plus the filters), so the page can still be reloaded, paged and bookmarked for the session's
idle life.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.shortcuts import redirect

PREFIX = "lbc-search"


def _key(request, token: str) -> str:
    # Kept in the cache under the session's key, not in the session itself: every request saves
    # the session it loaded (SESSION_SAVE_EVERY_REQUEST, the idle timeout), so a request running
    # beside the search (the offline app's working set, a second tab) wrote the session back
    # without the new search and the list came back unfiltered.
    return f"{PREFIX}:{request.session.session_key}:{token}"


def remember(request, text: str) -> str:
    """Keep ``text`` for this session under a new short token (for the session's idle life)."""
    if request.session.session_key is None:
        request.session.save()
    token = secrets.token_urlsafe(6)
    cache.set(_key(request, token), text, timeout=settings.SESSION_COOKIE_AGE)
    return token


def recall(request, token: str) -> str:
    if request.session.session_key is None or not token.replace("-", "").replace("_", "").isalnum():
        return ""  # no session, or a token this module never made (a cache key stays ours)
    return cache.get(_key(request, token), "")


def search_redirect(request):
    """For a search form's POST: the redirect to the tokenised URL; None for other requests."""
    if request.method != "POST":
        return None
    params = QueryDict(mutable=True)
    for key, values in request.POST.lists():
        if key not in {"csrfmiddlewaretoken", "q", "page", "s"}:
            params.setlist(key, [v for v in values if v != ""])
    text = request.POST.get("q", "").strip()
    if text:
        params["s"] = remember(request, text)
    query = params.urlencode()
    return redirect(f"{request.path}?{query}" if query else request.path)


def search_data(request) -> QueryDict:
    """The GET parameters with the remembered search put back as ``q``."""
    data = request.GET.copy()
    token = data.pop("s", [""])[-1]
    data.pop("q", None)  # never taken from a URL
    text = recall(request, token) if token else ""
    if text:
        data["q"] = text
    return data
