"""The rules of a child's personal file, written once.

The form's service (``registry.services.create_child``/``update_child``, through
``Child.clean``) and the register import (``registry.importing.children``) both open a
child with ``opening``, fill it with ``assign`` and check it with ``validate``: a rule changed
here changes both. Each error names its field and says why.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from registry import idnumber
from registry.models.child_choices import ChildStatus, GuardianType, Sex, age_on

# What a clerk gives for a child, on the form and in the register file (where the school is
# named by its code and the village by its town and name). The rest of the file (wishes, notes,
# the remaining parent) is written on the form only.
ENTERED = (
    "id_number", "name", "sex", "date_of_birth", "school", "grade", "village",
    "father_away", "mother_away", "guardian", "boarding", "poor",
)  # fmt: skip
_RELATIONS = frozenset({"school", "village"})


def opening(*, today: datetime.date) -> dict:
    """A new file's state: active from today (``Child(**opening(today=...))``)."""
    return {"status": ChildStatus.ACTIVE, "status_changed_on": today}


def assign(child, values: dict, names=None) -> None:
    """Set what a clerk gave on ``child`` (``names`` of ``values``, or all of them); the school
    brings its county.

    Relations are set as Django's descriptors would (key and cached object), without their
    cost: the import assigns 55,000 files at a time."""
    cache = child._state.fields_cache
    for name in values if names is None else names:
        value = values[name]
        if name in _RELATIONS:
            setattr(child, f"{name}_id", None if value is None else value.pk)
            cache[name] = value
        else:
            setattr(child, name, value)
    if "school" in values and (names is None or "school" in names):
        school = values["school"]
        child.county_id = None if school is None else school.county_id
        cache.pop("county", None)


def validate(child, *, today: datetime.date) -> None:
    """Raise ``ValidationError`` with every rule ``child`` breaks, field by field."""
    errors: dict[str, list] = {}
    info = _identity(child, errors)
    _birth(child, info, today, errors)
    _sex(child, info, errors)
    _school(child, errors)
    _parents(child, errors)
    if errors:
        raise ValidationError(errors)


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _identity(child, errors: dict):
    """The number normalised and read; an anonymised file holds a placeholder instead (see
    lbc_office.upkeep.retention), to which the number's rules no longer apply."""
    if not child.id_number or child.anonymised_at is not None:
        return None
    child.id_number = idnumber.normalise(child.id_number)
    try:
        info = idnumber.parse(child.id_number)
    except ValidationError as exc:
        _add(errors, "id_number", exc.messages[0])
        return None
    return info


def _birth(child, info, today: datetime.date, errors: dict) -> None:
    born = child.date_of_birth
    if not born:
        return
    if born > today:
        _add(errors, "date_of_birth", _("The date of birth cannot be in the future."))
    elif child.status == ChildStatus.ACTIVE and age_on(born, today) >= settings.LBC_MAX_AGE:
        # Only the active register is age-limited: a file that has left it stays valid.
        _add(
            errors,
            "date_of_birth",
            _("This child is %(age)d: the register keeps children under %(max)d.")
            % {"age": age_on(born, today), "max": settings.LBC_MAX_AGE},
        )
    if info and info.birth_date != born:
        _add(
            errors,
            "date_of_birth",
            _(
                "The date of birth (%(dob)s) does not agree with the identity number, "
                "which gives %(id_dob)s."
            )
            % {"dob": born.isoformat(), "id_dob": info.birth_date.isoformat()},
        )


def _sex(child, info, errors: dict) -> None:
    if info and child.sex and info.sex != child.sex:
        # The digit itself is not quoted: on a teacher's form the number is the stored one,
        # and its 17th digit is one of the three a non-official never sees (idnumber.mask).
        _add(
            errors,
            "sex",
            _("The identity number's 17th digit is odd, which is for a boy.")
            if info.sex == Sex.MALE
            else _("The identity number's 17th digit is even, which is for a girl."),
        )


def _school(child, errors: dict) -> None:
    school = child.school if child.school_id else None
    if school is None:
        return
    if child.grade and child.grade not in school.grades:
        _add(
            errors,
            "grade",
            _("%(school)s teaches grades %(first)d to %(last)d.")
            % {"school": school.name, "first": school.grades[0], "last": school.grades[-1]},
        )
    if child.boarding and not school.boarding:
        _add(
            errors, "boarding", _("%(school)s is not a boarding school.") % {"school": school.name}
        )


def _parents(child, errors: dict) -> None:
    if not child.father_away and not child.mother_away:
        _add(
            errors,
            "father_away",
            _("A left-behind child has a parent working away: tick father or mother."),
        )
    if child.guardian == GuardianType.MOTHER and child.mother_away:
        _add(errors, "guardian", _("The mother works away, so she cannot be the guardian at home."))
    if child.guardian == GuardianType.FATHER and child.father_away:
        _add(errors, "guardian", _("The father works away, so he cannot be the guardian at home."))
    if child.remaining_parent_unable and child.father_away and child.mother_away:
        _add(
            errors,
            "remaining_parent_unable",
            _("Both parents work away, so leave this box unticked."),
        )
