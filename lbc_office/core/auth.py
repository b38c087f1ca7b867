"""Authentication pieces of the ground floor: the role-aware backend and role checks for views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import Http404


class RoleBackend(ModelBackend):
    """Django's own backend, plus: an active county official holds every model permission.

    Officials manage everything (DESIGN.md), so the admin needs no per-user permission setup;
    every other role holds none, and the admin site refuses them anyway (``lbc_office.core.admin``).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if getattr(user_obj, "is_official", False):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if getattr(user_obj, "is_official", False):
            return True
        return super().has_module_perms(user_obj, app_label)


def role_required(*roles):
    """Let only signed-in users with one of ``roles`` through.

    Anyone else gets 403 on a page of the role (the schools list, reports), and 404 on a page
    about one record (a school, a volunteer, a programme): a record outside a user's scope
    answers as if it did not exist, so that its key tells nothing.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_authenticated and user.is_active and user.role in roles):
                raise Http404 if kwargs else PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# What a municipal official may change: their own sign-in (password, second factor, API
# tokens, language) and the accounts of the city's officials. Everything else they read.
MUNICIPAL_WRITES = ("/accounts/", "/users/", "/i18n/")


class MunicipalReadsMiddleware:
    """A municipal official (an official of the city, ``User.is_municipal``) reads every
    county; the records of a county are kept by that county's officials. So any write (a
    POST, PUT, PATCH or DELETE) by a municipal official outside ``MUNICIPAL_WRITES`` is
    refused here, in one place, whatever the view (the API refuses the same writes in
    ``lbc_office.api.auth``). The pages hide the buttons; this is the rule behind them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and getattr(user, "is_municipal", False)
            and not request.path.startswith(MUNICIPAL_WRITES)
            and not _is_search(request)
        ):
            raise PermissionDenied("a municipal official reads; county officials write")
        return self.get_response(request)


def _is_search(request) -> bool:
    """A search form's POST (``registry.search_box``: what was typed goes in the session, never
    in a URL): it carries ``q`` and no one-time key, and changes no record."""
    if request.method != "POST" or request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return False
    return "q" in request.POST and "once_key" not in request.POST
