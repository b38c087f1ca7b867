"""Volunteers, assignments and monthly check-ins (issue: volunteers). Empty so far."""
