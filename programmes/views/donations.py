"""Donations and where they ended up (officials only; everyone else 403), and what one child
has received (child-scoped: teachers of the school and officials; 404 outside scope)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import form_view
from lbc_office.core.places import limit_to_county
from programmes import selectors, services
from programmes.forms import DonationForm, HandoverForm
from programmes.models import Donation
from programmes.views._common import official_only, require_teacher_or_official
from registry.models import Child, School
from registry.selectors import get_child_for_user

PAGE_SIZE = 50


def get_donation(pk, user) -> Donation:
    queryset = Donation.objects.with_traced().select_related(
        "school__town", "programme", "created_by", "updated_by"
    )
    return get_object_or_404(limit_to_county(queryset, user), pk=pk)


@official_only
def donation_list(request):
    open_only = request.GET.get("open") == "1"
    donations = selectors.donations_for_list(open_only=open_only)
    page = Paginator(donations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/donation_list.html",
        {"page": page, "open_only": open_only, "query": "open=1" if open_only else ""},
    )


@official_only
def donation_edit(request, pk=None):
    donation = (
        get_object_or_404(limit_to_county(Donation.objects, request.user), pk=pk)
        if pk
        else Donation()
    )
    return form_view(
        request,
        DonationForm(request.POST or None, instance=donation),
        services.save_donation,
        template="simple_form.html",
        context={"title": _("Donation"), "back": donation if pk else None},
        success=_("The donation was saved."),
        redirect_to=lambda saved: saved,
        donation=donation,
    )


@shows_personal_data
@official_only
def donation_detail(request, pk):
    """Where did this donation end up? Every handover, and what is still unaccounted for."""
    donation = get_donation(pk, request.user)
    page = Paginator(selectors.donation_handovers(donation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.shown(request, [handover.child_id for handover in page if handover.child_id])
    return render(request, "programmes/donation_detail.html", {"donation": donation, "page": page})


def _handover_schools(donation: Donation):
    """The schools whose children may receive it (None: the donation's own school only)."""
    if donation.destination == Donation.Destination.SCHOOL:
        return None
    if donation.destination == Donation.Destination.PROGRAMME:
        where = selectors.programme_children_filter(donation.programme)
        return School.objects.filter(pk__in=Child.objects.filter(where).values("school")).order_by(
            "name"
        )
    return School.objects.filter(active=True).order_by("town__name", "name")


@shows_personal_data
@official_only
def handover_add(request, pk):
    """Hand part of the donation to children of one school (or to the school itself)."""
    donation = get_donation(pk, request.user)
    schools = _handover_schools(donation)
    if schools is None:
        school = donation.school
    else:
        school_pk = request.GET.get("school", "")
        school = schools.filter(pk=school_pk).first() if school_pk.isdigit() else None
    context = {"donation": donation, "schools": schools, "school": school}
    if school is not None:
        children = Child.objects.active().filter(school=school).order_by("grade", "name", "pk")
        if donation.destination == Donation.Destination.PROGRAMME:
            children = children.filter(enrolments__programme=donation.programme_id).distinct()
        form = HandoverForm(
            request.POST or None,
            children=children,
            school=school if donation.destination != Donation.Destination.CHILDREN else None,
        )
        audit.shown(request, children.order_by().values_list("pk", flat=True))
        return form_view(
            request,
            form,
            _record_handovers,
            template="programmes/handover_form.html",
            context=context,
            success=lambda made: (
                ngettext(
                    "%(count)d handover was recorded.",
                    "%(count)d handovers were recorded.",
                    len(made),
                )
                % {"count": len(made)}
            ),
            redirect_to=donation,
            donation=donation,
        )
    return render(request, "programmes/handover_form.html", {**context, "form": None})


def _record_handovers(*, donation, by, **data):
    """The handover form's answers, as the service takes them."""
    return services.record_handovers(
        donation=donation,
        children=data["children"],
        schools=data["schools"],
        value_each=data["value"],
        handed_over_on=data["handed_over_on"],
        confirmed_by=data["confirmed_by"],
        items=data["items"],
        by=by,
    )


@shows_personal_data
def child_received(request, pk):
    """What has this child received? Donations handed to them and the programmes they joined."""
    child = get_child_for_user(request, pk)
    require_teacher_or_official(request)
    received = selectors.child_received(child)
    total = sum((h.value for h in received["handovers"]), start=0)
    return render(
        request,
        "programmes/child_received.html",
        {"child": child, **received, "total": total},
    )
