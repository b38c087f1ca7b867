"""Reunification checks on screen (casework's ``ReunificationCheck``): the list of checks to
make, for the teachers of the children's schools and the officials, and the page where one is
recorded. The roof's, next to the teacher's home screen that lists them too."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import reunification
from lbc_office.core import audit
from lbc_office.core.forms import form_view


class CheckForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("how the child is"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Who you saw or spoke with, how the child is at home and at school."),
    )


def _require_role(request):
    if not (request.user.is_official or request.user.is_teacher):
        raise PermissionDenied


@audit.shows_personal_data
def check_list(request):
    _require_role(request)
    checks = reunification.pending_for(request.user)
    page = Paginator(checks, 50).get_page(request.GET.get("page"))
    audit.shown(request, [c.child_id for c in page])
    return render(
        request,
        "casework/reunification_checks.html",
        {"page": page, "today": timezone.localdate()},
    )


@audit.shows_personal_data
def check_record(request, pk):
    _require_role(request)
    check = get_object_or_404(reunification.for_user(request.user).select_related("child"), pk=pk)
    audit.shown(request, check.child)

    def record(*, by, note):
        return reunification.record_check(check=check, by=by, note=note)

    return form_view(
        request,
        CheckForm(request.POST or None),
        record,
        template="casework/reunification_check.html",
        context={"check": check, "child": check.child},
        success=_("The check was recorded."),
        redirect_to="reunification_checks",
    )
