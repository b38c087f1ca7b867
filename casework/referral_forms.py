"""Forms of the referral screens and of the partner organisations (each names its fields; the
services in ``casework.services`` decide)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Agency, Concern, Referral, ReferralStatus
from casework.models.referrals import TRANSITIONS
from lbc_office.core.forms import DateInput

DEFAULT_DAYS = 7  # a referral's answer is asked for within a week unless the office says


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["county", "name", "kind", "contact_name", "phone"]


class ReferForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Organisation"), queryset=Agency.objects.none())
    concern = forms.ModelChoiceField(
        label=_("Protection concern"), queryset=Concern.objects.none(), required=False
    )
    asked = forms.CharField(
        label=_("What is asked"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the organisation is asked to do for the child."),
    )  # fmt: skip
    due_on = forms.DateField(label=_("Answer needed by"), widget=DateInput())

    def __init__(self, *args, child, concern=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.fields["due_on"].initial = timezone.localdate() + datetime.timedelta(DEFAULT_DAYS)
        if concern is not None:  # from the concern's page: that concern, not a choice
            del self.fields["concern"]
        else:
            self.fields["concern"].queryset = Concern.objects.open().filter(child=child)


class _StepField(forms.ChoiceField):
    """The steps offered, and the referral's own status: the same answer sent again (a double
    click) reaches the service, which records it once and says it was saved."""

    also_valid: frozenset = frozenset()

    def valid_value(self, value):
        return value in self.also_valid or super().valid_value(value)


class AnswerForm(forms.Form):
    """The organisation's answer (or the office's on its behalf): the next status and what
    they say. The choices are the steps open from the referral's status."""

    status = _StepField(label=_("Answer"))
    feedback = forms.CharField(
        label=_("Feedback"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, referral: Referral, official: bool, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(referral.status, frozenset())
        self.fields["status"].also_valid = frozenset({referral.status})
        self.fields["status"].choices = [
            (value, label)
            for value, label in ReferralStatus.choices
            if value in allowed and (official or value != ReferralStatus.CANCELLED)
        ]

    @property
    def closed(self) -> bool:
        return not self.fields["status"].choices


class ReferralFilter(django_filters.FilterSet):
    """The officials' list: by organisation, status, and overdue only."""

    agency = django_filters.NumberFilter(field_name="agency_id")
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Referral
        fields = []

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset
