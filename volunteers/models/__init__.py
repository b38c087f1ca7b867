"""Volunteers, assignments, monthly check-ins and notifications."""

from volunteers.models.care import (
    DEFAULT_CAPACITY,
    Assignment,
    CarerRole,
    Organisation,
    Volunteer,
    active_assignment_q,
    month_start,
)
from volunteers.models.checkins import CheckinRole, MonthlyCheckin
from volunteers.models.notifications import Delivery, Notification
from volunteers.models.sms import InboundSms

__all__ = [
    "DEFAULT_CAPACITY",
    "Assignment",
    "CarerRole",
    "CheckinRole",
    "Delivery",
    "InboundSms",
    "MonthlyCheckin",
    "Notification",
    "Organisation",
    "Volunteer",
    "active_assignment_q",
    "month_start",
]
