"""Forms of the programmes app. Each names its fields (never ``__all__``): extra POST fields are
ignored. Short, phone-first: one-tap buttons for choices, the phone's own date picker."""

from programmes.forms.contact import (
    CallSessionForm,
    FamilyCallForm,
    HomeVisitForm,
    ParentVisitForm,
)
from programmes.forms.donations import SCHOOL_ITSELF, DonationForm, HandoverForm
from programmes.forms.programmes import (
    AttendanceForm,
    EndEnrolmentForm,
    EnrolByFilterForm,
    EnrolChildForm,
    ProgrammeForm,
    SessionForm,
)

__all__ = [
    "SCHOOL_ITSELF",
    "AttendanceForm",
    "CallSessionForm",
    "DonationForm",
    "EndEnrolmentForm",
    "EnrolByFilterForm",
    "EnrolChildForm",
    "FamilyCallForm",
    "HandoverForm",
    "HomeVisitForm",
    "ParentVisitForm",
    "ProgrammeForm",
    "SessionForm",
]
