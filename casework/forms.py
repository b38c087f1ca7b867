"""The concern forms: raising one from the file, looking at it, what was done, closing and
opening it again. Fields are named; the services keep the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import Concern, ConcernSource, Severity

# Raised from the file by a teacher or an official: who brought it to them. A home visit, a
# volunteer's check-in and the family room raise theirs from their own forms.
FILE_SOURCES = [
    (s.value, s.label)
    for s in (
        ConcernSource.SCHOOL,
        ConcernSource.CHILD,
        ConcernSource.DEPARTMENT,
        ConcernSource.FAMILY_ROOM,
    )
]


def _text(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class ConcernForm(forms.ModelForm):
    """A concern raised from the child's file."""

    class Meta:
        model = Concern
        fields = ["source", "kind", "severity", "description"]
        widgets = {
            "source": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "severity": forms.RadioSelect,
            "description": _text(4),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = FILE_SOURCES
        self.fields["kind"].choices = Concern.Kind.choices
        self.fields["severity"].choices = Severity.choices
        self.initial.setdefault("source", ConcernSource.SCHOOL)
        self.initial.setdefault("severity", Severity.MEDIUM)


class TriageForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("Keep as it is")), *Severity.choices],
        required=False,
    )
    action_taken = forms.CharField(
        label=_("What was done (optional)"), widget=_text(), required=False
    )


class ActionForm(forms.Form):
    action_taken = forms.CharField(label=_("What was done"), widget=_text())


# "The child left the register" is set by the closing of the file, not chosen here.
CLOSING_OUTCOMES = [c for c in Concern.Outcome.choices if c[0] != Concern.Outcome.LEFT]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=CLOSING_OUTCOMES, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Outcome in words"), widget=_text(2), required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why open it again?"), widget=_text(2))
