"""The installable app's pages (docs/OFFLINE.md).

- ``manifest`` and ``service_worker`` (at the site root, so that it may serve every page) and
  ``app`` (the offline page: the shell the worker keeps, holding no one's data) are open to
  anyone;
- ``working_set`` gives a teacher or a volunteer what their phone keeps, audited as a view of
  those children; ``sync`` takes the records made offline (``sync.save`` each);
- ``SignOutView`` signs out and tells the browser to wipe what the site stored on the device.
"""

from __future__ import annotations

import hashlib
import json
import re
from types import SimpleNamespace

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import PrefixNode, static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lbc_office.core import audit
from lbc_office.offline import sync, texts, working_set
from programmes.forms import FamilyCallForm, HomeVisitForm
from registry.models import FamilyRoom
from volunteers.forms import ContactCheckinForm, SurrogateCheckinForm

APP_NAME = "留守儿童关爱"  # the app's name on the phone's home screen (a name, not translated)
SHORT_NAME = "留守关爱"
THEME_COLOUR = "#0d6efd"
ICONS = [("img/icon-192.png", "192x192"), ("img/icon-512.png", "512x512")]
_STATIC = re.compile(r'(?:href|src)="([^"]+)"')


def _shell_forms() -> dict:
    """The forms the phone fills in with no signal: the pages' own forms, never bound."""
    call = FamilyCallForm(child=SimpleNamespace(school_id=None), auto_id="call_%s")
    call.fields["room"].queryset = FamilyRoom.objects.none()  # the phone fills in the rooms
    return {
        "visit_form": HomeVisitForm(auto_id="visit_%s"),
        "call_form": call,
        "roles_form": SurrogateCheckinForm(auto_id="roles_%s"),
        "contact_form": ContactCheckinForm(auto_id="contact_%s"),
    }


def _shell_context() -> dict:
    return {
        **_shell_forms(),
        "offline_shell": True,
        "messages": [],  # a message waiting for the next page is not baked into the shell
        "texts": texts.app_texts(),
    }


@login_not_required
@require_GET
def app(request):
    """The offline page: the app's shell. It shows what the phone keeps, from the phone."""
    return render(request, "offline/app.html", _shell_context())


def _shell_assets(request) -> list[str]:
    """The static files the shell loads, as the pages name them ({% static %}: hashed names
    in production), and the icons."""
    html = render_to_string("offline/app.html", _shell_context(), request=request)
    prefix = PrefixNode.handle_simple("STATIC_URL")
    found = [url for url in _STATIC.findall(html) if url.startswith(prefix)]
    found += [static(path) for path, _size in ICONS]
    return list(dict.fromkeys(found))


@login_not_required
@require_GET
def service_worker(request):
    """``/sw.js``: at the root so that its scope is the whole site; never cached by HTTP (the
    browser checks it for a new version), its list of files rendered from the shell."""
    assets = _shell_assets(request)
    config = {
        "shell": reverse("offline:app"),
        "assets": assets,
        "core": static("js/offline.js"),
        "cache": "lbc-shell-" + hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12],
    }
    body = render_to_string("offline/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def manifest(request):
    data = {
        "name": APP_NAME,
        "short_name": SHORT_NAME,
        "description": _("Home visits, family calls and monthly check-ins, also with no signal."),
        "lang": "zh-CN",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static(path), "sizes": size, "type": "image/png", "purpose": "any"}
            for path, size in ICONS
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


@audit.shows_personal_data
@require_GET
def working_set_view(request):
    """The user's own working set (teachers and volunteers; anyone else: 403)."""
    if not working_set.allowed(request.user):
        raise PermissionDenied
    data, children = working_set.build(request.user)
    audit.shown(request, children)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@audit.shows_personal_data
@require_POST
def sync_view(request):
    """Records made offline, as JSON ``{"user": id, "records": [...]}``; one result each."""
    if not working_set.allowed(request.user):
        raise PermissionDenied
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "bad-json"}, status=400)
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(records, list) or len(records) > sync.MAX_RECORDS:
        return JsonResponse({"error": "bad-records", "max": sync.MAX_RECORDS}, status=400)
    if str(payload.get("user")) != str(request.user.pk):
        # Made on this phone by someone else, who is not the one signed in now: sent only when
        # they sign in again, never saved in another's name.
        return JsonResponse({"error": "other-user"}, status=409)
    results = [sync.save(request, record).as_dict() for record in records]
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


class SignOutView(auth_views.LogoutView):
    """Signing out also wipes the site's data on the device: the working set, the records not
    yet sent, the worker and its caches (the page's script does the same before it posts)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # "storage": IndexedDB, the worker and its caches. Not "cache": the HTTP cache holds only
        # the static files (every page is no-store), which a slow network would fetch again.
        response["Clear-Site-Data"] = '"storage"'
        return response
