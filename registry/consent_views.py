"""The official's override of the guardian's consent to share with volunteers: record one (a
reason and an end date) and end it early. Thin: fetch within scope, form, service, redirect."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lbc_office.core.audit import shows_personal_data
from lbc_office.core.auth import role_required
from lbc_office.core.forms import DateInput, record_on_file
from lbc_office.core.models import Role
from registry import consent
from registry.models import ConsentOverride
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)


class SharingOverrideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("reason for the override"),
        help_text=gettext_lazy(
            "Why the child's volunteers may see the file without the guardian's consent."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_until = forms.DateField(label=gettext_lazy("valid until"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"valid_until": timezone.localdate() + datetime.timedelta(days=30)}
        )
        super().__init__(*args, **kwargs)


@shows_personal_data
@official_only
def sharing_override(request, pk):
    child = get_child_for_user(request, pk)
    return record_on_file(
        request,
        child,
        SharingOverrideForm(request.POST or None),
        consent.record_sharing_override,
        template="registry/consent_form.html",
        title=_("Let volunteers see the file without consent"),
        context={
            "intro": _(
                "The guardian's consent to share this file with volunteers does not stand. An "
                "override lets the child's volunteers see it until the date you set; say why. "
                "Ask the guardian again meanwhile."
            )
        },
        success=_("The override was recorded."),
        child=child,
    )


@official_only
@require_POST
def sharing_override_end(request, pk, override_pk):
    child = get_child_for_user(request, pk)
    override = get_object_or_404(ConsentOverride.objects.filter(child=child), pk=override_pk)
    try:
        consent.end_sharing_override(override=override, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The override ended: volunteers no longer see this file."))
    return redirect(child)
