"""Home visits, family-room calls and parents' visits: teachers (of the child's school) and
officials. Thin views: fetch within scope (404 outside), form, service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import form_view, record_on_file
from programmes import selectors, services
from programmes.forms import CallSessionForm, FamilyCallForm, HomeVisitForm, ParentVisitForm
from programmes.models import FamilyCall, HomeVisit, ParentVisit
from programmes.views._common import require_teacher_or_official
from registry.models import Child, FamilyRoom
from registry.selectors import get_child_for_user

# --- Fetch-and-authorise helpers ---------------------------------------------------------------


def get_visit_for_user(request, pk, *, edit: bool = False) -> HomeVisit:
    """A home visit of a child the user may see (else 404), for staff (else 403). Changing it is
    for the teacher who made it and for officials."""
    visit = get_object_or_404(selectors.visit_queryset().visible_to(request.user), pk=pk)
    require_teacher_or_official(request)
    if edit and not (request.user.is_official or visit.visitor_id == request.user.pk):
        raise PermissionDenied
    audit.shown(request, visit.child_id)
    return visit


def get_call_for_user(request, pk) -> FamilyCall:
    queryset = FamilyCall.objects.select_related("child__school", "room")
    call = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    require_teacher_or_official(request)
    audit.shown(request, call.child_id)
    return call


def get_parent_visit_for_user(request, pk) -> ParentVisit:
    queryset = ParentVisit.objects.select_related("child__school")
    visit = get_object_or_404(queryset.visible_to(request.user), pk=pk)
    require_teacher_or_official(request)
    audit.shown(request, visit.child_id)
    return visit


def get_room_for_user(request, pk) -> FamilyRoom:
    """A family room in use at a school the user may see (else 404), for staff (else 403)."""
    room = get_object_or_404(selectors.rooms_for(request.user), pk=pk)
    require_teacher_or_official(request)
    return room


# --- Home visits -------------------------------------------------------------------------------


@shows_personal_data
def visit_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        HomeVisitForm(request.POST or None),
        services.record_home_visit,
        template="programmes/visit_form.html",
        title=_("Record a home visit"),
        success=_("The home visit was recorded."),
        child=child,
        visitor=request.user,
    )


@shows_personal_data
def visit_detail(request, visit_pk):
    visit = get_visit_for_user(request, visit_pk)
    can_edit = request.user.is_official or visit.visitor_id == request.user.pk
    return render(
        request,
        "programmes/visit_detail.html",
        {"visit": visit, "child": visit.child, "can_edit": can_edit},
    )


@shows_personal_data
def visit_edit(request, visit_pk):
    visit = get_visit_for_user(request, visit_pk, edit=True)
    return record_on_file(
        request,
        visit.child,
        HomeVisitForm(request.POST or None, instance=visit),
        services.update_home_visit,
        template="programmes/visit_form.html",
        title=_("Change the home visit"),
        success=_("The home visit was saved."),
        redirect_to=visit,
        visit=visit,
    )


@shows_personal_data
def follow_ups(request):
    """Follow-ups that have come due with no later visit (``?show=open``: every open one)."""
    require_teacher_or_official(request)
    due_only = request.GET.get("show") != "open"
    today = timezone.localdate()
    visits = selectors.open_follow_ups(request.user, today=today, due_only=due_only)
    page = Paginator(visits, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, [visit.child_id for visit in page])
    return render(
        request,
        "programmes/follow_ups.html",
        {
            "page": page,
            "due_only": due_only,
            "today": today,
            "query": "" if due_only else "show=open",
        },
    )


# --- Family-room calls -------------------------------------------------------------------------


@shows_personal_data
def call_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    form = FamilyCallForm(request.POST or None, child=child)
    return record_on_file(
        request,
        child,
        form,
        services.record_family_call,
        template="programmes/call_form.html",
        title=_("Record a family-room call"),
        context={"no_room": not form.fields["room"].queryset.exists()},
        success=_("The call was recorded."),
        child=child,
    )


@shows_personal_data
def call_edit(request, call_pk):
    call = get_call_for_user(request, call_pk)
    return record_on_file(
        request,
        call.child,
        FamilyCallForm(request.POST or None, instance=call, child=call.child),
        services.update_family_call,
        template="programmes/call_form.html",
        title=_("Change the call"),
        context={"no_room": False},
        success=_("The call was saved."),
        call=call,
    )


def room_list(request):
    """The family rooms of the user's schools, each with a button to record a session."""
    require_teacher_or_official(request)
    rooms = selectors.rooms_for(request.user)
    return render(request, "programmes/room_list.html", {"rooms": rooms})


