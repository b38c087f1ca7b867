"""Case plans reviewed at least monthly: each review due is reminded once — run twice, run
concurrently, and on a real Celery worker (Redis) as beat would run it."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from casework.models import CasePlan, PlanReminder
from casework.services import plans
from lbc_office.core.models import Role
from lbc_office.upkeep import plan_reviews
from registry import risk, services
from tests.factories import ChildFactory, UserFactory
from tests.workers import require_redis, wait_for
from volunteers.models import Notification

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _plan(official, teacher=None, **child):
    kid = ChildFactory(**child)
    risk.set_risk_level(child=kid, level="urgent", reason="独自在家", by=official)
    plan = CasePlan.objects.get(child=kid)
    if teacher is not None:
        plans.save_action(plan=plan, by=official, what="家访", owner_user=teacher, due_on=TODAY)
    return plan


def _due_on(plan, day):
    CasePlan.objects.filter(pk=plan.pk).update(next_review_on=day)


@pytest.mark.django_db
def test_a_due_review_is_reminded_once_to_whoever_keeps_the_plan(personas):
    plan = _plan(personas.official, personas.teacher_a, school=personas.school_a)
    not_due = _plan(personas.official)
    _due_on(plan, TODAY)
    assert plan_reviews.remind_due_reviews(today=TODAY) == 1
    assert plan_reviews.remind_due_reviews(today=TODAY) == 0  # again: nothing
    assert plan_reviews.remind_due_reviews(today=TODAY + DAY) == 0  # late: nothing new
    sent = Notification.objects.filter(kind=Notification.Kind.PLAN_REVIEW)
    assert sorted(sent.values_list("user__username", flat=True)) == ["official", "teacher_a"]
    assert {n.period for n in sent} == {f"plan:{plan.pk}:{TODAY:%Y-%m-%d}"}
    assert PlanReminder.objects.get().recipients == 2
    assert not PlanReminder.objects.filter(plan=not_due).exists()


@pytest.mark.django_db
def test_after_a_review_the_next_due_date_is_reminded_in_its_turn(personas):
    plan = _plan(personas.official)
    _due_on(plan, TODAY)
    plan_reviews.remind_due_reviews(today=TODAY)
    plans.review_plan(plan=plan, note="好转", next_review_on=TODAY + DAY, by=personas.official)
    assert plan_reviews.remind_due_reviews(today=TODAY) == 0
    assert plan_reviews.remind_due_reviews(today=TODAY + DAY) == 1
    assert PlanReminder.objects.filter(plan=plan).count() == 2


@pytest.mark.django_db
def test_closed_plans_and_files_that_left_are_not_reminded(personas):
    closed = _plan(personas.official)
    risk.set_risk_level(child=closed.child, level="low", reason="x", by=personas.official)
    plans.close_plan(plan=closed, note="好转", by=personas.official)
    left = _plan(personas.official)
    services.change_child_status(
        child=left.child, status="reunited", on=TODAY, reason="父母返乡", by=personas.official
    )
    for plan in (closed, left):
        _due_on(plan, TODAY - DAY)
    assert plan_reviews.remind_due_reviews(today=TODAY) == 0


@pytest.mark.django_db
def test_a_keeper_who_left_hands_the_reminder_to_the_officials(personas):
    teacher = UserFactory(role=Role.TEACHER, username="gone")  # no school: sees no child
    plan = _plan(personas.official)
    CasePlan.objects.filter(pk=plan.pk).update(opened_by=teacher)
    plan.refresh_from_db()
    assert [u.username for u in plan_reviews.recipients(plan)] == ["official"]


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_remind_each_review_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent runs need PostgreSQL")
    official = UserFactory(role=Role.OFFICIAL, username="duty")
    due = [_plan(official) for _ in range(5)]
    for plan in due:
        _due_on(plan, TODAY)
    barrier = threading.Barrier(4)
    counts, errors = [], []

    def run():
        try:
            barrier.wait()
            counts.append(plan_reviews.remind_due_reviews(today=TODAY))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(counts) == len(due)
    assert PlanReminder.objects.count() == len(due)
    assert Notification.objects.filter(kind="plan_review").count() == len(due)


# --- On a real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_reminder_goes_out_once_on_a_real_worker(settings, tmp_path):
    from celery.contrib.testing.worker import start_worker
    from django.core import mail

    from lbc_office.celery import app as celery_app
    from lbc_office.upkeep import tasks

    require_redis()
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    official = UserFactory(role=Role.OFFICIAL, username="duty", email="duty@example.org")
    plan = _plan(official)
    _due_on(plan, TODAY)
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        # Beat firing twice (a restart, a second beat): the same review, reminded once.
        tasks.remind_plan_reviews.delay(TODAY.isoformat())
        tasks.remind_plan_reviews.delay(TODAY.isoformat())
        assert wait_for(lambda: PlanReminder.objects.exists())
        assert wait_for(lambda: len(mail.outbox) >= 1)
        tasks.remind_plan_reviews.delay((TODAY + DAY).isoformat())  # late: nothing new
        time.sleep(2)
    assert PlanReminder.objects.count() == 1
    assert Notification.objects.filter(kind="plan_review").count() == 1
    assert [m.to for m in mail.outbox] == [["duty@example.org"]]
    assert plan.child.name not in mail.outbox[0].body  # no child's name leaves by email


@pytest.mark.django_db
def test_my_open_plan_actions_are_in_my_tasks(personas):
    from django.urls import reverse

    plan = _plan(personas.official, personas.teacher_a, school=personas.school_a)
    response = personas.client_for("teacher_a").get(reverse("my_tasks"))
    tasks = {d.key: d for d in response.context["tasks"]}
    assert tasks["plan_actions"].count == 1
    assert tasks["plan_actions"].items[0].child_id == plan.child_id
    assert "plan_actions" not in {
        d.key for d in personas.client_for("teacher_b").get(reverse("my_tasks")).context["tasks"]
    }
