"""Officials issue one another's enrolment codes for two-step sign-in (ground floor).

Standalone pages: the officials who may need a code, and the page that issues one and shows it
once. The account-management screens link here (URL names ``enrolment_codes`` and
``issue_enrolment_code``). Nobody issues a code for themselves: their own row is not offered and
their own key answers 404, like any key outside a page's scope.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core import enrolment
from lbc_office.core.auth import role_required
from lbc_office.core.models import EnrolmentCode, Role, User
from lbc_office.core.places import limit_to_county


def _others(request):
    """The active officials other than the one asking."""
    return (
        limit_to_county(User.objects.filter(role=Role.OFFICIAL, is_active=True), request.user)
        .exclude(pk=request.user.pk)
        .annotate(
            has_authenticator=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            has_live_code=Exists(
                EnrolmentCode.objects.filter(
                    user=OuterRef("pk"),
                    used_at=None,
                    revoked_at=None,
                    expires_at__gt=timezone.now(),
                )
            ),
        )
        .order_by("username")
    )


@role_required(Role.OFFICIAL)
def enrolment_codes(request):
    return render(request, "lbc_office/enrolment_codes.html", {"officials": _others(request)})


@never_cache
@role_required(Role.OFFICIAL)
def issue_enrolment_code(request, pk):
    official = get_object_or_404(_others(request), pk=pk)
    code, errors = None, []
    if request.method == "POST":
        try:
            code = enrolment.issue_enrolment_code(user=official, by=request.user)
        except ValidationError as exc:
            errors = exc.messages
    context = {
        "official": official,
        "code": code,
        "errors": errors,
        "hours": settings.ENROLMENT_CODE_HOURS,
    }
    return render(request, "lbc_office/enrolment_code_issue.html", context)
