"""What is delivered to the children: home visits, family-room calls and parents' visits home,
programmes with their enrolments and sessions, and donations traced to their final recipients."""

from programmes.models.contact import (
    PARENT_CONTACT,
    FamilyCall,
    GuardianAbility,
    HomeVisit,
    ParentVisit,
    WithWhom,
)
from programmes.models.donations import Donation, Handover
from programmes.models.programmes import Attendance, Enrolment, Programme, ProgrammeSession

__all__ = [
    "PARENT_CONTACT",
    "Attendance",
    "Donation",
    "Enrolment",
    "FamilyCall",
    "GuardianAbility",
    "Handover",
    "HomeVisit",
    "ParentVisit",
    "Programme",
    "ProgrammeSession",
    "WithWhom",
]
