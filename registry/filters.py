"""The children list's search and filters (django-filter)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _

from lbc_office.core import audit
from lbc_office.core.form_renderer import list_choices
from registry import access, idnumber
from registry.forms import grade_choices
from registry.models import (
    RISK_NEEDS_PLAN,
    Child,
    ChildStatus,
    County,
    GuardianType,
    RiskLevel,
    School,
    SchoolLevel,
    Town,
)

ALL_STATUSES = "all"
AT_LEAST_HIGH = "high_or_urgent"
# Beyond this many schools in scope (a municipal install), the school filter waits for a town.
SCHOOL_CHOICES_LIMIT = 300
# Beyond this many towns (a city), an official's town filter waits for a county.
TOWN_CHOICES_LIMIT = 300
# How long a teacher's or volunteer's towns (where their children live) are kept: the query
# walks every child in their scope (518 for a teacher of two schools: 3 ms of PostgreSQL on
# each list page). A town gained by a new child shows within this time; the list is always
# scoped, whatever the towns offered.
MY_TOWNS_SECONDS = 300


def _my_towns(user) -> list[int]:
    def towns():
        rows = Child.objects.visible_to(user).order_by().values_list("village__town", flat=True)
        return sorted(set(rows.distinct()) - {None})

    # The account's key and when it was made: a database made again (the tests) reuses keys.
    key = f"child-list-towns:{user.pk}:{user.date_joined.timestamp():.6f}"
    return cache.get_or_set(key, towns, MY_TOWNS_SECONDS)


YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
_ID_LIKE = re.compile(r"^[0-9Xx０-９Ｘｘ\s\-]{4,}$")


@dataclass(frozen=True)
class Attention:
    """A "needs attention" list the dashboard and the reports link to ("the children behind
    this figure"): ``?attention=<key>`` keeps the children ``apply(children)`` returns."""

    key: str
    label: str
    apply: Callable[[QuerySet], QuerySet]


_attention: dict[str, Attention] = {}


def register_attention(attention: Attention) -> Attention:
    """Add a list from an app's ``AppConfig.ready()`` (volunteers/registrations.py): the
    register knows nothing of the records that put a child on it. Registering again replaces."""
    _attention[attention.key] = attention
    return attention


def attention_choices() -> list[tuple[str, str]]:
    return [(a.key, a.label) for a in _attention.values()]


def search(qs, text: str, *, user=None):
    """Children of ``qs`` matching a name or identity number (see ``search_q``), the closest
    first: the exact name, then names that start with the text, then the rest, by name.

    The ordering is also what keeps a search fast on millions of rows: ordered by plain name,
    PostgreSQL walks the name index hoping to meet 25 matches early, and reads most of the
    table when they sort late; ordered by closeness, it finds the few matches first.

    One character is a surname: the names that start with it, in (name, id) order (the exact
    name sorts first anyway), which the name index serves from the first match on — a common
    surname holds a tenth of a city's children, too many to sort by closeness.
    """
    text = (text or "").strip()
    if not text:
        return qs
    if len(text) == 1 and not is_id_search(text):
        return qs.filter(name__gte=text, name__startswith=text).order_by("name", "id")
    closeness = Case(
        When(name=text, then=Value(0)),
        When(name__startswith=text, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        # closeness is selected (not only sorted on): a keyset page's cursor names it.
        qs.alias(id_number_last4=Right("id_number", 4))
        .annotate(closeness=closeness)
        .filter(search_q(text, user=user))
        .order_by("closeness", "name", "id")
    )


class _NameHolds(Func):
    """``lbc_name_grams(name) @> ARRAY[text]``: the name holds these one or two characters. A
    GIN index on the name's characters and pairs of characters serves it (PostgreSQL only:
    migration registry.0015)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        name_sql, name_params = compiler.compile(self.source_expressions[0])
        text_sql, text_params = compiler.compile(self.source_expressions[1])
        return f"lbc_name_grams({name_sql}) @> ARRAY[{text_sql}]::text[]", (
            *name_params,
            *text_params,
        )


def name_q(text: str) -> Q:
    """Names holding ``text`` anywhere. A case-sensitive ``contains`` (``LIKE '%…%'``), which
    the trigram index serves from three characters on (Chinese has no case; ``icontains``
    compiles to ``UPPER(name) LIKE UPPER(…)``, which no index serves). One or two characters
    give no trigram: on PostgreSQL the index of the name's characters and pairs finds them."""
    if len(text) <= 2 and connection.vendor == "postgresql":
        return Q(_NameHolds(F("name"), Value(text)), name__contains=text)
    return Q(name__contains=text)


def is_id_search(text: str) -> bool:
    """Whether ``text`` is searched as (part of) an identity number rather than a name."""
    return bool(_ID_LIKE.match((text or "").strip()))


def search_kind(text: str | None) -> str:
    """What kind of search the text makes, for the audit log (which never keeps the text)."""
    text = (text or "").strip()
    if not text:
        return ""
    return audit.SEARCH_ID_NUMBER if is_id_search(text) else audit.SEARCH_NAME


def search_q(text: str, *, user=None) -> Q:
    """A name (Chinese characters, any part) or an identity number.

    Officials search by the whole number, its start, or its last digits. Anyone else (and a
    caller that names no user) only by the whole, valid number: a hit then tells them nothing
    they did not already know (they typed the number, and the result is within their scope),
    while a partial search would let them rebuild the hidden digits of a number they may see
    masked, one digit at a time (docs/security/idnum.md). A partial number finds nothing.
    """
    text = text.strip()
    if is_id_search(text):
        digits = idnumber.normalise(text)
        if not idnumber.sees_full(user):
            try:
                return Q(id_number=idnumber.parse(digits).number)
            except ValidationError:
                return Q(pk__in=[])
        if len(digits) == 18:
            return Q(id_number=digits)
        if len(digits) == 4:
            # Served by the index on Right(id_number, 4).
            return Q(id_number_last4=digits)
        if len(digits) < 4:
            return Q(id_number__endswith=digits)
        return Q(id_number__startswith=digits)
    return name_q(text)


class YesNoFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO[1:])
        kwargs.setdefault("empty_label", YES_NO[0][1])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value == "yes":
            return qs.filter(**{self.field_name: True})
        if value == "no":
            return qs.filter(**{self.field_name: False})
        return qs


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or identity number"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    # The municipal official's only (a county's users work in theirs): by the county's code,
    # as the reports' drill-down links give it; with many towns, the towns wait for it.
    county = django_filters.ModelChoiceFilter(
        label=_("County"),
        queryset=County.objects.all(),
        to_field_name="code",
        empty_label=_("All counties"),
    )
    town = django_filters.ModelChoiceFilter(
        label=_("Town"),
        field_name="village__town",
        queryset=Town.objects.all(),
        empty_label=_("All towns"),
    )
    school = django_filters.ModelChoiceFilter(
        label=_("School"), queryset=School.objects.none(), empty_label=_("All schools")
    )
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=grade_choices(), empty_label=_("All grades")
    )
    guardian = django_filters.ChoiceFilter(
        label=_("Guardian"), choices=GuardianType.choices, empty_label=_("Any guardian")
    )
    both_parents_away = django_filters.ChoiceFilter(
        label=_("Both parents away"),
        choices=YES_NO[1:],
        empty_label=YES_NO[0][1],
        method="filter_both_away",
    )
    boarding = YesNoFilter(label=_("Boarding"))
    poor = YesNoFilter(label=_("Poor household"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=SchoolLevel.choices, empty_label=_("All levels"),
        method="filter_level",
    )  # fmt: skip
    risk = django_filters.ChoiceFilter(
        label=_("Risk level"), empty_label=_("Any risk level"), method="filter_risk",
        choices=[*RiskLevel.choices, (AT_LEAST_HIGH, _("High or urgent"))],
    )  # fmt: skip
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"), choices=attention_choices, empty_label=_("Any"),
        method="filter_attention",
    )  # fmt: skip
    # Set by the reports' links only: they place a child by the town and code of the school.
    school_town = django_filters.CharFilter(
        field_name="school__town__name", widget=forms.HiddenInput
    )
    school_code = django_filters.CharFilter(field_name="school__code", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*ChildStatus.choices, (ALL_STATUSES, _("All statuses"))],
        empty_label=None,
        method="filter_status",
    )

    class Meta:
        model = Child
        fields = []

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        data = data.copy() if data is not None else {}
        # The list opens on the children the office is working with now.
        if not data.get("status"):
            data["status"] = ChildStatus.ACTIVE
        super().__init__(data, *args, **kwargs)
        self._narrow_towns(user, data)
        schools = School.objects.visible_to(user).order_by("name")
        town = str(data.get("town") or "")
        if town.isdigit():
            # Choosing a town narrows the schools to its own (the list stays short on a phone).
            schools = schools.filter(town_id=town)
        elif (
            getattr(user, "is_official", False)  # a teacher's or volunteer's are a few
            and schools.values("pk")[SCHOOL_CHOICES_LIMIT : SCHOOL_CHOICES_LIMIT + 1].exists()
        ):
            # Thousands of schools make a select nobody can use: pick a town first (a school
            # already chosen, from a link, stays valid).
            chosen = str(data.get("school") or "")
            schools = schools.filter(pk=chosen) if chosen.isdigit() else schools.none()
            self.filters["school"].extra["empty_label"] = _("Choose a town first")
        self.filters["school"].queryset = schools

    def _narrow_towns(self, user, data):
        """Only the towns a user can choose: a teacher's or volunteer's are those where their
        children live (a city's 1,280 towns were 48 KB of a teacher's 70 KB page and most of
        its render time); a county official's, their county's. A municipal official picks a
        county first when the towns are many."""
        town_filter = self.filters["town"]
        if not getattr(user, "is_official", False):
            del self.filters["county"]
            town_filter.queryset = Town.objects.filter(pk__in=_my_towns(user))
            return
        if not access.is_municipal(user):
            # A county's official: their county's towns, and no county to choose.
            del self.filters["county"]
            town_filter.queryset = access.scope_county(Town.objects.all(), user)
            return
        county, town = str(data.get("county") or ""), str(data.get("town") or "")
        if county:
            town_filter.queryset = Town.objects.filter(county__code=county)
        elif Town.objects.values("pk")[TOWN_CHOICES_LIMIT : TOWN_CHOICES_LIMIT + 1].exists():
            # A town already chosen, from a report's link, stays valid.
            town_filter.queryset = (
                Town.objects.filter(pk=town) if town.isdigit() else Town.objects.none()
            )
            town_filter.extra["empty_label"] = _("Choose a county first")
        else:
            del self.filters["county"]  # one county's install: the towns are few

    @property
    def form(self):
        form = super().form
        list_choices(form)  # the towns and schools in one plain query each
        for name, field in form.fields.items():
            if name != "q":  # Bootstrap's look for the selects of the filter panel
                field.widget.attrs["class"] = "form-select"
        return form

    id_lookups_refused = False
    id_number_refused = ""  # why a non-official's number was not searched (a partial number)

    def filter_search(self, qs, name, value):
        if is_id_search(value) and not idnumber.sees_full(self.user):
            try:
                idnumber.parse(idnumber.normalise(value.strip()))
            except ValidationError as exc:
                # Only a whole number is searched (see search_q): say so, and spend no lookup.
                self.id_number_refused = exc.messages[0]
                return qs.none()
            # A search by number is a lookup a non-official makes a limited number of times.
            if not idnumber.lookups_left(self.user):
                self.id_lookups_refused = True
                return qs.none()
            idnumber.count_lookup(self.user, "search")
        return search(qs, value, user=self.user)

    def filter_both_away(self, qs, name, value):
        both = Q(father_away=True, mother_away=True)
        if value == "yes":
            return qs.filter(both)
        if value == "no":
            return qs.exclude(both)
        return qs

    def filter_level(self, qs, name, value):
        if value == SchoolLevel.PRIMARY:
            return qs.filter(grade__lte=6)
        if value == SchoolLevel.MIDDLE:
            return qs.filter(grade__gte=7)
        return qs

    def filter_risk(self, qs, name, value):
        if value == AT_LEAST_HIGH:
            return qs.filter(risk_level__in=RISK_NEEDS_PLAN)
        return qs.filter(risk_level=value) if value else qs

    def filter_attention(self, qs, name, value):
        attention = _attention.get(value)
        return attention.apply(qs) if attention else qs

    def filter_status(self, qs, name, value):
        return qs if value == ALL_STATUSES else qs.filter(status=value)
