"""Forms for contact: home visits, family-room calls (one or a session), parents' visits."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from casework.models import ConcernKind, Severity
from lbc_office.core.forms import DateInput
from programmes.forms._common import DateTimeInput, now_to_the_minute, text_area
from programmes.models import FamilyCall, HomeVisit, ParentVisit, WithWhom
from registry.models import FamilyRoom


class HomeVisitForm(forms.ModelForm):
    # Shown as headed groups on the phone, in this order.
    GROUPS = [
        (_("The visit"), ["date", "met"]),
        (
            _("The guardian"),
            ["guardian_health", "guardian_supervision", "guardian_homework", "guardian_situation"],
        ),
        (
            _("Recommendations"),
            ["education", "safety", "behaviour", "physical_health", "mental_health"],
        ),
        (_("The child and the community"), ["child_said", "community"]),
        (_("Follow-up"), ["follow_up_needed", "follow_up_by", "follow_up_note"]),
        (
            _("Protection concern"),
            ["raise_concern", "concern_kind", "concern_severity", "concern_description"],
        ),
    ]
    CONCERN_FIELDS = ["raise_concern", "concern_kind", "concern_severity", "concern_description"]

    # Not fields of the visit: a concern ticked here becomes casework's record, raised by the
    # visit's service in the same transaction (programmes.services.record_home_visit).
    raise_concern = forms.BooleanField(
        label=_("Raise a protection concern about this child"), required=False
    )
    concern_kind = forms.ChoiceField(
        label=_("Kind of concern"),
        choices=ConcernKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    concern_severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        widget=forms.RadioSelect,
        required=False,
    )
    concern_description = forms.CharField(
        label=_("What was seen or heard"), widget=text_area(), required=False
    )

    class Meta:
        model = HomeVisit
        fields = [
            "date",
            "met",
            "guardian_health",
            "guardian_supervision",
            "guardian_homework",
            "guardian_situation",
            "education",
            "safety",
            "behaviour",
            "physical_health",
            "mental_health",
            "child_said",
            "community",
            "follow_up_needed",
            "follow_up_by",
            "follow_up_note",
        ]
        widgets = {
            "date": DateInput(),
            "met": forms.RadioSelect,
            "guardian_health": forms.RadioSelect,
            "guardian_supervision": forms.RadioSelect,
            "guardian_homework": forms.RadioSelect,
            "guardian_situation": text_area(),
            "education": text_area(),
            "safety": text_area(),
            "behaviour": text_area(),
            "physical_health": text_area(),
            "mental_health": text_area(),
            "child_said": text_area(),
            "community": text_area(),
            "follow_up_by": DateInput(),
        }
        labels = HomeVisit.AREAS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("date", timezone.localdate())
        # Radio buttons without an empty "---------" choice.
        self.fields["met"].choices = HomeVisit.Met.choices
        for name in ("guardian_health", "guardian_supervision", "guardian_homework"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        if self.instance.pk is not None:  # a concern is raised with the visit, not later
            for name in self.CONCERN_FIELDS:
                del self.fields[name]

    # Said before saving, not only after a refusal (the model's rule, HomeVisit.clean).
    NOTES = {
        "education": _("At least one recommendation is needed: write one in any of these areas."),
    }

    def groups(self):
        """(heading, bound fields, a note shown under the heading or ""); a group whose fields the
        form does not offer (the concern, when a visit is edited) is left out."""
        return [
            (
                title,
                [self[name] for name in names if name in self.fields],
                self.NOTES.get(names[0], ""),
            )
            for title, names in self.GROUPS
            if any(name in self.fields for name in names)
        ]

    def clean(self):
        data = super().clean()
        if data.get("raise_concern"):
            if not data.get("concern_kind"):
                self.add_error("concern_kind", _("Choose the kind of concern."))
            if not (data.get("concern_description") or "").strip():
                self.add_error("concern_description", _("Say what was seen or heard."))
        elif "raise_concern" in self.fields:
            data.update(concern_kind="", concern_severity="", concern_description="")
        if not data.get("follow_up_needed"):
            # A date typed and then unticked is not a follow-up.
            data["follow_up_by"] = None
            data["follow_up_note"] = ""
        return data


class FamilyCallForm(forms.ModelForm):
    class Meta:
        model = FamilyCall
        fields = ["room", "at", "with_whom", "minutes", "notes"]
        widgets = {
            "at": DateTimeInput(),
            "with_whom": forms.RadioSelect,
            "minutes": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        rooms = FamilyRoom.objects.filter(school=child.school_id, active=True)
        if self.instance.pk is not None:  # a room taken out of use still shows on old calls
            rooms = FamilyRoom.objects.filter(school=child.school_id)
        self.fields["room"].queryset = rooms.order_by("kind", "pk")
        self.fields["room"].empty_label = None
        self.fields["with_whom"].choices = WithWhom.choices
        if self.instance.pk is None:
            self.initial.setdefault("at", now_to_the_minute())


class CallSessionForm(forms.Form):
    """Several children's calls of one session in a family room: a row per child; a row with its
    minutes filled in is a call."""

    at = forms.DateTimeField(
        label=capfirst(_("date and time of the session")), widget=DateTimeInput()
    )

    def __init__(self, *args, children, **kwargs):
        kwargs.setdefault("initial", {"at": now_to_the_minute()})
        super().__init__(*args, **kwargs)
        self.children = list(children)
        for child in self.children:
            self.fields[f"minutes_{child.pk}"] = forms.IntegerField(
                label=capfirst(_("minutes")),
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
            )
            self.fields[f"with_{child.pk}"] = forms.ChoiceField(
                label=capfirst(_("with whom")),
                required=False,
                choices=WithWhom.choices,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [
            (child, self[f"minutes_{child.pk}"], self[f"with_{child.pk}"])
            for child in self.children
        ]

    def clean(self):
        data = super().clean()
        calls = []
        for child in self.children:
            minutes = data.get(f"minutes_{child.pk}")
            whom = data.get(f"with_{child.pk}")
            if minutes is None and not whom:
                continue  # not called this time
            if minutes is None:
                self.add_error(f"minutes_{child.pk}", _("How many minutes did the call last?"))
                continue
            if not whom:
                self.add_error(f"with_{child.pk}", _("Who did the child talk to?"))
                continue
            calls.append({"child": child, "minutes": minutes, "with_whom": whom})
        if not calls and not self.errors:
            raise forms.ValidationError(_("Fill in the minutes of at least one child's call."))
        data["calls"] = calls
        return data


class ParentVisitForm(forms.ModelForm):
    class Meta:
        model = ParentVisit
        fields = ["parent", "arrived_on", "left_on", "notes"]
        widgets = {
            "parent": forms.RadioSelect,
            "arrived_on": DateInput(),
            "left_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = ParentVisit.Parent.choices
