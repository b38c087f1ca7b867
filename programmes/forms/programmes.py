"""Forms for programmes, enrolments (one child or by a filter), sessions and attendance."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lbc_office.core.forms import DateInput
from programmes.forms._common import CountyMixin, text_area
from programmes.models import Programme, ProgrammeSession
from registry.forms import grade_choices
from registry.models import School, Town


class ProgrammeForm(CountyMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "county",
            "name",
            "kind",
            "starts_on",
            "ends_on",
            "towns",
            "schools",
            "description",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "towns": forms.CheckboxSelectMultiple,
            "schools": forms.SelectMultiple(attrs={"size": 8}),
            "description": text_area(3),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fit_county()
        self.fields["towns"].queryset = Town.objects.order_by("name")
        self.fields["schools"].queryset = School.objects.filter(active=True).order_by(
            "town__name", "name"
        )


class EnrolChildForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=capfirst(_("programme")), queryset=Programme.objects.none()
    )
    starts_on = forms.DateField(label=capfirst(_("from")), widget=DateInput())
    notes = forms.CharField(label=capfirst(_("notes")), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["programme"].queryset = Programme.objects.exclude(ends_on__lt=today).order_by(
            "name"
        )


class EnrolByFilterForm(forms.Form):
    """Who to enrol: the children of the programme's places that match every choice made."""

    ANY = [("", _("Any"))]
    YES = [("", _("Any")), ("yes", _("Yes"))]

    school = forms.ModelChoiceField(
        label=capfirst(_("school")),
        queryset=School.objects.none(),
        required=False,
        empty_label=capfirst(_("All schools")),
    )
    grade = forms.TypedChoiceField(
        label=capfirst(_("grade")),
        choices=grade_choices(_("All grades")),
        coerce=int,
        required=False,
        empty_value=None,
    )
    poor = forms.ChoiceField(label=capfirst(_("poor household")), choices=YES, required=False)
    boarding = forms.ChoiceField(label=capfirst(_("boards at school")), choices=YES, required=False)
    both_parents_away = forms.ChoiceField(
        label=capfirst(_("both parents away")), choices=YES, required=False
    )
    starts_on = forms.DateField(label=capfirst(_("enrolled from")), widget=DateInput())

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"

    def filter(self, children):
        data = self.cleaned_data
        if data.get("school"):
            children = children.filter(school=data["school"])
        if data.get("grade"):
            children = children.filter(grade=data["grade"])
        if data.get("poor") == "yes":
            children = children.filter(poor=True)
        if data.get("boarding") == "yes":
            children = children.filter(boarding=True)
        if data.get("both_parents_away") == "yes":
            children = children.both_parents_away()
        return children


class EndEnrolmentForm(forms.Form):
    ends_on = forms.DateField(label=capfirst(_("ended on")), widget=DateInput())


class SessionForm(forms.ModelForm):
    class Meta:
        model = ProgrammeSession
        fields = ["date", "topic", "place"]
        widgets = {"date": DateInput()}


class AttendanceForm(forms.Form):
    """A tick per enrolled child (who came for them, for a parent school)."""

    def __init__(self, *args, children, attendance, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = list(children)
        for child in self.children:
            row = attendance.get(child.pk)
            self.fields[f"came_{child.pk}"] = forms.BooleanField(
                label=child.name, required=False, initial=bool(row and row.present)
            )
            self.fields[f"who_{child.pk}"] = forms.CharField(
                label=capfirst(_("who came")),
                required=False,
                max_length=50,
                initial=row.attendee if row else "",
                widget=forms.TextInput(
                    attrs={"class": "form-control", "placeholder": _("who came")}
                ),
            )

    def rows(self):
        return [
            (child, self[f"came_{child.pk}"], self[f"who_{child.pk}"]) for child in self.children
        ]

    def present(self) -> dict:
        data = self.cleaned_data
        return {
            child: data.get(f"who_{child.pk}", "").strip()
            for child in self.children
            if data.get(f"came_{child.pk}")
        }
