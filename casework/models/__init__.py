"""Casework's records: the partners of the joint conference and the protection concerns."""

from casework.models.agencies import Agency, AgencyKind, Liaison
from casework.models.concerns import Concern, ConcernKind, ConcernSource, Severity
from casework.models.referrals import (
    Referral,
    ReferralReminder,
    ReferralStatus,
    ReferralUpdate,
)

__all__ = ["Agency", "AgencyKind", "Concern", "ConcernKind", "ConcernSource", "Liaison", "Severity"]
__all__ += ["Referral", "ReferralReminder", "ReferralStatus", "ReferralUpdate"]
