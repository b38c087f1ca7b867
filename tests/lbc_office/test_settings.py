"""Settings come from the environment, reject nonsense, and pass check --deploy in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lbc_office.core import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("no", False), ("TRUE", True), ("", False)]
)
def test_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("X_FLAG", value)
    assert env.env_bool("X_FLAG", default=not expected) is expected


@pytest.mark.parametrize("value", ["yes?", "maybe", "2"])
def test_nonsense_booleans_are_errors(monkeypatch, value):
    monkeypatch.setenv("X_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", default=False)


def test_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "s3cret"


def _manage(*args, **environ):
    # A clean production-like environment: nothing the test run itself set (the browser tests
    # allow async-unsafe calls, which check --deploy rightly refuses).
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-for-the-check-only-0123456789",
        ALLOWED_HOSTS="lbc.example.org",
    )
    # --fail-level WARNING: any warning at all would make the exit code non-zero.
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="lbc.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
