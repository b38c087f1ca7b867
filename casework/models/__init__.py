"""Casework's records: the partners of the joint conference and the protection concerns."""

from casework.models.agencies import Agency, AgencyKind, Liaison
from casework.models.concerns import Concern, ConcernKind, ConcernSource, Severity
from casework.models.reunification import ReunificationCheck

__all__ = [
    "Agency",
    "AgencyKind",
    "Concern",
    "ConcernKind",
    "ConcernSource",
    "Liaison",
    "ReunificationCheck",
    "Severity",
]
