"""Forms of the volunteers app. Every form names its fields: extra POST fields are ignored."""

from __future__ import annotations

from django import forms
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import ConcernKind
from lbc_office.core.forms import DateInput
from lbc_office.core.models import Role, User
from registry.models import County
from volunteers.models import CarerRole, CheckinRole, MonthlyCheckin, Organisation, Volunteer
from volunteers.models.care import vetting_years


class VolunteerForm(forms.ModelForm):
    class Meta:
        model = Volunteer
        fields = [
            "name",
            "phone",
            "email",
            "town",
            "organisation",
            "may_be_foster_mother",
            "may_be_foster_sibling",
            "may_be_surrogate_parent",
            "capacity",
            "background_check_on",
            "background_check_result",
            "trained_on",
            "vetted_on",
            "user",
            "active",
            "notes",
        ]
        widgets = {
            "vetted_on": DateInput(),
            "background_check_on": DateInput(),
            "trained_on": DateInput(),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(active=True)
        linked = Volunteer.objects.exclude(pk=self.instance.pk).exclude(user=None).values("user")
        self.fields["user"].queryset = User.objects.filter(
            role=Role.VOLUNTEER, is_active=True
        ).exclude(pk__in=linked)
        self.fields["vetted_on"].help_text = _(
            "The day the office approved this volunteer; you are recorded as the one who vetted. "
            "The vetting holds %(years)d years."
        ) % {"years": vetting_years()}
        self.fields["user"].help_text = _(
            "Optional: the volunteer's own login, to see their children and check in on a phone."
        )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "county",
            "name",
            "kind",
            "contact_name",
            "phone",
            "email",
            "coordinator",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = User.objects.filter(is_active=True).order_by(
            "username"
        )
        counties = County.objects.all()
        if not self.instance.pk and len(counties) == 1:
            self.fields["county"].initial = counties[0].pk


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        roles = "、".join(str(label) for label in obj.role_labels)
        return f"{obj.name} · {obj.town.name} · {roles} · {obj.active_count}/{obj.capacity}"


class AssignForChildForm(forms.Form):
    """From the child's file: which kind of carer, and who."""

    role = forms.ChoiceField(label=_("role"), choices=CarerRole.choices)
    volunteer = VolunteerChoiceField(
        label=_("volunteer"),
        queryset=Volunteer.objects.none(),
        help_text=_("Vetted volunteers who still have room; those of the child's town first."),
    )
    started_on = forms.DateField(label=_("start date"), widget=DateInput())

    def __init__(self, *args, child, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        taken = set(child.assignments.active().values_list("role", flat=True))
        self.fields["role"].choices = [(r.value, r.label) for r in CarerRole if r not in taken]
        same_town = Case(When(town_id=child.village.town_id, then=1), default=0)
        self.fields["volunteer"].queryset = (
            Volunteer.objects.filter(active=True)
            .vetting_current()
            .with_load()
            .select_related("town")
            .annotate(same_town=same_town)
            .order_by("-same_town", "name")
        )


class AssignChildForm(forms.Form):
    """From the volunteer's page: the child picked from a search, in one of the roles."""

    role = forms.ChoiceField(label=_("role"), choices=CarerRole.choices)
    child = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, CarerRole(r).label) for r in volunteer.roles]


class EndAssignmentForm(forms.Form):
    ended_on = forms.DateField(label=_("end date"), widget=DateInput())
    reason = forms.CharField(label=_("why it ends"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ended_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CheckinRoleForm(forms.ModelForm):
    class Meta:
        model = CheckinRole
        fields = ["name", "name_en", "position", "active"]


# The kinds of protection concern in a volunteer's own words (casework.ConcernKind).
WORRY_CHOICES = [
    (ConcernKind.NEGLECT, _("Nobody looks after the child properly")),
    (ConcernKind.NO_GUARDIAN, _("The child has nobody to look after them")),
    (ConcernKind.ABUSE, _("Someone hurts or mistreats the child")),
    (ConcernKind.INJURY, _("The child is hurt or ill")),
    (ConcernKind.RUNNING_AWAY, _("The child ran away, or talks of running away")),
    (ConcernKind.DROPPING_OUT, _("The child misses school or wants to leave it")),
    (ConcernKind.MENTAL_HEALTH, _("The child seems very sad, scared or withdrawn")),
    (ConcernKind.SAFETY, _("The child is not safe at home or on the way to school")),
    (ConcernKind.OTHER, _("Something else")),
]


class WorryFields(forms.Form):
    """The tick "I am worried", what worries them (plain words), and a few words (optional)."""

    concern = forms.BooleanField(label=_("I am worried about this child"), required=False)
    concern_kind = forms.ChoiceField(
        label=_("What worries you?"),
        choices=WORRY_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    concern_words = forms.CharField(
        label=_("In a few words (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class SurrogateCheckinForm(WorryFields):
    """The six roles as big tick boxes; few words."""

    roles_done = forms.ModelMultipleChoiceField(
        label=_("What did you do this month?"),
        queryset=CheckinRole.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(
        label=_("Anything to tell the office? (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ContactCheckinForm(WorryFields):
    """Foster mothers and brothers or sisters: did you see or talk with the child?"""

    contact = forms.ChoiceField(
        label=_("Did you see or talk with the child this month?"),
        choices=MonthlyCheckin.Contact.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Anything to tell the office? (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


def checkin_form_class(assignment):
    if assignment.role == CarerRole.SURROGATE_PARENT:
        return SurrogateCheckinForm
    return ContactCheckinForm
