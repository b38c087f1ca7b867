"""The volunteers list's filters (django-filter): role, town, vetting, name or phone.

A value that is not one of the choices (or not a number, for the town) is ignored, as a
filter the form does not offer.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from volunteers.models import CarerRole, Volunteer

VETTING_FILTERS = {
    "expiring": lambda qs: qs.filter(active=True).vetting_expiring(),
    "expired": lambda qs: qs.vetting_expired(),
    "none": lambda qs: qs.filter(vetted_on__isnull=True),
}


class TownFilter(django_filters.Filter):
    """A town's key: digits only (no query to check it, so the list's query count is fixed)."""

    field_class = forms.RegexField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, regex=r"^[0-9]+$", **kwargs)


class VolunteerFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=CarerRole.choices, method="filter_role")
    town = TownFilter(field_name="town_id")
    vetting = django_filters.ChoiceFilter(
        choices=[(key, key) for key in VETTING_FILTERS], method="filter_vetting"
    )
    q = django_filters.CharFilter(method="filter_text")

    class Meta:
        model = Volunteer
        fields = []

    def filter_role(self, queryset, name, value):
        return queryset.allowed(value)

    def filter_vetting(self, queryset, name, value):
        return VETTING_FILTERS[value](queryset)

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(phone__contains=value))
