"""The one safe redirect to an address the browser sent (ground floor).

A ``next`` or ``back`` field is written by the page, but anyone can post another value: a
redirect that follows it as it is sends an official from our site to a look-alike (an open
redirect). Every view that redirects to such a field goes through ``safe_redirect``: the target
is followed only when it stays on this site — the request's own host, no other scheme, and
https when the request came over https — otherwise the view's own fallback is used.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe(request, url: str | None) -> bool:
    """Whether ``url`` (from the browser) stays on this site."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_target(request, url: str | None, fallback):
    """``url`` when it is safe, else ``fallback`` (anything ``redirect`` accepts)."""
    return url if is_safe(request, url) else fallback


def safe_redirect(request, url: str | None, fallback):
    """A redirect to ``url`` when it stays on this site, else to ``fallback`` (a URL, a view
    name or a model with ``get_absolute_url``)."""
    return redirect(safe_target(request, url, fallback))
