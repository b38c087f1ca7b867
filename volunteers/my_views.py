"""The volunteer's own screens (my children, this month's check-in) and everyone's inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import save_form
from volunteers import forms, selectors
from volunteers.models import Assignment, Notification, Organisation, Volunteer
from volunteers.services import care, notify

# --- The volunteer's own screens ------------------------------------------------------------


def _my_volunteer(request) -> Volunteer:
    """The signed-in volunteer's record; anyone else finds no check-in here (404)."""
    volunteer = (
        Volunteer.objects.filter(user=request.user, active=True).first()
        if request.user.is_volunteer
        else None
    )
    if volunteer is None:
        raise Http404
    return volunteer


@shows_personal_data
def my_children(request):
    if not request.user.is_volunteer:
        raise PermissionDenied
    # ``coordinates``: the coordinator of an organisation gets the link to record its
    # volunteers' check-ins for them (volunteers.sms_views.coordinated), in the same query.
    coordinator = Organisation.objects.filter(coordinator=OuterRef("user"), active=True)
    volunteer = (
        Volunteer.objects.filter(user=request.user)
        .annotate(coordinates=Exists(coordinator))
        .first()
    )
    # An inactive volunteer's record has no cards (selectors.my_children): the page says so.
    cards = selectors.my_children(volunteer) if volunteer else []
    audit.shown(request, [card.child for card in cards])
    return render(request, "volunteers/my_children.html", {"volunteer": volunteer, "cards": cards})


@shows_personal_data
def my_checkin(request, pk):
    """This month's check-in for one of my children (404 for anyone else's)."""
    volunteer = _my_volunteer(request)
    assignment = get_object_or_404(
        Assignment.objects.active().filter(volunteer=volunteer).select_related("child__school"),
        pk=pk,
    )
    audit.shown(request, assignment.child_id)
    # A GET writes nothing: the check-in is opened by the monthly task or, on a POST, here.
    checkin = selectors.checkin_this_month(assignment)
    initial = {
        "roles_done": list(checkin.roles_done.all()) if checkin.pk else [],
        "contact": checkin.contact,
        "notes": checkin.notes,
        "concern": checkin.concern,
        "concern_kind": checkin.concern_record.kind if checkin.concern_record_id else "",
    }
    form = forms.checkin_form_class(assignment)(request.POST or None, initial=initial)
    if request.method == "POST":
        checkin = care.open_checkin(assignment=assignment)
        if save_form(request, form, care.submit_checkin, checkin=checkin):
            thanks = _("Thank you! This month's check-in for %(child)s is saved.")
            messages.success(request, thanks % {"child": assignment.child.name})
            return redirect("volunteers:my_children")
    return render(
        request,
        "volunteers/my_checkin.html",
        {"form": form, "assignment": assignment, "checkin": checkin},
    )


# --- Everyone's inbox -------------------------------------------------------------------------


def inbox(request):
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(notifications, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/inbox.html", {"page": page, "query": ""})


@require_POST
def inbox_read(request, pk=None):
    # Someone else's message does not exist for this user.
    mine = Notification.objects.filter(user=request.user)
    notification = get_object_or_404(mine, pk=pk) if pk is not None else None
    notify.mark_read(user=request.user, notification=notification)
    return redirect("volunteers:inbox")
