"""Programmes, enrolments, sessions and attendance: the county office's pages (officials only;
everyone else 403). Enrolling from a personal file is child-scoped (404 outside scope)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import add_service_error, save_form
from programmes import selectors, services
from programmes.forms import (
    AttendanceForm,
    EndEnrolmentForm,
    EnrolByFilterForm,
    EnrolChildForm,
    ProgrammeForm,
    SessionForm,
)
from programmes.models import Attendance, Enrolment, Programme, ProgrammeSession
from programmes.views._common import official_only
from registry.models import Child, School
from registry.selectors import get_child_for_user

PAGE_SIZE = 50


def get_programme(pk) -> Programme:
    return get_object_or_404(Programme.objects.select_related("county"), pk=pk)


@official_only
def programme_list(request):
    page = Paginator(selectors.programmes_with_counts(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "programmes/programme_list.html", {"page": page})


@official_only
def programme_edit(request, pk=None):
    programme = get_programme(pk) if pk else Programme()
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST":
        saved = save_form(request, form, services.save_programme, programme=programme)
        if saved:
            messages.success(request, _("The programme was saved."))
            return redirect(saved)
    return render(
        request,
        "simple_form.html",
        {"form": form, "title": _("Programme"), "back": programme if pk else None},
    )


@shows_personal_data
@official_only
def programme_detail(request, pk):
    programme = get_programme(pk)
    show_all = request.GET.get("show") == "all"
    enrolments = programme.enrolments.select_related("child__school")
    if not show_all:
        enrolments = enrolments.filter(ends_on__isnull=True)
    enrolments = enrolments.order_by("child__school__name", "child__name", "pk")
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, [enrolment.child_id for enrolment in page])
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "schools": list(programme.schools.order_by("name")),
            "towns": list(programme.towns.order_by("name")),
            "sessions": list(programme.sessions.all()[:20]),
            "page": page,
            "show_all": show_all,
            "query": "show=all" if show_all else "",
        },
    )


@official_only
def programme_enrol(request, pk):
    """Enrol every child a filter finds (e.g. every poor pupil of a school) in one step: the
    filter is previewed with its count, then confirmed."""
    programme = get_programme(pk)
    where = selectors.programme_children_filter(programme)
    schools = School.objects.filter(pk__in=Child.objects.filter(where).values("school")).order_by(
        "name"
    )
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EnrolByFilterForm(data, schools=schools, initial={"starts_on": timezone.localdate()})
    count = None
    if form.is_bound and form.is_valid():
        children = form.filter(Child.objects.all())
        if request.method == "POST":
            try:
                count = services.enrol_children(
                    programme=programme,
                    children=children,
                    starts_on=form.cleaned_data["starts_on"],
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d child was enrolled.", "%(count)d children were enrolled.", count
                    )
                    % {"count": count},
                )
                return redirect(programme)
        else:
            count = selectors.enrolment_candidates(
                programme, children, starts_on=form.cleaned_data["starts_on"]
            ).count()
    return render(
        request,
        "programmes/programme_enrol.html",
        {"programme": programme, "form": form, "count": count},
    )


@shows_personal_data
def enrol_child(request, pk):
    """Enrol one child from their personal file (officials; others 403, or 404 out of scope)."""
    child = get_child_for_user(request, pk, edit=True)
    if not request.user.is_official:
        raise PermissionDenied
    form = EnrolChildForm(request.POST or None)
    if request.method == "POST" and save_form(request, form, services.enrol_child, child=child):
        messages.success(request, _("The child was enrolled."))
        return redirect(child)
    return render(
        request,
        "programmes/record_form.html",
        {"form": form, "child": child, "title": _("Enrol in a programme")},
    )


@shows_personal_data
@official_only
def enrolment_end(request, enrolment_pk):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("programme", "child"), pk=enrolment_pk
    )
    audit.shown(request, enrolment.child_id)
    form = EndEnrolmentForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and save_form(
        request, form, services.end_enrolment, enrolment=enrolment
    ):
        messages.success(request, _("The enrolment has ended."))
        return redirect(enrolment.programme)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "title": _("End the enrolment of %(child)s in %(programme)s")
            % {"child": enrolment.child.name, "programme": enrolment.programme.name},
            "back": enrolment.programme,
        },
    )


@official_only
def session_add(request, pk):
    programme = get_programme(pk)
    session = ProgrammeSession(programme=programme)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST":
        saved = save_form(request, form, services.save_session, session=session)
        if saved:
            messages.success(request, _("The session was added: now tick who came."))
            return redirect("programmes:session_attendance", session_pk=saved.pk)
    return render(
        request,
        "simple_form.html",
        {"form": form, "title": _("New session of %(name)s") % {"name": programme.name},
         "back": programme},
    )  # fmt: skip


@shows_personal_data
@official_only
def session_attendance(request, session_pk):
    session = get_object_or_404(ProgrammeSession.objects.select_related("programme"), pk=session_pk)
    enrolled = selectors.enrolled_on(session.programme, session.date)
    attendance = {a.child_id: a for a in Attendance.objects.filter(session=session)}
    form = AttendanceForm(request.POST or None, children=enrolled, attendance=attendance)
    audit.shown(request, form.children)
    if request.method == "POST" and form.is_valid():
        try:
            came = services.record_attendance(
                session=session, present=form.present(), by=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d came.", "%(count)d came.", came) % {"count": came},
            )
            return redirect(session.programme)
    return render(request, "programmes/attendance.html", {"session": session, "form": form})
