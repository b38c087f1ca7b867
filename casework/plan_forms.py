"""Forms of case plans (casework/services/plans.py does the rest). Each names its fields."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Agency, PlanAction
from casework.services.plans import DEFAULT_REVIEW_DAYS
from lbc_office.core.forms import DateInput
from lbc_office.core.models import Role, User
from registry.models import Teacher


def staff_for(child):
    """Who may own an action: active officials and the teachers of the child's school."""
    teachers = Teacher.objects.filter(schools=child.school_id).values("user_id")
    officials = Q(role=Role.OFFICIAL, county_code=child.county.code)  # the child's county's
    return User.objects.filter(is_active=True).filter(
        officials | Q(role=Role.TEACHER, pk__in=teachers)
    ).order_by("full_name", "username")  # fmt: skip


class ActionForm(forms.Form):
    what = forms.CharField(label=_("what is to be done"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_user = forms.ModelChoiceField(
        label=_("done by (a person)"), queryset=User.objects.none(), required=False
    )
    owner_agency = forms.ModelChoiceField(
        label=_("or by (an organisation)"), queryset=Agency.objects.none(), required=False,
        help_text=_("Name a person or an organisation, not both."),
    )  # fmt: skip
    due_on = forms.DateField(label=_("due by"), widget=DateInput())

    def __init__(self, *args, child, action: PlanAction | None = None, **kwargs):
        if action is not None:
            kwargs.setdefault("initial", {
                "what": action.what, "owner_user": action.owner_user_id,
                "owner_agency": action.owner_agency_id, "due_on": action.due_on,
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = staff_for(child)
        self.fields["owner_agency"].queryset = Agency.objects.filter(
            active=True, county_id=child.county_id
        )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("what the review found"), widget=forms.Textarea(attrs={"rows": 4})
    )
    next_review_on = forms.DateField(label=_("next review by"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        days = datetime.timedelta(days=DEFAULT_REVIEW_DAYS)
        kwargs.setdefault("initial", {"next_review_on": timezone.localdate() + days})
        super().__init__(*args, **kwargs)


class ClosePlanForm(forms.Form):
    note = forms.CharField(label=_("why the plan closes"), widget=forms.Textarea(attrs={"rows": 3}))
