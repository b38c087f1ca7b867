"""Forms of the register.

Every form names its fields (never ``__all__``), so extra POST fields are ignored.
"""

from __future__ import annotations

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lbc_office.core import places
from lbc_office.core.forms import DateInput
from registry import idnumber
from registry.models import (
    Child,
    ChildStatus,
    ConsentRecord,
    FamilyRoom,
    Guardian,
    HealthCheck,
    ParentAway,
    RiskLevel,
    School,
    Sex,
    Town,
    Village,
)


def _grade_label(grade: int) -> str:
    return gettext("Grade %(grade)d") % {"grade": grade}


grade_label = lazy(_grade_label, str)  # translated when shown, in the reader's language


def grade_choices(blank: str | None = None):
    choices = [(g, grade_label(g)) for g in range(1, 10)]
    return [("", blank), *choices] if blank is not None else choices


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.town.name} · {obj.name}"


class ChildForm(forms.ModelForm):
    # Longer than 18 on purpose: spaces and dashes typed by a clerk are removed before checking.
    id_number = forms.CharField(
        label=_("identity number"),
        max_length=30,
        help_text=_("18 characters; the last may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    grade = forms.TypedChoiceField(label=_("grade"), coerce=int, choices=grade_choices("---------"))
    village = VillageChoiceField(
        label=_("household village"),
        queryset=Village.objects.select_related("town").order_by("town__name", "name"),
        help_text=_("Town · village or neighbourhood committee of the household registration."),
    )

    class Meta:
        model = Child
        fields = [
            "name",
            "id_number",
            "sex",
            "date_of_birth",
            "school",
            "grade",
            "village",
            "father_away",
            "mother_away",
            "remaining_parent_unable",
            "guardian",
            "boarding",
            "poor",
            "wishes",
            "notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "sex": forms.RadioSelect,
            "wishes": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    # Shown only when the form warns of suspected duplicates (registry.duplicate_views).
    confirm_duplicate = forms.BooleanField(
        label=_("This is a different child: save the file anyway."),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk is not None:
            del self.fields["confirm_duplicate"]
        self.fields["school"].queryset = School.objects.visible_to(user).filter(active=True)
        places.limit_choices(self, user)  # villages of the user's county (validated before
        # the page's own ``form_view`` when the duplicate warning checks the form first)
        self.fields["sex"].choices = Sex.choices  # two radio buttons, no empty one
        if self.instance.pk is not None:
            # A file changes school only by a transfer (``registry.transfers``): one action
            # with its date and reason, on the timeline; never silently from this form.
            del self.fields["school"]
        if self.instance.pk is not None and not idnumber.sees_full(user):
            # Only officials change a registered number, and a field would pre-fill it whole:
            # the page shows the masked number instead (``shown_id_number``).
            del self.fields["id_number"]

    def ask_to_confirm(self) -> None:
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput()

    @property
    def shown_id_number(self) -> str:
        """The file's number as the user may see it (for an existing file's form)."""
        return idnumber.shown_to(self.user, self.instance.id_number or "")

    def clean_id_number(self):
        if not idnumber.lookups_left(self.user):  # see idnumber.lookups_left
            raise idnumber.lookups_refused_error()
        return idnumber.normalise(self.cleaned_data["id_number"])

    def _update_errors(self, errors):
        """The stored number's own errors, on a form without the field (a non-official's):
        a neutral line above the form, never the check's message (it quotes digits)."""
        if "id_number" not in self.fields and "id_number" in getattr(errors, "error_dict", {}):
            errors = dict(errors.error_dict)
            errors.pop("id_number")
            self.add_error(None, idnumber.stored_number_error())
            errors = forms.ValidationError(errors) if errors else None
        if errors is not None:
            super()._update_errors(errors)

    def validate_unique(self):
        """As Django's, with "already registered" made neutral for non-officials."""
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except forms.ValidationError as exc:
            self._update_errors(idnumber.neutral_duplicate(self.user, exc))


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=ChildStatus.choices)
    date = forms.DateField(label=_("date of the change"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    restore = forms.BooleanField(
        label=_("Back to active: restore what closing the file ended"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, child: Child, user=None, closing=None, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in ChildStatus.choices if value != child.status
        ]
        # Officials reopening a file whose closing ended something may give it back at once.
        can_restore = (
            user is not None and user.is_official and closing is not None and closing.ended
            and closing.restored_at is None and child.status != ChildStatus.ACTIVE
        )  # fmt: skip
        if can_restore:
            self.fields["restore"].help_text = closing.ended_summary
        else:
            del self.fields["restore"]


class TransferForm(forms.Form):
    """One action: to another school of the county, or out of the county (which closes the
    file). ``registry.transfers`` does the rest."""

    OUT = "out"
    # The city's other counties' schools and villages are offered too (a move there): this form
    # chooses them itself (``lbc_office.core.places.limit_choices`` leaves them).
    choices_beyond_county = ("to_school", "village")
    to_school = forms.ModelChoiceField(
        label=_("new school"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Out of the county"),
        help_text=_("Choose “Out of the county” for a school elsewhere: the file then closes."),
    )
    elsewhere = forms.CharField(
        label=_("county and school elsewhere"), max_length=200, required=False,
        help_text=_("Only for a transfer out of the county."),
    )  # fmt: skip
    village = forms.ModelChoiceField(
        label=_("home village in the other county"), queryset=Village.objects.none(),
        required=False,
        help_text=_("Only for a school of another county of the city: the file moves to that "
                    "county, which keeps it from then on."),
    )  # fmt: skip
    date = forms.DateField(label=_("date of the transfer"), widget=DateInput())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, child: Child, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        # The county's schools first, then those of the city's other counties (a move there is
        # ``transfers.transfer_to_county``), each named with its county.
        schools = School.objects.filter(active=True).exclude(pk=child.school_id)
        self.fields["to_school"].queryset = schools.select_related("county").order_by(
            Case(When(county_id=child.county_id, then=0), default=1), "county__code", "name"
        )
        self.fields["to_school"].label_from_instance = lambda s: (
            s.name if s.county_id == child.county_id else f"{s.name}（{s.county.name}）"
        )
        self.fields["village"].queryset = (
            Village.objects.exclude(town__county_id=child.county_id)
            .select_related("town__county")
            .order_by("town__county__code", "town__name", "name")
        )
        self.fields["village"].label_from_instance = lambda v: (
            f"{v.town.county.name} {v.town.name} {v.name}"
        )


class TransferInForm(forms.Form):
    summary = forms.CharField(
        label=_("hand-over summary"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Paste the summary the other county sent, or upload its file."),
    )  # fmt: skip
    file = forms.FileField(label=_("or its file"), required=False)

    MAX_BYTES = 100_000

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError(_("This file is too large for a hand-over summary."))
            data["summary"] = upload.read().decode("utf-8", errors="replace")
        if not (data.get("summary") or "").strip():
            raise forms.ValidationError(_("Paste the summary or upload its file."))
        return data


class HealthCheckForm(forms.ModelForm):
    class Meta:
        model = HealthCheck
        fields = ["date", "height_cm", "weight_kg", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}


class ParentAwayForm(forms.ModelForm):
    class Meta:
        model = ParentAway
        fields = ["name", "phone", "work_city", "work_province", "away_since", "notes"]
        widgets = {
            "away_since": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone", "birth_year", "schooling", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "town", "level", "boarding", "bathroom", "canteen", "active"]


class FamilyRoomForm(forms.ModelForm):
    class Meta:
        model = FamilyRoom
        fields = ["kind", "label", "active"]


class TownForm(forms.ModelForm):
    class Meta:
        model = Town
        fields = ["county", "name", "kind"]


class VillageForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["name", "kind"]


# --- Consent ----------------------------------------------------------------------------------


class ConsentForm(forms.ModelForm):
    """A guardian's consent, or its withdrawal (every box unticked)."""

    class Meta:
        model = ConsentRecord
        fields = [
            "date",
            "guardian_name",
            "guardian_relation",
            "keep_file",
            "share_with_volunteers",
            "photos",
            "notes",
        ]
        widgets = {
            "date": DateInput(),
            "guardian_relation": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, child: Child, **kwargs):
        # Today, and the file's first guardian: what the clerk usually writes (one query).
        initial = {"date": timezone.localdate()}
        guardian = next(iter(child.guardians.all()), None)
        if guardian is not None:
            initial.update(guardian_name=guardian.name, guardian_relation=guardian.relation)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["guardian_name"].required = True
        self.fields["guardian_relation"].required = True
        self.fields["guardian_relation"].choices = ConsentRecord._meta.get_field(
            "guardian_relation"
        ).choices  # the buttons, without an empty one


class ConsentOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the override"),
        help_text=_("Why the file is kept without the guardian's consent."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RiskLevelForm(forms.Form):
    """Set a child's risk level (registry.risk.set_risk_level), with the reason."""

    level = forms.ChoiceField(label=_("new risk level"), choices=RiskLevel.choices)
    reason = forms.CharField(label=_("why"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, child: Child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (value, label) for value, label in RiskLevel.choices if value != child.risk_level
        ]
