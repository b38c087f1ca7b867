"""The officials' list of concerns: which (open, not yet looked at, overdue, closed), kind,
severity, source and town. A value that is not a choice is ignored."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from casework.models import Concern, ConcernKind, ConcernSource, Severity
from registry.models import Town

STATES = {
    "open": lambda qs: qs.open(),
    "untriaged": lambda qs: qs.untriaged(),
    "overdue": lambda qs: qs.overdue(),
    "closed": lambda qs: qs.filter(closed_at__isnull=False),
    "all": lambda qs: qs,
}
STATE_CHOICES = [
    ("open", _("Open")),
    ("untriaged", _("Not yet looked at")),
    ("overdue", _("Overdue")),
    ("closed", _("Closed")),
    ("all", _("All")),
]


class ConcernFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Which"), choices=STATE_CHOICES, empty_label=None, method="filter_state"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ConcernKind.choices, empty_label=_("All kinds")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=_("Any severity")
    )
    source = django_filters.ChoiceFilter(
        label=_("Raised through"), choices=ConcernSource.choices, empty_label=_("Any")
    )
    town = django_filters.ModelChoiceFilter(
        label=_("Town"),
        field_name="child__village__town",
        queryset=Town.objects.order_by("name"),
        empty_label=_("All towns"),
    )

    class Meta:
        model = Concern
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("state"):
            data["state"] = "open"  # the list opens on what is still to do
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        return STATES.get(value, STATES["open"])(queryset)
