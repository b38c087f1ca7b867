"""Every write of the programmes app. Views, the admin, the demo and tasks call these.

Each function takes keyword arguments only, runs in one transaction, validates with
``full_clean()`` before saving, copies the child's county, and records who did it
(``created_by``/``updated_by`` and the change history) through
``lbc_office.core.services.save_tracked``.
"""

from programmes.services.contact import (
    record_call_session,
    record_family_call,
    record_home_visit,
    record_parent_visit,
    update_family_call,
    update_home_visit,
    update_parent_visit,
)
from programmes.services.donations import record_handovers, save_donation
from programmes.services.programmes import (
    end_enrolment,
    enrol_child,
    enrol_children,
    record_attendance,
    save_programme,
    save_session,
)

__all__ = [
    "end_enrolment",
    "enrol_child",
    "enrol_children",
    "record_attendance",
    "record_call_session",
    "record_family_call",
    "record_handovers",
    "record_home_visit",
    "record_parent_visit",
    "save_donation",
    "save_programme",
    "save_session",
    "update_family_call",
    "update_home_visit",
    "update_parent_visit",
]
