"""Searches never put what was typed into a URL.

An identity number typed into a search box must not end up in an address bar, the browser's
history, a proxy's log or a Referer header. Search forms therefore POST; the view keeps the text
in the session under a short random token and redirects to ``?s=<token>`` (plus the filters), so
the page can still be reloaded, paged and bookmarked for the session's life.
"""

from __future__ import annotations

import secrets

from django.http import QueryDict
from django.shortcuts import redirect

SESSION_KEY = "lbc_searches"
KEPT = 20  # searches remembered per session; older tokens fall back to no search


def remember(request, text: str) -> str:
    searches = request.session.get(SESSION_KEY, {})
    token = secrets.token_urlsafe(6)
    searches[token] = text
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return token


def recall(request, token: str) -> str:
    return request.session.get(SESSION_KEY, {}).get(token, "")


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
