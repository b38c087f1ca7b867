"""Views of the volunteers app: thin — fetch within scope, form, service, redirect."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.auth import role_required
from lbc_office.core.forms import add_service_error, save_form
from lbc_office.core.models import Role
from lbc_office.core.redirects import safe_redirect
from registry import search_box
from registry.filters import search_kind
from registry.models import Child, Town
from registry.selectors import get_child_for_user
from volunteers import forms, selectors
from volunteers.models import (
    Assignment,
    CarerRole,
    CheckinRole,
    MonthlyCheckin,
    Notification,
    Organisation,
    Volunteer,
    month_start,
)
from volunteers.services import care

official_only = role_required(Role.OFFICIAL)


# --- Volunteers and organisations (officials) -------------------------------------------------


@official_only
def volunteer_list(request):
    volunteers = Volunteer.objects.with_load().select_related("town", "organisation")
    role = request.GET.get("role", "")
    if role in CarerRole.values:
        volunteers = volunteers.allowed(role)
    if request.GET.get("town", "").isdigit():
        volunteers = volunteers.filter(town_id=request.GET["town"])
    vetting = request.GET.get("vetting", "")
    if vetting in VETTING_FILTERS:
        volunteers = VETTING_FILTERS[vetting](volunteers)
    q = request.GET.get("q", "").strip()
    if q:
        volunteers = volunteers.filter(Q(name__icontains=q) | Q(phone__contains=q))
    page = Paginator(volunteers.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "page": page,
            "roles": CarerRole.choices,
            "towns": Town.objects.order_by("name"),
            "vetting_choices": [
                (
                    "expiring",
                    _("Vetting expires within %(days)d days")
                    % {"days": settings.VOLUNTEER_VETTING_WARN_DAYS},
                ),
                ("expired", _("Vetting expired")),
                ("none", _("Not vetted yet")),
            ],  # fmt: skip
            "query": query.urlencode(),
        },
    )


# The volunteers list's vetting filter (the dashboard links to "expiring").
VETTING_FILTERS = {
    "expiring": lambda qs: qs.filter(active=True).vetting_expiring(),
    "expired": lambda qs: qs.vetting_expired(),
    "none": lambda qs: qs.filter(vetted_on__isnull=True),
}


@shows_personal_data
@official_only
def volunteer_detail(request, pk):
    volunteer = get_object_or_404(
        Volunteer.objects.select_related("town", "organisation", "user", "vetted_by"), pk=pk
    )
    if response := search_box.search_redirect(request):  # the child search POSTs
        return response
    assignments = volunteer.assignments.select_related("child__school").order_by(
        "ended_on", "-started_on"
    )
    q = search_box.search_data(request).get("q", "")
    candidates = []
    form = forms.AssignChildForm(volunteer=volunteer)
    if q and volunteer.roles:
        candidates = selectors.children_to_assign(request.user, q=q, roles=volunteer.roles)
    assignments = list(assignments)
    audit.shown(request, [a.child_id for a in assignments] + candidates, search=search_kind(q))
    return render(
        request,
        "volunteers/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "assignments": assignments,
            "load": sum(1 for a in assignments if a.ended_on is None),
            "candidates": candidates,
            "q": q,
            "form": form,
            "end_form": forms.EndAssignmentForm(),
        },
    )


@official_only
def volunteer_edit(request, pk=None):
    volunteer = get_object_or_404(Volunteer, pk=pk) if pk else Volunteer()
    form = forms.VolunteerForm(request.POST or None, instance=volunteer)
    if request.method == "POST" and save_form(
        request, form, care.save_volunteer, volunteer=volunteer
    ):
        messages.success(request, _("The volunteer was saved."))
        return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "simple_form.html", {"form": form, "title": _("Volunteer")})


@official_only
@require_POST
def assign_child(request, pk):
    """From the volunteer's page: assign the chosen child in one of the volunteer's roles."""
    volunteer = get_object_or_404(Volunteer, pk=pk)
    form = forms.AssignChildForm(request.POST, volunteer=volunteer)
    if form.is_valid():
        child = get_object_or_404(
            Child.objects.visible_to(request.user), pk=form.cleaned_data["child"]
        )
        try:
            care.assign_volunteer(
                child=child, volunteer=volunteer, role=form.cleaned_data["role"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("%(child)s is now looked after by %(volunteer)s.") % {
                    "child": child, "volunteer": volunteer}
            )  # fmt: skip
    else:
        messages.error(request, _("Choose a role and a child."))
    return redirect("volunteers:detail", pk=volunteer.pk)


@shows_personal_data
@official_only
def assign_for_child(request, pk):
    """From the child's file: choose the kind of carer and the volunteer."""
    child = get_child_for_user(request, pk, queryset=Child.objects.select_related("village"))
    form = forms.AssignForChildForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            care.assign_volunteer(
                child=child, volunteer=data["volunteer"], role=data["role"],
                started_on=data["started_on"], by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The carer was assigned."))
            return redirect(child)
    return render(
        request,
        "volunteers/assign_for_child.html",
        {"form": form, "child": child, "title": _("Assign a carer")},
    )


@shows_personal_data
@official_only
def end_assignment(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("child", "volunteer").filter(ended_on__isnull=True), pk=pk
    )
    audit.shown(request, assignment.child_id)
    form = forms.EndAssignmentForm(request.POST or None)
    if request.method == "POST" and save_form(
        request, form, care.end_assignment, assignment=assignment
    ):
        messages.success(request, _("The assignment ended; its history is kept."))
        return safe_redirect(request, request.POST.get("back"), assignment.child)
    return render(
        request, "volunteers/end_assignment.html", {"form": form, "assignment": assignment}
    )


@shows_personal_data
@official_only
def without_carer(request):
    """Children on the register who still lack each kind of carer."""
    role = request.GET.get("role", CarerRole.SURROGATE_PARENT)
    if role not in CarerRole.values:
        raise Http404
    children = selectors.children_without(role).select_related("school", "village__town")
    if request.GET.get("town", "").isdigit():
        children = children.filter(village__town_id=request.GET["town"])
    counts = selectors.carer_coverage()
    page = Paginator(children.order_by("village__town__name", "name", "id"), 50).get_page(
        request.GET.get("page")
    )
    audit.shown(request, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/without_carer.html",
        {
            "page": page,
            "role": role,
            "roles": CarerRole.choices,
            "counts": counts,
            "towns": Town.objects.order_by("name"),
            "query": query.urlencode(),
        },
    )


@official_only
def organisation_list(request):
    organisations = Organisation.objects.annotate(
        volunteer_count=Count("volunteers", filter=Q(volunteers__active=True))
    ).select_related("coordinator")
    return render(request, "volunteers/organisation_list.html", {"organisations": organisations})


@official_only
def organisation_edit(request, pk=None):
    organisation = get_object_or_404(Organisation, pk=pk) if pk else Organisation()
    form = forms.OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and save_form(
        request, form, care.save_organisation, organisation=organisation
    ):
        messages.success(request, _("Saved."))
        return redirect("volunteers:organisations")
    return render(request, "simple_form.html", {"form": form, "title": _("Organisation")})


@official_only
def checkin_roles(request):
    return render(
        request,
        "volunteers/checkin_roles.html",
        {"roles": CheckinRole.objects.order_by("position")},
    )


@official_only
def checkin_role_edit(request, pk=None):
    role = get_object_or_404(CheckinRole, pk=pk) if pk else CheckinRole()
    form = forms.CheckinRoleForm(request.POST or None, instance=role)
    if request.method == "POST" and save_form(request, form, care.save_checkin_role, role=role):
        messages.success(request, _("Saved."))
        return redirect("volunteers:checkin_roles")
    return render(request, "simple_form.html", {"form": form, "title": _("Check-in role")})


@shows_personal_data
@official_only
def checkins(request):
    """A month's check-ins: done, to do, missed; and the concerns raised."""
    month = _month_param(request.GET.get("month"))
    status = request.GET.get("status", "")
    rows = MonthlyCheckin.objects.filter(month=month).select_related(
        "assignment__volunteer__organisation", "assignment__child__school"
    )
    if status in MonthlyCheckin.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("concern") == "open":
        rows = rows.filter(concern=True, concern_resolved_at__isnull=True)
    totals = dict(
        MonthlyCheckin.objects.filter(month=month)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    page = Paginator(rows.order_by("status", "assignment__volunteer__name", "id"), 50).get_page(
        request.GET.get("page")
    )
    audit.shown(request, [row.assignment.child_id for row in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/checkins.html",
        {
            "page": page,
            "month": month,
            "status": status,
            "statuses": MonthlyCheckin.Status.choices,
            "totals": totals,
            "previous": month_start(month - datetime.timedelta(days=1)),
            "next": month_start(month + datetime.timedelta(days=32)),
            "query": query.urlencode(),
        },
    )


@official_only
@require_POST
def resolve_concern(request, pk):
    checkin = get_object_or_404(MonthlyCheckin, pk=pk)
    try:
        care.resolve_concern(checkin=checkin, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The concern is marked as handled."))
    return safe_redirect(request, request.POST.get("back"), "volunteers:checkins")


def _month_param(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return month_start(timezone.localdate())


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
    volunteer = Volunteer.objects.filter(user=request.user).first()
    # An inactive volunteer's record has no cards (selectors.my_children): the page says so.
    cards = selectors.my_children(volunteer) if volunteer else []
    audit.shown(request, [card.child for card in cards])
    return render(request, "volunteers/my_children.html", {"volunteer": volunteer, "cards": cards})


@shows_personal_data
def my_checkin(request, pk):
    """This month's check-in for one of my children (404 for anyone else's)."""
    volunteer = _my_volunteer(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("child__school").filter(
            volunteer=volunteer, ended_on__isnull=True
        ),
        pk=pk,
    )
    audit.shown(request, assignment.child_id)
    checkin = care.current_checkin(assignment)
    form_class = forms.checkin_form_class(assignment)
    initial = {
        "roles_done": list(checkin.roles_done.all()),
        "contact": checkin.contact,
        "notes": checkin.notes,
        "concern": checkin.concern,
    }
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(request, form, care.submit_checkin, checkin=checkin):
        messages.success(request, _("Thank you! This month's check-in for %(child)s is saved.") % {
            "child": assignment.child.name})  # fmt: skip
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
    notifications = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if pk is not None:
        # Someone else's message does not exist for this user.
        get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
        notifications = notifications.filter(pk=pk)
    notifications.update(read_at=timezone.now())
    return redirect("volunteers:inbox")
