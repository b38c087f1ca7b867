"""Programmes, enrolments, sessions and attendance: the county office's pages (officials only;
everyone else 403). Enrolling from a personal file is child-scoped (404 outside scope)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import form_view, record_on_file
from lbc_office.core.places import limit_to_county
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


def get_programme(pk, user) -> Programme:
    programmes = limit_to_county(Programme.objects.select_related("county"), user)
    return get_object_or_404(programmes, pk=pk)


@official_only
def programme_list(request):
    programmes = limit_to_county(selectors.programmes_with_counts(), request.user)
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "programmes/programme_list.html", {"page": page})


@official_only
def programme_edit(request, pk=None):
    programme = get_programme(pk, request.user) if pk else Programme()
    return form_view(
        request,
        ProgrammeForm(request.POST or None, instance=programme),
        services.save_programme,
        template="simple_form.html",
        context={"title": _("Programme"), "back": programme if pk else None},
        success=_("The programme was saved."),
        redirect_to=lambda saved: saved,
        programme=programme,
    )


@shows_personal_data
@official_only
def programme_detail(request, pk):
    programme = get_programme(pk, request.user)
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
    programme = get_programme(pk, request.user)
    where = selectors.programme_children_filter(programme)
    schools = School.objects.filter(pk__in=Child.objects.filter(where).values("school")).order_by(
        "name"
    )
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EnrolByFilterForm(data, schools=schools, initial={"starts_on": timezone.localdate()})
    context = {"programme": programme, "count": None}
    if request.method == "POST":

        def enrol(*, by, starts_on, **_filter):
            children = form.filter(Child.objects.all())
            return services.enrol_children(
                programme=programme, children=children, starts_on=starts_on, by=by
            )

        return form_view(
            request,
            form,
            enrol,
            template="programmes/programme_enrol.html",
            context=context,
            success=lambda count: (
                ngettext(
                    "%(count)d child was enrolled.", "%(count)d children were enrolled.", count
                )
                % {"count": count}
            ),
            redirect_to=programme,
        )
    if form.is_bound and form.is_valid():
        context["count"] = selectors.enrolment_candidates(
            programme, form.filter(Child.objects.all()), starts_on=form.cleaned_data["starts_on"]
        ).count()
    return render(request, "programmes/programme_enrol.html", {**context, "form": form})


@shows_personal_data
def enrol_child(request, pk):
    """Enrol one child from their personal file (officials; others 403, or 404 out of scope)."""
    child = get_child_for_user(request, pk, edit=True)
    if not request.user.is_official:
        raise PermissionDenied
    return record_on_file(
        request,
        child,
        EnrolChildForm(request.POST or None),
        services.enrol_child,
        template="programmes/record_form.html",
        title=_("Enrol in a programme"),
        success=_("The child was enrolled."),
        child=child,
    )


@shows_personal_data
@official_only
def enrolment_end(request, enrolment_pk):
    enrolment = get_object_or_404(
        limit_to_county(Enrolment.objects.select_related("programme", "child"), request.user),
        pk=enrolment_pk,
    )
    audit.shown(request, enrolment.child_id)
    title = _("End the enrolment of %(child)s in %(programme)s") % {
        "child": enrolment.child.name, "programme": enrolment.programme.name}  # fmt: skip
    return form_view(
        request,
        EndEnrolmentForm(request.POST or None, initial={"ends_on": timezone.localdate()}),
        services.end_enrolment,
        template="simple_form.html",
        context={"title": title, "back": enrolment.programme},
        success=_("The enrolment has ended."),
        redirect_to=enrolment.programme,
        enrolment=enrolment,
    )


@official_only
def session_add(request, pk):
    programme = get_programme(pk, request.user)
    session = ProgrammeSession(programme=programme)
    return form_view(
        request,
        SessionForm(request.POST or None, instance=session),
        services.save_session,
        template="simple_form.html",
        context={
            "title": _("New session of %(name)s") % {"name": programme.name},
            "back": programme,
        },  # fmt: skip
        success=_("The session was added: now tick who came."),
        redirect_to=lambda saved: reverse("programmes:session_attendance", args=[saved.pk]),
        session=session,
    )


@shows_personal_data
@official_only
def session_attendance(request, session_pk):
    session = get_object_or_404(
        limit_to_county(ProgrammeSession.objects.select_related("programme"), request.user),
        pk=session_pk,
    )
    enrolled = selectors.enrolled_on(session.programme, session.date)
    attendance = {a.child_id: a for a in Attendance.objects.filter(session=session)}
    form = AttendanceForm(request.POST or None, children=enrolled, attendance=attendance)
    audit.shown(request, form.children)

    def record(*, by, **_boxes):
        return services.record_attendance(session=session, present=form.present(), by=by)

    return form_view(
        request,
        form,
        record,
        template="programmes/attendance.html",
        context={"session": session},
        success=lambda came: ngettext("%(count)d came.", "%(count)d came.", came) % {"count": came},
        redirect_to=session.programme,
    )