@shows_personal_data
def call_session(request, room_pk):
    """Record several children's calls of one session in a family room, class by class."""
    room = get_room_for_user(request, room_pk)
    pupils = Child.objects.visible_to(request.user).active().filter(school=room.school_id)
    grades = list(pupils.values("grade").annotate(count=Count("pk")).order_by("grade"))
    grade = request.GET.get("grade", "")
    grade = (
        int(grade) if grade.isdigit() and any(g["grade"] == int(grade) for g in grades) else None
    )
    context = {"room": room, "grades": grades, "grade": grade, "form": None}
    if grade is None:
        return render(request, "programmes/call_session.html", context)
    children = pupils.filter(grade=grade).order_by("name", "pk")
    form = CallSessionForm(request.POST or None, children=children)
    audit.shown(request, form.children)

    def record(*, by, at, calls, **_per_child_fields):
        return services.record_call_session(room=room, at=at, calls=calls, by=by)

    return form_view(
        request,
        form,
        record,
        template="programmes/call_session.html",
        context=context,
        success=lambda calls: _recorded(calls, form.children),
        redirect_to=f"{request.path}?grade={grade}",
    )


def _recorded(calls, children) -> str:
    """The message after a session: how many calls, and whose (the teacher checks the list)."""
    names = {child.pk: child.name for child in children}
    return ngettext(
        "%(count)d call was recorded: %(names)s.",
        "%(count)d calls were recorded: %(names)s.",
        len(calls),
    ) % {"count": len(calls), "names": "、".join(names.get(c.child_id, "") for c in calls)}


# --- Parents' visits home ----------------------------------------------------------------------


@shows_personal_data
def parent_visit_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        ParentVisitForm(request.POST or None),
        services.record_parent_visit,
        template="programmes/record_form.html",
        title=_("A parent came home"),
        success=_("The parent's visit home was recorded."),
        child=child,
    )


@shows_personal_data
def parent_visit_edit(request, visit_pk):
    visit = get_parent_visit_for_user(request, visit_pk)
    return record_on_file(
        request,
        visit.child,
        ParentVisitForm(request.POST or None, instance=visit),
        services.update_parent_visit,
        template="programmes/record_form.html",
        title=_("A parent came home"),
        success=_("Saved."),
        visit=visit,
    )


# --- Contact gaps ------------------------------------------------------------------------------


@shows_personal_data
def contact_gaps(request):
    """Children with no contact with a parent for 30, 90 or 365 days (or none recorded)."""
    require_teacher_or_official(request)
    days = request.GET.get("days", "")
    days = (
        int(days) if days.isdigit() and int(days) in selectors.GAP_DAYS else selectors.GAP_DAYS[0]
    )
    today = timezone.localdate()
    children = selectors.contact_gap(request.user, days=days, today=today)
    page = Paginator(children, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:  # the rows of this page only: no query
        last = child.last_contact
        child.days_without_contact = (today - last).days if last is not None else None
    audit.shown(request, page)
    return render(
        request,
        "programmes/contact_gaps.html",
        {
            "page": page,
            "days": days,
            "counts": selectors.contact_gap_counts(request.user, today=today),
            "today": today,
            "query": f"days={days}",
        },
    )
