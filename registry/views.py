"""Views of the register: thin — fetch within scope, form, service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import add_service_error, save_form
from lbc_office.core.models import Role
from registry import access, consent, file_sections, history, search_box, selectors, services
from registry.filters import ChildFilter, search_kind
from registry.forms import (
    ChildForm,
    ConsentForm,
    ConsentOverrideForm,
    FamilyRoomForm,
    GuardianForm,
    HealthCheckForm,
    ParentAwayForm,
    SchoolForm,
    StatusChangeForm,
    TownForm,
    VillageForm,
)
from registry.models import (
    ChildStatus,
    FamilyRoom,
    Guardian,
    ParentAway,
    School,
    Town,
    Village,
)
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)
shows_personal_data = audit.shows_personal_data


def _require_reader(request):
    if not access.can_read_children(request.user):
        raise PermissionDenied


# --- Children ---------------------------------------------------------------------------------


@shows_personal_data
def child_list(request):
    _require_reader(request)
    if response := search_box.search_redirect(request):
        return response
    child_filter = ChildFilter(
        search_box.search_data(request),
        queryset=selectors.children_for_list(request.user),
        user=request.user,
    )
    page = Paginator(child_filter.qs, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, page, search=search_kind(child_filter.data.get("q")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/child_list.html",
        {
            "filter": child_filter,
            "page": page,
            "query": query.urlencode(),
            "filters_open": _filters_set(request.GET),
            "can_edit": access.can_edit_children(request.user),
            "can_export": request.user.is_official,
        },
    )


def _filters_set(params) -> bool:
    """The filter panel opens by itself only when a filter is set: not for a search (its token),
    a page number, or the status the list opens on anyway."""
    return any(
        value
        for key, value in params.items()
        if key not in {"q", "s", "page"} and not (key == "status" and value == ChildStatus.ACTIVE)
    )


@shows_personal_data
def child_detail(request, pk):
    child = get_child_for_user(request, pk, queryset=selectors.personal_file_queryset())
    timeline_page = request.GET.get("timeline", "1")
    timeline_page = int(timeline_page) if timeline_page.isdigit() else 1
    return render(
        request,
        "registry/child_detail.html",
        {
            "child": child,
            "file": selectors.personal_file(child, timeline_page=min(timeline_page, 1000)),
            "can_edit": access.can_edit_children(request.user),
            "actions": file_sections.actions_for(request.user, child),
            "sections": file_sections.sections_for(request, child),
        },
    )


@shows_personal_data
@official_only
def child_history(request, pk):
    """Every version of the file and of its records, with before and after (officials)."""
    child = get_child_for_user(request, pk)
    versions = history.page(child, request.GET.get("page"), user=request.user)
    return render(
        request, "registry/child_history.html", {"child": child, "page": versions, "query": ""}
    )


def child_create(request):
    if not access.can_edit_children(request.user):
        raise PermissionDenied
    form = ChildForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.create_child(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The personal file of %(name)s was created.") % {"name": child}
            )
            return redirect(child)
    return render(request, "registry/child_form.html", {"form": form, "child": None})


@shows_personal_data
def child_edit(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    form = ChildForm(request.POST or None, instance=child, user=request.user)
    if request.method == "POST" and save_form(request, form, services.update_child, child=child):
        messages.success(request, _("The personal file was saved."))
        return redirect(child)
    return render(request, "registry/child_form.html", {"form": form, "child": child})


@shows_personal_data
def child_status(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    form = StatusChangeForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_child_status(
                child=child, status=data["status"], on=data["date"], reason=data["reason"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The status was changed."))
            return redirect(child)
    return render(request, "registry/child_status_form.html", {"form": form, "child": child})


@shows_personal_data
def health_check_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    form = HealthCheckForm(request.POST or None)
    if request.method == "POST" and save_form(
        request, form, services.record_health_check, child=child
    ):
        messages.success(request, _("The health check was recorded."))
        return redirect(child)
    return render(
        request,
        "registry/record_form.html",
        {"form": form, "child": child, "title": _("Record a health check")},
    )


@shows_personal_data
def parent_away_edit(request, pk, relation):
    child = get_child_for_user(request, pk, edit=True)
    if relation not in ParentAway.Relation.values:
        raise Http404
    parent = child.parents_away.filter(relation=relation).first()
    form = ParentAwayForm(request.POST or None, instance=parent)
    if request.method == "POST" and save_form(
        request, form, services.save_parent_away, child=child, relation=relation
    ):
        messages.success(request, _("Saved."))
        return redirect(child)
    title = ParentAway.Relation(relation).label
    return render(
        request, "registry/record_form.html", {"form": form, "child": child, "title": title}
    )


@shows_personal_data
def guardian_edit(request, pk, guardian_pk=None):
    child = get_child_for_user(request, pk, edit=True)
    guardian = (
        get_object_or_404(child.guardians, pk=guardian_pk) if guardian_pk else Guardian(child=child)
    )
    form = GuardianForm(request.POST or None, instance=guardian)
    if request.method == "POST" and save_form(
        request, form, services.save_guardian, guardian=guardian
    ):
        messages.success(request, _("Saved."))
        return redirect(child)
    return render(
        request,
        "registry/record_form.html",
        {"form": form, "child": child, "title": _("Guardian")},
    )


# --- Schools, towns and villages (officials) --------------------------------------------------


@official_only
def school_list(request):
    schools = (
        School.objects.select_related("town")
        .annotate(
            active_children=models.Count(
                "children", filter=models.Q(children__status="active"), distinct=True
            ),
            phones=models.Count(
                "family_rooms",
                filter=models.Q(
                    family_rooms__kind=FamilyRoom.Kind.PHONE, family_rooms__active=True
                ),
                distinct=True,
            ),
            chat_rooms=models.Count(
                "family_rooms",
                filter=models.Q(
                    family_rooms__kind=FamilyRoom.Kind.CHAT_ROOM, family_rooms__active=True
                ),
                distinct=True,
            ),
        )
        .order_by("town__name", "name")
    )
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(request, "registry/school_list.html", {"page": page})


@official_only
def school_detail(request, pk):
    school = get_object_or_404(School.objects.select_related("town", "county"), pk=pk)
    return render(
        request,
        "registry/school_detail.html",
        {
            "school": school,
            "rooms": school.family_rooms.all(),
            "teachers": school.teachers.select_related("user"),
            "active_children": school.children.active().count(),
        },
    )


@official_only
def school_edit(request, pk=None):
    school = get_object_or_404(School, pk=pk) if pk else School()
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and save_form(request, form, services.save_school, school=school):
        messages.success(request, _("The school was saved."))
        return redirect("registry:school_detail", pk=school.pk)
    return render(request, "simple_form.html", {"form": form, "title": _("School")})


@official_only
def family_room_edit(request, school_pk, pk=None):
    school = get_object_or_404(School, pk=school_pk)
    room = get_object_or_404(school.family_rooms, pk=pk) if pk else FamilyRoom(school=school)
    form = FamilyRoomForm(request.POST or None, instance=room)
    if request.method == "POST" and save_form(request, form, services.save_family_room, room=room):
        messages.success(request, _("Saved."))
        return redirect("registry:school_detail", pk=school.pk)
    return render(
        request,
        "simple_form.html",
        {"form": form, "title": _("Family room at %(school)s") % {"school": school}},
    )


@official_only
def town_list(request):
    towns = (
        Town.objects.select_related("county")
        .prefetch_related(models.Prefetch("villages", Village.objects.order_by("name")))
        .annotate(school_count=models.Count("schools", distinct=True))
        .order_by("name")
    )
    return render(request, "registry/town_list.html", {"towns": towns})


@official_only
def town_edit(request, pk=None):
    town = get_object_or_404(Town, pk=pk) if pk else Town()
    form = TownForm(request.POST or None, instance=town)
    if request.method == "POST" and save_form(request, form, services.save_town, town=town):
        messages.success(request, _("The town was saved."))
        return redirect("registry:town_list")
    return render(request, "simple_form.html", {"form": form, "title": _("Town")})


@official_only
def village_edit(request, town_pk, pk=None):
    town = get_object_or_404(Town, pk=town_pk)
    village = get_object_or_404(town.villages, pk=pk) if pk else Village(town=town)
    form = VillageForm(request.POST or None, instance=village)
    if request.method == "POST" and save_form(
        request, form, services.save_village, village=village
    ):
        messages.success(request, _("Saved."))
        return redirect("registry:town_list")
    return render(
        request,
        "simple_form.html",
        {"form": form, "title": _("Village committee in %(town)s") % {"town": town}},
    )


# --- Consent ----------------------------------------------------------------------------------


def _refuse_anonymised(request, child):
    """Nothing is recorded in an anonymised file: back to it, with a message."""
    if child.anonymised_at is None:
        return None
    messages.error(request, _("This file has been anonymised: nothing more is recorded in it."))
    return redirect(child)


@shows_personal_data
def consent_add(request, pk):
    """Officials, and teachers for the children of their schools."""
    child = get_child_for_user(request, pk, edit=True)
    refused = _refuse_anonymised(request, child)
    if refused:
        return refused
    form = ConsentForm(request.POST or None, child=child)
    if request.method == "POST" and save_form(request, form, consent.record_consent, child=child):
        messages.success(request, _("The consent was recorded."))
        return redirect(child)
    return render(
        request,
        "registry/consent_form.html",
        {
            "form": form,
            "child": child,
            "title": _("Record consent"),
            "intro": _(
                "Tick what the guardian agrees to. To record that consent was withdrawn, "
                "leave the boxes unticked: the latest record is the one that counts."
            ),
        },
    )


@shows_personal_data
@official_only
def consent_override(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    refused = _refuse_anonymised(request, child)
    if refused:
        return refused
    form = ConsentOverrideForm(request.POST or None)
    if request.method == "POST" and save_form(
        request, form, consent.record_consent_override, child=child
    ):
        messages.success(request, _("The override was recorded."))
        return redirect(child)
    return render(
        request,
        "registry/consent_form.html",
        {
            "form": form,
            "child": child,
            "title": _("Keep the file without consent"),
            "intro": _(
                "An override records that the office keeps this file without the guardian's "
                "consent, and why. It does not cover sharing with volunteers outside "
                "government or photos: those need the guardian's consent."
            ),
        },
    )


@shows_personal_data
@official_only
def consent_missing(request):
    """Active children whose file no consent (or override) covers: the office's to-do list."""
    if response := search_box.search_redirect(request):
        return response
    child_filter = ChildFilter(
        search_box.search_data(request),
        queryset=consent.children_without_consent().select_related("school", "village__town"),
        user=request.user,
    )
    page = Paginator(child_filter.qs, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, page, search=search_kind(child_filter.data.get("q")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/consent_missing.html",
        {"filter": child_filter, "page": page, "query": query.urlencode()},
    )
