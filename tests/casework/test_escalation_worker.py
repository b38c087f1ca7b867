"""Escalation on a real Celery worker consuming from Redis: the beat's task sent twice one after
the other, then four times at once to a worker running four threads — every official is told
once per overdue concern, and the concern is escalated once.

Skipped on a laptop without Redis; CI sets REDIS_URL and LBC_REQUIRE_SERVICES=1, so there it
must run (as tests/volunteers/test_worker.py).
"""

from __future__ import annotations

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from casework.models import Concern
from lbc_office.celery import app as celery_app
from lbc_office.core.models import Role
from tests.casework.factories import ConcernFactory
from tests.factories import UserFactory
from tests.workers import require_redis, wait_for
from volunteers import tasks
from volunteers.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_escalation_is_sent_once_when_the_scan_runs_twice_and_concurrently(settings):
    require_redis()
    officials = [UserFactory(role=Role.OFFICIAL, username=f"duty-{i}") for i in range(3)]
    late = ConcernFactory(due_at=timezone.now() - datetime.timedelta(minutes=5))

    celery_app.control.purge()
    with start_worker(
        celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=20
    ):
        # One after the other, as a beat that fired twice.
        tasks.escalate_overdue_concerns.delay()
        tasks.escalate_overdue_concerns.delay()
        sent = Notification.objects.filter(kind="concern_overdue")
        assert wait_for(lambda: sent.count() == len(officials))

        # At the same moment, on four threads: a second overdue concern, four scans.
        later = ConcernFactory(due_at=timezone.now() - datetime.timedelta(minutes=1))
        for _ in range(4):
            tasks.escalate_overdue_concerns.delay()
        assert wait_for(lambda: sent.count() == 2 * len(officials))
        time.sleep(1)  # let the other scans finish: they must find nothing left

    assert sent.count() == 2 * len(officials)  # nothing more arrived after
    assert {n.period for n in sent} == {f"concern:{late.pk}", f"concern:{later.pk}"}
    assert {n.user for n in sent} == set(officials)
    assert Concern.objects.filter(escalated_at__isnull=False).count() == 2
