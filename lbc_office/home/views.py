"""The roof's pages: each role's landing page, the reports, and the health check."""

from __future__ import annotations

import logging
import os

import django_filters
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lbc_office.celery import app as celery_app
from lbc_office.core import audit, replica
from lbc_office.core.auth import role_required
from lbc_office.core.forms import DateInput
from lbc_office.core.models import AuditEvent, Role
from lbc_office.home import dashboard, todo
from programmes import selectors as programmes_selectors
from registry import access
from registry.models import ChildStatus, County, School

log = logging.getLogger(__name__)


@audit.shows_personal_data
def home(request):
    """Each role lands where its work is."""
    user = request.user
    if user.is_official:
        return _official_home(request)
    if user.is_teacher:
        return _teacher_home(request)
    if user.is_volunteer:
        return redirect("volunteers:my_children")
    if user.is_partner:  # the referrals sent to their organisation (casework)
        return redirect("referrals:partner_list")
    return redirect("reports")


def _tasks(request, *, limit: int = 5) -> dict:
    """The user's tasks for their first screen (``limit`` items of each kind), noted as seen."""
    due = todo.due_for(request.user, timezone.localdate(), limit=limit)
    audit.shown(request, todo.children_named(due))
    return {"tasks": due, "tasks_total": sum(d.count for d in due)}


@audit.shows_personal_data
def my_tasks(request):
    """Everything due for me, from every app (我的待办)."""
    return render(request, "lbc_office/my_tasks.html", _tasks(request, limit=50))


@replica.reads_replica
def _official_home(request):
    """The official's first screen: their county's; a municipal official's, the city's with its
    counties (``?county=CODE``: that county's). Another county asked by a county official, or an
    unknown one: 404, like any record out of scope."""
    own = access.county_code_of(request.user)
    asked = request.GET.get("county", "")
    county_name = ""
    if asked:
        if own and asked != own:
            raise Http404
        if not own:
            county_name = get_object_or_404(County, code=asked).name
    context = dashboard.official_dashboard(request.user, timezone.localdate(), own or asked)
    context["county_name"] = county_name
    context.update(_tasks(request))
    context["concerns"] = list(context["concerns"])
    context["recent"] = list(context["recent"])
    audit.shown(request, [c.child_id for c in context["concerns"]])
    audit.shown(request, [change.child_id for change in context["recent"]])
    audit.shown(request, [assignment.child_id for assignment in context["withheld"]])
    return render(request, "lbc_office/home_official.html", context)


def _teacher_home(request):
    today = timezone.localdate()
    schools = (
        School.objects.visible_to(request.user)
        .annotate(active_children=Count("children", filter=Q(children__status=ChildStatus.ACTIVE)))
        .order_by("name")
    )
    return render(
        request,
        "lbc_office/home_teacher.html",
        {
            "schools": schools,
            "gaps": programmes_selectors.contact_gap_counts(request.user, today=today),
            **_tasks(request),
        },
    )


class AuditFilter(django_filters.FilterSet):
    child = django_filters.NumberFilter(label=_("Child (file number)"), method="filter_child")
    user = django_filters.CharFilter(field_name="username", lookup_expr="iexact", label=_("User"))
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices, label=_("Action"))
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=DateInput()
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("Until"), widget=DateInput()
    )

    class Meta:
        model = AuditEvent
        fields = []

    def filter_child(self, queryset, name, value):
        """The child's own events and the pages that listed it among others."""
        return queryset.about_child(int(value)) if value is not None else queryset

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form


@role_required(Role.OFFICIAL)
def audit_log(request):
    """Officials search the audit log by child, user, action and date."""
    events = AuditFilter(request.GET, queryset=AuditEvent.objects.select_related("user"))
    page = Paginator(events.qs, 50).get_page(request.GET.get("page"))
    for event in page:  # "registry.child" → the record type's name in the reader's language
        event.record_type = _record_type(event.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lbc_office/audit.html",
        {"filter": events, "page": page, "query": query.urlencode()},
    )


def _record_type(label: str) -> str:
    if "." in label and ":" not in label:
        try:
            return str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            pass
    return label


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and the Celery broker answer, 503 otherwise (no details leak).

    With a read replica, ``"replica"`` says how it is: ``"ok"``, ``"lagging N s — reading the
    primary"`` or ``"down — reading the primary"``; the primary then serves its reads, so the
    answer stays 200 (the office works; the operator is told)."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable", **checks}
    if replica.configured():
        body["replica"] = replica.status().describe()
    return JsonResponse(body, status=200 if ok else 503)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        log.warning("healthz: database unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    url = str(celery_app.conf.broker_url)
    if url.startswith("filesystem://"):
        folder = (celery_app.conf.broker_transport_options or {}).get("data_folder_in", "")
        os.makedirs(folder, exist_ok=True)
        return os.access(folder, os.W_OK)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        log.warning("healthz: broker unreachable", exc_info=True)
        return False


_FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@login_not_required
@require_GET
def favicon(request):
    """``/favicon.ico``, which every browser asks for: the office's small icon (a few hundred
    bytes, cached for a day) instead of the login redirect or a full error page."""
    response = HttpResponse(_FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
