"""Forms for donations and their handovers to final recipients."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lbc_office.core.forms import DateInput
from programmes.forms._common import CountyMixin, text_area
from programmes.models import Donation, Programme
from registry.models import School


class DonationForm(CountyMixin, forms.ModelForm):
    class Meta:
        model = Donation
        fields = [
            "county",
            "donor",
            "donor_kind",
            "date",
            "kind",
            "value",
            "description",
            "destination",
            "school",
            "programme",
        ]
        widgets = {
            "date": DateInput(),
            "donor_kind": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "destination": forms.RadioSelect,
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "description": text_area(2),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fit_county()
        for name, choices in (
            ("donor_kind", Donation.DonorKind.choices),
            ("kind", Donation.Kind.choices),
            ("destination", Donation.Destination.choices),
        ):
            self.fields[name].choices = choices
        self.fields["school"].queryset = School.objects.filter(active=True).order_by(
            "town__name", "name"
        )
        self.fields["programme"].queryset = Programme.objects.order_by("-starts_on", "name")
        if self.instance.pk is None:
            self.initial.setdefault("date", timezone.localdate())

    def clean(self):
        data = super().clean()
        destination = data.get("destination")
        if destination == Donation.Destination.SCHOOL and not data.get("school"):
            self.add_error("school", _("Choose the school it was given to."))
        if destination == Donation.Destination.PROGRAMME and not data.get("programme"):
            self.add_error("programme", _("Choose the programme it was given to."))
        if destination != Donation.Destination.SCHOOL:
            data["school"] = None
        if destination != Donation.Destination.PROGRAMME:
            data["programme"] = None
        return data


SCHOOL_ITSELF = "school"


class HandoverForm(forms.Form):
    """Hand part of a donation to one or several recipients, the same value each."""

    recipients = forms.MultipleChoiceField(
        label=capfirst(_("recipients")), widget=forms.CheckboxSelectMultiple, choices=[]
    )
    value = forms.DecimalField(
        label=capfirst(_("value each (yuan)")),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    items = forms.CharField(
        label=capfirst(_("what was handed over")), max_length=200, required=False
    )
    handed_over_on = forms.DateField(label=capfirst(_("handed over on")), widget=DateInput())
    confirmed_by = forms.CharField(
        label=capfirst(_("receipt confirmed by")),
        max_length=100,
        help_text=_("Who signed for it: the child, a guardian or the head teacher."),
    )

    def __init__(self, *args, children, school=None, **kwargs):
        kwargs.setdefault("initial", {"handed_over_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.children = {str(c.pk): c for c in children}
        self.school = school
        choices = []
        if school is not None:
            choices.append(
                (SCHOOL_ITSELF, _("%(school)s itself (shared use)") % {"school": school})
            )
        choices += [
            (pk, _("%(name)s · grade %(grade)d") % {"name": c.name, "grade": c.grade})
            for pk, c in self.children.items()
        ]
        self.fields["recipients"].choices = choices

    def clean(self):
        data = super().clean()
        chosen = data.get("recipients") or []
        data["children"] = [self.children[pk] for pk in chosen if pk in self.children]
        data["schools"] = [self.school] if SCHOOL_ITSELF in chosen and self.school else []
        return data
