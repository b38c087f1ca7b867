"""The monthly cycle end to end through a real Celery worker consuming from Redis.

Skipped on a laptop without Redis; CI sets REDIS_URL (the app's broker) and
LBC_REQUIRE_SERVICES=1, so there it must run.
"""

from __future__ import annotations

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from lbc_office.celery import app as celery_app
from lbc_office.core.models import Role
from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from tests.workers import require_redis, wait_for
from volunteers import tasks
from volunteers.models import Delivery, MonthlyCheckin, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_monthly_cycle_on_a_real_worker(settings, tmp_path):
    require_redis()
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    UserFactory(role=Role.OFFICIAL, username="duty-official", email="duty@example.org")
    organisation = OrganisationFactory(email="assoc@example.org")
    alice = VolunteerFactory(organisation=organisation, phone="13911112222", email="")
    bob = VolunteerFactory(phone="", email="bob@example.org")
    started = datetime.date(2026, 9, 1)
    AssignmentFactory(child=ChildFactory(), volunteer=alice, started_on=started)
    done = AssignmentFactory(child=ChildFactory(), volunteer=bob, started_on=started)

    celery_app.control.purge()  # nothing left over from another run
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        # 1 November, sent twice as a double-firing beat would: opened and told once.
        tasks.open_month.delay("2026-11-01")
        tasks.open_month.delay("2026-11-01")
        assert wait_for(lambda: Notification.objects.filter(kind="checkin_open").count() == 2)
        assert wait_for(lambda: Delivery.objects.filter(status="sent").count() == 2)
        assert MonthlyCheckin.objects.count() == 2

        # bob checks in; on the 20th only alice is reminded.
        MonthlyCheckin.objects.filter(assignment=done).update(
            status="done", submitted_at=datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC)
        )
        tasks.remind_missing.delay("2026-11-20")
        tasks.remind_missing.delay("2026-11-20")
        assert wait_for(lambda: Notification.objects.filter(kind="checkin_reminder").count() == 1)

        # 1 December: November closes; officials and alice's organisation get the list once.
        tasks.close_months.delay("2026-12-01")
        tasks.close_months.delay("2026-12-01")
        expected_lists = 2 + 1  # two officials (duty-official, the volunteers' vetter) + org
        assert wait_for(
            lambda: Notification.objects.filter(kind="missed_list").count() == expected_lists
        )
        assert wait_for(
            lambda: (
                not Delivery.objects.exclude(status="sent").exists()
                and Delivery.objects.count() >= 5
            )
        )
        tasks.sweep_deliveries.delay()
        time.sleep(1)

    assert MonthlyCheckin.objects.get(assignment__volunteer=alice).status == "missed"
    sms = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sms) == 2  # alice: opened, reminded
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["assoc@example.org", "bob@example.org", "duty@example.org"]
