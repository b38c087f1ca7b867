"""Reunification checks on screen (casework's ``ReunificationCheck``): the list of checks to
make, for the teachers of the children's schools and the officials, and the page where one is
recorded. The roof's, next to the teacher's home screen that lists them too."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import reunification
from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view
from lbc_office.core.models import Role


class CheckForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("how the child is"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Who you saw or spoke with, how the child is at home and at school."
        ),
    )


# Teachers (of the child's school: ``reunification.for_user``) and officials; anyone else gets
# 403 on the list and 404 on a check.
teachers_and_officials = role_required(Role.OFFICIAL, Role.TEACHER)


@audit.shows_personal_data
@teachers_and_officials
def check_list(request):
    checks = reunification.pending_for(request.user)
    page = Paginator(checks, 50).get_page(request.GET.get("page"))
    audit.shown(request, [c.child_id for c in page])
    return render(
        request,
        "casework/reunification_checks.html",
        {"page": page, "today": timezone.localdate()},
    )


@audit.shows_personal_data
@teachers_and_officials
def check_record(request, pk):
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
