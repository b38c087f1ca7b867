"""The place scope on records the ground floor cannot name (ground floor).

Every account belongs to one county or to the city (``User.county_code``, "" for the city).
``registry.access`` decides who sees which child and school; these helpers apply the same
county rule to any model from its ``_meta`` — the admin's lists and the choices a form offers —
without the ground floor naming an app's model.
"""

from __future__ import annotations

from django import forms
from django.conf import settings


def county_path(model, depth: int = 3) -> str | None:
    """The ORM path from ``model`` to a county's administrative code, found through its
    forward keys (a county, or a record that leads to one, or an account's ``county_code``);
    None for a record that belongs to no county (a list the whole city shares)."""
    if model is None:
        return None
    if model._meta.model_name == "county":
        return "code"
    if any(f.name == "county_code" for f in model._meta.concrete_fields):
        return "county_code"
    if depth == 0:
        return None
    keys = [f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one]
    for field in sorted(keys, key=_nearest_first):
        rest = county_path(field.related_model, depth - 1)
        if rest is not None:
            return f"{field.name}__{rest}"
    return None


def _nearest_first(field) -> int:
    """The record's own county first, then what it belongs to (a school, a child…), and an
    account (who made it, who owns it) last: a room is its school's county's, not the county of
    whoever typed it in."""
    if field.name == "county":
        return 0
    if field.name in ("created_by", "updated_by", "history_user"):
        return 3
    return 2 if field.related_model._meta.label == settings.AUTH_USER_MODEL else 1


def limit_to_county(qs, user):
    """``qs`` limited to the user's county (unchanged for the city, or for a list the city
    shares)."""
    code = getattr(user, "county_code", "") or ""
    path = county_path(qs.model) if code else None
    return qs.filter(**{path: code}) if path else qs


def limit_choices(form, user) -> None:
    """Every record a form offers (schools, towns, organisations, accounts…) from the user's
    county only: what is not offered cannot be chosen either. A form that must offer another
    county's records (a transfer to a school of another county) names those fields in
    ``choices_beyond_county`` and chooses their records itself."""
    if not getattr(user, "county_code", ""):
        return
    beyond = getattr(form, "choices_beyond_county", ())  # a transfer to another county's school
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and name not in beyond:
            field.queryset = limit_to_county(field.queryset, user)
