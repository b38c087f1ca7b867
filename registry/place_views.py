"""Schools, their family rooms, towns and villages: the officials' reference data."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view
from lbc_office.core.models import Role
from registry import access, services
from registry.forms import FamilyRoomForm, SchoolForm, TownForm, VillageForm
from registry.models import FamilyRoom, School, Town, Village

official_only = role_required(Role.OFFICIAL)


@official_only
def school_list(request):
    schools = (
        School.objects.visible_to(request.user)
        .select_related("town")
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
    school = get_object_or_404(
        School.objects.visible_to(request.user).select_related("town", "county"), pk=pk
    )
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
    school = get_object_or_404(School.objects.visible_to(request.user), pk=pk) if pk else School()
    return form_view(
        request,
        SchoolForm(request.POST or None, instance=school),
        services.save_school,
        template="simple_form.html",
        context={"title": _("School")},
        success=_("The school was saved."),
        redirect_to=lambda saved: reverse("registry:school_detail", args=[saved.pk]),
        school=school,
    )


@official_only
def family_room_edit(request, school_pk, pk=None):
    school = get_object_or_404(School.objects.visible_to(request.user), pk=school_pk)
    room = get_object_or_404(school.family_rooms, pk=pk) if pk else FamilyRoom(school=school)
    return form_view(
        request,
        FamilyRoomForm(request.POST or None, instance=room),
        services.save_family_room,
        template="simple_form.html",
        context={"title": _("Family room at %(school)s") % {"school": school}},
        success=_("Saved."),
        redirect_to=reverse("registry:school_detail", args=[school.pk]),
        room=room,
    )


@official_only
def town_list(request):
    towns = (
        access.scope_county(Town.objects.select_related("county"), request.user)
        .prefetch_related(models.Prefetch("villages", Village.objects.order_by("name")))
        .annotate(school_count=models.Count("schools", distinct=True))
        .order_by("name")
    )
    return render(request, "registry/town_list.html", {"towns": towns})


@official_only
def town_edit(request, pk=None):
    town = (
        get_object_or_404(access.scope_county(Town.objects, request.user), pk=pk) if pk else Town()
    )
    return form_view(
        request,
        TownForm(request.POST or None, instance=town),
        services.save_town,
        template="simple_form.html",
        context={"title": _("Town")},
        success=_("The town was saved."),
        redirect_to="registry:town_list",
        town=town,
    )


@official_only
def village_edit(request, town_pk, pk=None):
    town = get_object_or_404(access.scope_county(Town.objects, request.user), pk=town_pk)
    village = get_object_or_404(town.villages, pk=pk) if pk else Village(town=town)
    return form_view(
        request,
        VillageForm(request.POST or None, instance=village),
        services.save_village,
        template="simple_form.html",
        context={"title": _("Village committee in %(town)s") % {"town": town}},
        success=_("Saved."),
        redirect_to="registry:town_list",
        village=village,
    )
