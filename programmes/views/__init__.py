"""The programmes app's pages: contact (teachers and officials), programmes and donations
(officials)."""

from programmes.views.contact import (
    call_add,
    call_edit,
    call_session,
    contact_gaps,
    follow_ups,
    parent_visit_add,
    parent_visit_edit,
    room_list,
    visit_add,
    visit_detail,
    visit_edit,
)
from programmes.views.donations import (
    child_received,
    donation_detail,
    donation_edit,
    donation_list,
    handover_add,
)
from programmes.views.programmes import (
    enrol_child,
    enrolment_end,
    programme_detail,
    programme_edit,
    programme_enrol,
    programme_list,
    session_add,
    session_attendance,
)

__all__ = [
    "call_add",
    "call_edit",
    "call_session",
    "child_received",
    "contact_gaps",
    "donation_detail",
    "donation_edit",
    "donation_list",
    "enrol_child",
    "enrolment_end",
    "follow_ups",
    "handover_add",
    "parent_visit_add",
    "parent_visit_edit",
    "programme_detail",
    "programme_edit",
    "programme_enrol",
    "programme_list",
    "room_list",
    "session_add",
    "session_attendance",
    "visit_add",
    "visit_detail",
    "visit_edit",
]
