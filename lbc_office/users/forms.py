"""Forms of the officials' account screens (roof: they offer the register's schools and the
volunteers' records). Each names its fields; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from casework.models import Agency
from lbc_office.core import accounts
from lbc_office.core.models import Role
from registry import access
from registry.models import County, School
from volunteers.models import Volunteer

# The roles an account of the city (no county) may have: teachers and volunteers work in one.
CITY_ROLES = (Role.OFFICIAL, Role.VIEWER, Role.PARTNER)


def county_choices():
    """The city, then every county by its code: the choices of an account's county."""
    return [("", _("The city (every county)"))] + [
        (code, f"{name} ({code})") for code, name in County.objects.values_list("code", "name")
    ]


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )  # fmt: skip
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools (teachers)"), queryset=School.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("A teacher sees the children of these schools only."),
    )  # fmt: skip
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer record (volunteers)"), queryset=Volunteer.objects.none(),
        required=False,
        help_text=_("The volunteer this login belongs to: they see the children assigned to "
                    "them."),
    )  # fmt: skip
    agency = forms.ModelChoiceField(
        label=_("Organisation (partner liaisons)"), queryset=Agency.objects.none(),
        required=False,
        help_text=_("The partner organisation this login acts for: it sees only the referrals "
                    "sent to it."),
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # What the creator's county holds (everything for a municipal official).
        self.fields["schools"].queryset = access.scope_schools(
            School.objects.filter(active=True), user
        ).order_by("name")
        self.fields["volunteer"].queryset = access.scope_county(
            Volunteer.objects.filter(active=True, user__isnull=True), user
        ).order_by("name", "id")
        self.fields["agency"].queryset = access.scope_county(
            Agency.objects.filter(active=True), user
        ).order_by("name")
        if access.is_municipal(user):
            # Only a municipal official places an account: a county official's are their own.
            self.fields["county_code"] = forms.ChoiceField(
                label=_("County"), choices=county_choices(), required=False,
                help_text=_("Teachers and volunteers belong to a county; officials, report "
                            "viewers and partners may belong to the city."),
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if "county_code" in self.fields and "county_code" in data:
            county = data["county_code"]
            if not county and role not in CITY_ROLES:
                self.add_error("county_code", _("A teacher or a volunteer belongs to a county."))
            schools = data.get("schools")
            if county and schools and schools.exclude(county__code=county).exists():
                self.add_error("schools", _("Choose schools of the account's county."))
        if role == Role.TEACHER and not data.get("schools"):
            self.add_error("schools", _("Choose at least one school."))
        if role != Role.TEACHER and data.get("schools"):
            self.add_error("schools", _("Only a teacher is linked to schools."))
        if role != Role.VOLUNTEER and data.get("volunteer"):
            self.add_error("volunteer", _("Only a volunteer's login has a volunteer record."))
        if role == Role.PARTNER and not data.get("agency"):
            self.add_error("agency", _("Choose the organisation this login acts for."))
        if role != Role.PARTNER and data.get("agency"):
            self.add_error("agency", _("Only a partner login acts for an organisation."))
        return data


class CountyForm(forms.Form):
    """A municipal official moves an account to another county (or to the city)."""

    county_code = forms.ChoiceField(label=_("County"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county_code"].choices = county_choices()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1", empty_value=None
    )


class SchoolsForm(forms.Form):
    schools = forms.ModelMultipleChoiceField(
        label=_("Schools"), queryset=School.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args, current=(), county_code=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active schools, and those already linked (so that unlinking a closed one works); of
        # the teacher's county when it is known (a teacher works in one county).
        from django.db.models import Q

        schools = School.objects.filter(Q(active=True) | Q(pk__in=[s.pk for s in current]))
        if county_code:
            schools = schools.filter(
                Q(county__code=county_code) | Q(pk__in=[s.pk for s in current])
            )
        self.fields["schools"].queryset = schools.order_by("name")


class OwnPasswordChangeForm(PasswordChangeForm):
    """The person's own password change: through the service, which ends "must change"."""

    def save(self, commit=True):
        return accounts.change_own_password(
            user=self.user, password=self.cleaned_data["new_password1"]
        )


class AgencyLinkForm(forms.Form):
    """A partner login's organisation (the partner sees the referrals sent to it)."""

    agency = forms.ModelChoiceField(label=_("Organisation"), queryset=Agency.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisations of the official's county (every one for a municipal official).
        self.fields["agency"].queryset = access.scope_county(
            Agency.objects.filter(active=True), user
        ).order_by("name")
