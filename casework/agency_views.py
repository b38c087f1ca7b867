"""The officials' screens of the joint conference's organisations: list, add, change,
(de)activate. Organisations are reference data: no child is shown here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.models import Agency, Liaison
from casework.models.referrals import OPEN
from casework.referral_forms import AgencyForm
from casework.services import agencies
from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view
from lbc_office.core.models import Role
from lbc_office.core.places import limit_to_county

official_only = role_required(Role.OFFICIAL)


@official_only
def agency_list(request):
    """Every organisation with its partner logins and its open referrals (two queries)."""
    rows = (
        limit_to_county(Agency.objects, request.user)
        .annotate(open_referrals=Count("referrals", filter=Q(referrals__status__in=OPEN)))
        .prefetch_related(Prefetch("liaisons", Liaison.objects.select_related("user")))
    )
    return render(
        request,
        "casework/agencies/list.html",
        {"agencies": rows.order_by("-active", "name")},
    )


@official_only
def agency_edit(request, pk=None):
    agency = (
        get_object_or_404(limit_to_county(Agency.objects, request.user), pk=pk) if pk else Agency()
    )
    return form_view(
        request,
        AgencyForm(request.POST or None, instance=agency),
        _save,
        template="simple_form.html",
        context={"title": _("Partner organisation")},
        success=_("Saved."),
        redirect_to="referrals:agencies",
        agency=agency,
    )


def _save(*, by, agency, **fields):
    return agencies.save_agency(agency=agency, by=by, **fields)


@official_only
@require_POST
def agency_active(request, pk):
    agency = get_object_or_404(limit_to_county(Agency.objects, request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        agencies.set_agency_active(agency=agency, by=request.user, active=active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The organisation was updated."))
    return redirect("referrals:agencies")
