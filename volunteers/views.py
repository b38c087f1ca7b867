"""Views of the volunteers app: thin — fetch within scope, form, service, redirect."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.auth import role_required
from lbc_office.core.forms import errors_as_messages, form_view, record_on_file, save_form
from lbc_office.core.models import Role
from lbc_office.core.places import limit_to_county
from lbc_office.core.redirects import safe_redirect
from registry import search_box
from registry.filters import search_kind
from registry.models import Child, Town
from registry.selectors import get_child_for_user
from volunteers import forms, selectors
from volunteers.filters import VolunteerFilter
from volunteers.models import (
    Assignment,
    CarerRole,
    CheckinRole,
    MonthlyCheckin,
    Organisation,
    Volunteer,
    month_start,
)
from volunteers.services import care

official_only = role_required(Role.OFFICIAL)


# --- Volunteers and organisations (officials) -------------------------------------------------


@official_only
def volunteer_list(request):
    volunteers = VolunteerFilter(
        request.GET,
        queryset=limit_to_county(Volunteer.objects.with_load(), request.user).select_related(
            "town", "organisation"
        ),
    ).qs
    page = Paginator(volunteers.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            "page": page,
            "roles": CarerRole.choices,
            "towns": limit_to_county(Town.objects, request.user).order_by("name"),
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
@shows_personal_data
@official_only
def volunteer_detail(request, pk):
    volunteer = get_object_or_404(
        limit_to_county(
            Volunteer.objects.select_related("town", "organisation", "user", "vetted_by"),
            request.user,
        ),
        pk=pk,
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
            "load": sum(1 for a in assignments if a.active),
            "candidates": candidates,
            "q": q,
            "form": form,
            "end_form": forms.EndAssignmentForm(),
        },
    )


@official_only
def volunteer_edit(request, pk=None):
    volunteer = (
        get_object_or_404(limit_to_county(Volunteer.objects, request.user), pk=pk)
        if pk
        else Volunteer()
    )
    return form_view(
        request,
        forms.VolunteerForm(request.POST or None, instance=volunteer),
        care.save_volunteer,
        template="simple_form.html",
        context={"title": _("Volunteer")},
        success=_("The volunteer was saved."),
        redirect_to=lambda saved: reverse("volunteers:detail", args=[saved.pk]),
        volunteer=volunteer,
    )


@official_only
@require_POST
def assign_child(request, pk):
    """From the volunteer's page: assign the chosen child in one of the volunteer's roles."""
    volunteer = get_object_or_404(limit_to_county(Volunteer.objects, request.user), pk=pk)
    form = forms.AssignChildForm(request.POST, volunteer=volunteer)
    if not form.is_valid():
        messages.error(request, _("Choose a role and a child."))
    elif assignment := save_form(request, form, _assign, volunteer=volunteer):
        messages.success(request, _("%(child)s is now looked after by %(volunteer)s.") % {
            "child": assignment.child, "volunteer": volunteer})  # fmt: skip
    else:
        errors_as_messages(request, form)
    return redirect("volunteers:detail", pk=volunteer.pk)


def _assign(*, by, volunteer, child, role):
    """The child picked on the volunteer's page, if the official may see it (else 404)."""
    child = get_object_or_404(Child.objects.visible_to(by), pk=child)
    return care.assign_volunteer(child=child, volunteer=volunteer, role=role, by=by)


@shows_personal_data
@official_only
def assign_for_child(request, pk):
    """From the child's file: choose the kind of carer and the volunteer."""
    child = get_child_for_user(request, pk, queryset=Child.objects.select_related("village"))
    return record_on_file(
        request,
        child,
        forms.AssignForChildForm(request.POST or None, child=child),
        care.assign_volunteer,
        template="volunteers/assign_for_child.html",
        title=_("Assign a carer"),
        success=_("The carer was assigned."),
        child=child,
    )


@shows_personal_data
@official_only
def end_assignment(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.active()
        .select_related("child", "volunteer")
        .filter(child__in=Child.objects.visible_to(request.user)),
        pk=pk,
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
    children = selectors.children_without(role, request.user).select_related(
        "school", "village__town"
    )
    if request.GET.get("town", "").isdigit():
        children = children.filter(village__town_id=request.GET["town"])
    counts = selectors.carer_coverage(request.user)
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
            "towns": limit_to_county(Town.objects, request.user).order_by("name"),
            "query": query.urlencode(),
        },
    )


@official_only
def organisation_list(request):
    organisations = (
        limit_to_county(Organisation.objects, request.user)
        .annotate(volunteer_count=Count("volunteers", filter=Q(volunteers__active=True)))
        .select_related("coordinator")
    )
    return render(request, "volunteers/organisation_list.html", {"organisations": organisations})


@official_only
def organisation_edit(request, pk=None):
    organisation = (
        get_object_or_404(limit_to_county(Organisation.objects, request.user), pk=pk)
        if pk
        else Organisation()
    )
    return form_view(
        request,
        forms.OrganisationForm(request.POST or None, instance=organisation),
        care.save_organisation,
        template="simple_form.html",
        context={"title": _("Organisation")},
        success=_("Saved."),
        redirect_to="volunteers:organisations",
        organisation=organisation,
    )


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
    return form_view(
        request,
        forms.CheckinRoleForm(request.POST or None, instance=role),
        care.save_checkin_role,
        template="simple_form.html",
        context={"title": _("Check-in role")},
        success=_("Saved."),
        redirect_to="volunteers:checkin_roles",
        role=role,
    )


@shows_personal_data
@official_only
def checkins(request):
    """A month's check-ins: done, to do, missed; and the concerns raised."""
    month = _month_param(request.GET.get("month"))
    status = request.GET.get("status", "")
    in_county = limit_to_county(MonthlyCheckin.objects, request.user)
    rows = in_county.filter(month=month).select_related(
        "assignment__volunteer__organisation",
        "assignment__child__school",
        "concern_record",
        "recorded_by",
    )
    if status in MonthlyCheckin.Status.values:
        rows = rows.filter(status=status)
    if request.GET.get("concern") == "open":
        # The worries the office has not closed yet (their concern is the office's record).
        rows = rows.filter(concern_record__closed_at__isnull=True)
    totals = dict(
        in_county.filter(month=month)
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


def _month_param(value: str | None) -> datetime.date:
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return month_start(timezone.localdate())
