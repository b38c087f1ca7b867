"""Headers and logs: a strict Content-Security-Policy, and no identity numbers, phone numbers,
passwords or session keys in any log line."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from lbc_office.core.security import RedactFilter, redact

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_strict_policy(personas):
    for client, url in [
        (Client(), "/accounts/login/"),
        (personas.client_for("teacher_a"), "/children/"),
    ]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_redaction_of_numbers_and_secrets():
    line = "child 500238201505201234 phone 13912345678 sessionid=abc123 password=hunter2"
    cleaned = redact(line)
    assert "500238201505201234" not in cleaned and "500238************" in cleaned
    assert "13912345678" not in cleaned and "139****5678" in cleaned
    assert "abc123" not in cleaned and "hunter2" not in cleaned


def test_the_log_filter_cleans_messages_arguments_and_tracebacks():
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "id %s", ("50023820150520123X",), None
    )
    try:
        raise ValueError("bad number 50023820150520123X")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactFilter().filter(record)
    text = record.getMessage() + (record.exc_text or "")
    assert "50023820150520123X" not in text
    assert "500238************" in text and "123X" not in text


def test_the_configured_handlers_redact(settings):
    """Every handler of the configuration filters, and Django's loggers use them, not Django's
    unfiltered defaults."""
    config = settings.LOGGING
    assert all("redact" in h.get("filters", []) for h in config["handlers"].values())
    for name in ("django", "django.server"):
        assert config["loggers"][name]["propagate"] is False
        ours = [h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]
        assert ours and all(any(isinstance(f, RedactFilter) for f in h.filters) for h in ours)
