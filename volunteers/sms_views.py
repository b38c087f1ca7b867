"""Check-ins without a smartphone: recorded for the volunteer by an official or their
organisation's coordinator, or answered by SMS (the gateway's endpoint and the office's list)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.auth import role_required
from lbc_office.core.forms import record_on_file
from lbc_office.core.places import limit_to_county
from registry import access
from volunteers import forms, selectors
from volunteers.models import Assignment, InboundSms, MonthlyCheckin, month_start
from volunteers.services import care, sms_replies

official_only = role_required("official")

# --- Recorded for the volunteer -------------------------------------------------------------


def _assignments_for(user):
    """The active assignments whose check-ins ``user`` may record for the volunteer: every one
    for an official, those of their organisations' volunteers for a coordinator."""
    active = Assignment.objects.active().filter(volunteer__active=True)
    if user.is_official:
        return limit_to_county(active, user)
    return active.filter(
        volunteer__organisation__coordinator=user, volunteer__organisation__active=True
    )


def _inbound_for(user):
    """The replies of the official's county's volunteers, and those from a phone no volunteer
    has (their county is unknown: every county's officials see them, the sender masked)."""
    code = access.county_code_of(user)
    replies = InboundSms.objects.all()
    if not code:
        return replies
    return replies.filter(Q(volunteer__county__code=code) | Q(volunteer__isnull=True))


@shows_personal_data
def checkin_for(request, pk):
    """This month's check-in recorded for a volunteer without a smartphone (404 for anyone who
    is neither an official nor the coordinator of the volunteer's organisation)."""
    queryset = _assignments_for(request.user).select_related(
        "child__school", "volunteer__organisation"
    )
    assignment = get_object_or_404(queryset, pk=pk)
    audit.shown(request, assignment.child_id)
    checkin = selectors.checkin_this_month(assignment)
    initial = {
        "roles_done": list(checkin.roles_done.all()) if checkin.pk else [],
        "contact": checkin.contact, "notes": checkin.notes, "concern": checkin.concern,
    }  # fmt: skip
    form = forms.checkin_form_class(assignment)(request.POST or None, initial=initial)

    def record(*, by, **fields):
        opened = care.open_checkin(assignment=assignment)
        return care.record_checkin_for(checkin=opened, by=by, **fields)

    volunteer = assignment.volunteer
    return record_on_file(
        request, assignment.child, form, record,
        template="volunteers/checkin_for.html",
        title=_("Check-in recorded for %(volunteer)s") % {"volunteer": volunteer.name},
        context={"assignment": assignment, "checkin": checkin},
        success=_("The check-in was recorded for %(volunteer)s.") % {"volunteer": volunteer.name},
        redirect_to=(
            reverse("volunteers:detail", args=[volunteer.pk])
            if request.user.is_official else reverse("volunteers:coordinated")
        ),
    )  # fmt: skip


@shows_personal_data
def coordinated(request):
    """A coordinator's page (officials: every volunteer's): the volunteers of their
    organisations and this month's check-ins, each with the button to record it for them."""
    user = request.user
    if not (user.is_official or user.coordinated_organisations.filter(active=True).exists()):
        raise PermissionDenied  # a page of a role, not of a record (core.auth.role_required)
    assignments = (
        _assignments_for(user)
        .select_related("child", "volunteer")
        .order_by("volunteer__name", "child__name", "pk")
    )
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    month = month_start(timezone.localdate())
    done = dict(
        MonthlyCheckin.objects.filter(assignment__in=list(page), month=month).values_list(
            "assignment_id", "status"
        )
    )
    for assignment in page:
        assignment.this_month = done.get(assignment.pk, MonthlyCheckin.Status.OPEN)
    audit.shown(request, [a.child_id for a in page])
    return render(request, "volunteers/coordinated.html", {"page": page, "query": ""})


# --- Replies by SMS ---------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the gateway signs: HMAC-SHA256 of ``timestamp + "." + body`` with the shared secret,
    as hex (docs/OPERATIONS.md)."""
    message = timestamp.encode("ascii", "replace") + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _refused(reason: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt  # the gateway signs its requests instead (SMS_INBOUND_SECRET)
@login_not_required
@require_POST
def sms_inbound(request):
    secret = settings.SMS_INBOUND_SECRET
    if not secret:
        return _refused("inbound SMS is not configured")
    timestamp = request.headers.get("X-LBC-Timestamp", "")
    given = request.headers.get("X-LBC-Signature", "")
    if not hmac.compare_digest(given.lower(), signature(secret, timestamp, request.body)):
        return _refused("bad signature")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > settings.SMS_INBOUND_WINDOW:
        return _refused("stale timestamp")
    try:
        data = json.loads(request.body)
        message_id, sender, text = str(data["id"]), str(data["from"]), str(data["text"])
    except (ValueError, KeyError, TypeError):
        return _refused("expected JSON with id, from and text", status=400)
    if not 0 < len(message_id) <= 100:
        return _refused("bad message id", status=400)
    inbound = sms_replies.receive(message_id=message_id, sender=sender, text=text)
    # A message id seen before: nothing is done again (a replay, or the gateway re-delivering).
    return JsonResponse({"status": "duplicate" if inbound is None else inbound.status})


@official_only
def sms_list(request):
    """The texts volunteers sent: those the office must look at first. It names the volunteer
    and the check-in's code, never the child; senders are masked."""
    show_all = request.GET.get("show") == "all"
    rows = _inbound_for(request.user).select_related("volunteer")
    if not show_all:
        rows = rows.filter(status=InboundSms.Status.NEEDS_ATTENTION)
    page = Paginator(rows.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/sms_list.html",
        {"page": page, "show_all": show_all, "query": "show=all" if show_all else ""},
    )


@official_only
@require_POST
def sms_handled(request, pk):
    inbound = get_object_or_404(_inbound_for(request.user), pk=pk)
    try:
        sms_replies.mark_handled(inbound=inbound, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The message is marked as handled."))
    return redirect("volunteers:sms_list")
