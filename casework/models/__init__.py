"""Casework's records: the partners of the joint conference and the protection concerns."""

from casework.models.agencies import Agency, AgencyKind, Liaison
from casework.models.concerns import Concern, ConcernKind, ConcernSource, Severity
from casework.models.plans import CasePlan, PlanAction, PlanReminder, PlanReview
from casework.models.referrals import (
    Referral,
    ReferralReminder,
    ReferralStatus,
    ReferralUpdate,
)
from casework.models.reunification import ReunificationCheck

__all__ = ["Agency", "AgencyKind", "Concern", "ConcernKind", "ConcernSource", "Liaison", "Severity"]
__all__ += ["Referral", "ReferralReminder", "ReferralStatus", "ReferralUpdate"]
__all__ += ["CasePlan", "PlanAction", "PlanReminder", "PlanReview", "ReunificationCheck"]
