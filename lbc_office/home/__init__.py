"""Roof: the home page, the dashboard, the audit log and the health check."""
