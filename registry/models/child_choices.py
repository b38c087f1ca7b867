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


class RiskLevel(models.TextChoices):
    """How worried the office is about a child now (``registry.risk``); high and urgent need a
    case plan (casework)."""

    NONE = "none", _("No known risk")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# The levels that need a case plan, and the order of the levels (for "at least high").
RISK_NEEDS_PLAN = (RiskLevel.HIGH, RiskLevel.URGENT)
RISK_ORDER = {level: i for i, level in enumerate(RiskLevel.values)}


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
