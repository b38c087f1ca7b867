"""The partner's screens: the referrals sent to their organisation, and one referral with the
least of the child's file needed to act — name, age, town, guardian and their phone. Never the
identity number (not even masked: a partner has no use for it), never the rest of the file,
no link into the register. Every page is audited; another organisation's referral is 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import referral_selectors as selectors
from casework.models import Referral
from casework.referral_forms import AnswerForm
from casework.services import agencies
from casework.services import referrals as services
from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view
from lbc_office.core.models import Role

partner_only = role_required(Role.PARTNER)


@audit.shows_personal_data
@partner_only
def partner_list(request):
    """The partner's first screen: their organisation's referrals, open first, overdue marked."""
    referrals = list(selectors.partner_referrals(request.user)[:200])
    audit.shown(request, [r.child_id for r in referrals])
    return render(
        request,
        "casework/partner/list.html",
        {
            "referrals": referrals,
            "agency": agencies.agency_of(request.user),
            "today": timezone.localdate(),
        },
    )


@audit.shows_personal_data
@partner_only
def partner_referral(request, pk):
    """One referral of the partner's organisation, and their answer (POST)."""
    queryset = selectors.partner_page(Referral.objects.for_partner(request.user))
    referral = get_object_or_404(queryset, pk=pk)
    audit.shown(request, referral.child_id)
    child = referral.child
    return form_view(
        request,
        AnswerForm(request.POST or None, referral=referral, official=False),
        services.answer,
        template="casework/partner/referral.html",
        success=_("Your answer was recorded."),
        redirect_to=reverse("referrals:partner_referral", args=[referral.pk]),
        context={
            "referral": referral,
            "child": child,
            "age": child.age,
            "guardians": list(child.guardians.all()),
            "updates": list(referral.updates.all()),
            "today": timezone.localdate(),
        },
        referral=referral,
    )
