"""The register: places, schools, children and the records of their personal files."""

from registry.models.child_choices import RISK_NEEDS_PLAN, RiskLevel
from registry.models.children import (
    Child,
    ChildStatus,
    Guardian,
    GuardianType,
    ParentAway,
    Sex,
    StatusChange,
    age_on,
    both_parents_away_q,
)
from registry.models.consent import ConsentOverride, ConsentRecord, sharing_stands
from registry.models.duplicates import (
    ChildMerge,
    DuplicatePair,
    DuplicateReason,
    NotDuplicate,
)
from registry.models.export_layouts import ExportLayout
from registry.models.health import HealthCheck
from registry.models.imports import ImportJob
from registry.models.people import Teacher
from registry.models.places import (
    GRADES_BY_LEVEL,
    County,
    FamilyRoom,
    School,
    SchoolLevel,
    Town,
    Village,
)
from registry.models.printing import PrintChunk, PrintJob
from registry.models.risk import RiskChange
from registry.models.transfers import SchoolTransfer

__all__ = [
    "GRADES_BY_LEVEL",
    "Child",
    "ChildStatus",
    "ChildMerge",
    "ConsentOverride",
    "DuplicatePair",
    "DuplicateReason",
    "NotDuplicate",
    "ConsentRecord",
    "sharing_stands",
    "County",
    "ExportLayout",
    "FamilyRoom",
    "Guardian",
    "GuardianType",
    "HealthCheck",
    "ImportJob",
    "ParentAway",
    "PrintChunk",
    "PrintJob",
    "RISK_NEEDS_PLAN",
    "RiskChange",
    "RiskLevel",
    "School",
    "SchoolTransfer",
    "SchoolLevel",
    "Sex",
    "StatusChange",
    "Teacher",
    "Town",
    "Village",
    "age_on",
    "both_parents_away_q",
]
