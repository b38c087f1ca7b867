"""The office's referral screens: the list (officials), a referral's page (officials act on it,
a teacher of the child's school reads it), and referring a child from the file or a concern.

Thin views: fetch within scope (404 outside), form, service, redirect. Every page shows a
child's name: each is ``@shows_personal_data`` and notes its children.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import referral_selectors as selectors
from casework.models import Agency, Concern, Referral, ReferralStatus
from casework.referral_forms import AnswerForm, ReferForm, ReferralFilter
from casework.services import referrals as services
from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view, record_on_file
from lbc_office.core.models import Role
from lbc_office.core.places import limit_to_county
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)


@audit.shows_personal_data
@official_only
def referral_list(request):
    """Every referral, open first; filtered by organisation, status, or overdue only."""
    filtered = ReferralFilter(request.GET, queryset=selectors.referral_list(request.user))
    page = Paginator(filtered.qs, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, [r.child_id for r in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/referrals/list.html",
        {
            "page": page,
            "agencies": limit_to_county(Agency.objects, request.user)
            .order_by("name")
            .only("pk", "name"),
            "statuses": ReferralStatus.choices,
            "today": timezone.localdate(),
            "query": query.urlencode(),
        },
    )


@audit.shows_personal_data
def referral_detail(request, pk):
    """A referral and its steps. Officials answer for the organisation or withdraw it (POST);
    a teacher of the child's school reads it; anyone else: 404."""
    queryset = selectors.referral_page(Referral.objects.visible_to(request.user))
    referral = get_object_or_404(queryset, pk=pk)
    audit.shown(request, referral.child_id)
    official = request.user.is_official
    form = AnswerForm(request.POST or None, referral=referral, official=official)
    if request.method == "POST":
        if not official:
            raise PermissionDenied
        return form_view(
            request, form, services.answer, template="casework/referrals/detail.html",
            success=_("The referral was updated."), redirect_to=referral.get_absolute_url(),
            context=_detail_context(referral, official), referral=referral,
        )  # fmt: skip
    return render(
        request,
        "casework/referrals/detail.html",
        {**_detail_context(referral, official), "form": form},
    )


def _detail_context(referral, official: bool) -> dict:
    return {
        "referral": referral,
        "updates": list(referral.updates.all()),
        "can_answer": official,
        "today": timezone.localdate(),
    }


@audit.shows_personal_data
@official_only
def refer_child(request, pk):
    """Refer a child from the file (an official), optionally for one of their open concerns."""
    child = get_child_for_user(request, pk)
    return record_on_file(
        request,
        child,
        ReferForm(request.POST or None, child=child),
        services.refer,
        template="casework/referrals/refer.html",
        title=_("Refer to an organisation"),
        success=_("The referral was sent."),
        redirect_to=lambda referral: referral.get_absolute_url(),
        child=child,
    )


@audit.shows_personal_data
@official_only
def refer_concern(request, pk):
    """Refer the child of a protection concern, for that concern (an official)."""
    concern = get_object_or_404(Concern.objects.visible_to(request.user), pk=pk)
    child = get_child_for_user(request, concern.child_id)
    return record_on_file(
        request,
        child,
        ReferForm(request.POST or None, child=child, concern=concern),
        services.refer,
        template="casework/referrals/refer.html",
        title=_("Refer to an organisation"),
        success=_("The referral was sent."),
        redirect_to=lambda referral: referral.get_absolute_url(),
        context={"concern": concern},
        child=child,
        concern=concern,
    )
