"""/healthz answers 200 when the database and the broker answer, 503 otherwise."""

from __future__ import annotations

import pytest
from django.test import Client

from lbc_office.celery import app as celery_app
from lbc_office.core import replica

pytestmark = pytest.mark.django_db


def test_healthy(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    # With a read replica configured (CI), it is switched off outside its own tests.
    extra = {"replica": "off"} if replica.configured() else {}
    assert response.json() == {"status": "ok", "database": True, "broker": True, **extra}


def test_unreachable_broker_answers_503(monkeypatch):
    # A real Redis URL on a port where nothing listens: the connection truly fails.
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] is False
    assert response.json()["database"] is True


def test_healthz_needs_no_login_and_is_not_cached():
    response = Client().get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
