"""The choices of a child's personal file, and a child's age: read by the model and its rules."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class GuardianType(models.TextChoices):
    GRANDPARENTS = "grandparents", _("Grandparents")
    MOTHER = "mother", _("Mother (stayed at home)")
    FATHER = "father", _("Father (stayed at home)")
    RELATIVES = "relatives", _("Other relatives")
    NONE = "none", _("Nobody: lives alone")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REUNITED = "reunited", _("Reunited with parents")
    MOVED_WITH_PARENTS = "moved_with_parents", _("Moved away with parents")
    AGED_OUT = "aged_out", _("Aged out")
    TRANSFERRED = "transferred", _("Transferred out of the county")
    CLOSED = "closed", _("Closed")


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
