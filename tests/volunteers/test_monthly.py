"""The monthly cycle: each task run twice, concurrently, or late does its work exactly once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from lbc_office.core.models import Role, User
from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import Delivery, MonthlyCheckin, Notification
from volunteers.services import monthly, notify

pytestmark = pytest.mark.django_db

NOV_1 = datetime.date(2026, 11, 1)


@pytest.fixture
def cycle(db):
    """Two volunteers with three children; one volunteer belongs to an organisation."""
    organisation = OrganisationFactory(email="org@example.org")
    coordinator = UserFactory(role=Role.VIEWER, username="coordinator")
    organisation.coordinator = coordinator
    organisation.save()
    official = UserFactory(role=Role.OFFICIAL, email="official@example.org", phone="13800000001")
    alice = VolunteerFactory(name="爱心妈妈甲", organisation=organisation, email="")
    bob = VolunteerFactory(name="代理家长乙", phone="", email="bob@example.org")
    started = datetime.date(2026, 9, 1)
    assignments = [
        AssignmentFactory(child=ChildFactory(), volunteer=alice, started_on=started),
        AssignmentFactory(
            child=ChildFactory(), volunteer=alice, started_on=started, role="foster_sibling"
        ),
        AssignmentFactory(child=ChildFactory(), volunteer=bob, started_on=started),
    ]
    return {"official": official, "alice": alice, "bob": bob, "assignments": assignments,
            "organisation": organisation}  # fmt: skip


def _counts():
    return (
        MonthlyCheckin.objects.count(),
        Notification.objects.count(),
        Delivery.objects.count(),
    )


def test_opening_the_month_twice_opens_and_tells_once(cycle, django_capture_on_commit_callbacks):
    first = monthly.open_month(NOV_1)
    assert first == {"month": "2026-11", "checkins_created": 3, "volunteers_told": 2}
    after_first = _counts()
    second = monthly.open_month(NOV_1)
    assert second["volunteers_told"] == 0
    # alice: one SMS per check-in (issue 13: it names the child and says how to answer), bob
    # by email
    assert _counts() == after_first == (3, 4, 3)
    told = Notification.objects.get(recipient_key=f"volunteer:{cycle['bob'].pk}")
    assert told.kind == "checkin_open" and told.period == "2026-11"


def test_a_late_run_catches_up_and_new_assignments_join(cycle):
    # The worker was down on the 1st: the 2nd's run does the 1st's work.
    monthly.open_month(datetime.date(2026, 11, 2))
    assert MonthlyCheckin.objects.filter(month=NOV_1).count() == 3
    # An assignment made mid-month gets its check-in on the next daily run, with no second
    # message to a volunteer already told this month.
    AssignmentFactory(
        child=ChildFactory(), volunteer=cycle["bob"], started_on=datetime.date(2026, 11, 10)
    )
    result = monthly.open_month(datetime.date(2026, 11, 11))
    assert result == {"month": "2026-11", "checkins_created": 1, "volunteers_told": 0}


def test_reminders_start_on_the_20th_and_come_once(cycle):
    monthly.open_month(NOV_1)
    assert monthly.remind_missing(datetime.date(2026, 11, 19)) == {"reminded": 0}
    # bob does his check-in; alice does not.
    bob_checkin = MonthlyCheckin.objects.get(assignment__volunteer=cycle["bob"])
    MonthlyCheckin.objects.filter(pk=bob_checkin.pk).update(
        status="done", submitted_at=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
    )
    assert monthly.remind_missing(datetime.date(2026, 11, 20))["reminded"] == 1
    assert monthly.remind_missing(datetime.date(2026, 11, 20))["reminded"] == 0
    # A worker down on the 20th catches up on the 21st without a second reminder.
    assert monthly.remind_missing(datetime.date(2026, 11, 21))["reminded"] == 0
    reminder = Notification.objects.get(kind="checkin_reminder")
    assert reminder.recipient_key == f"volunteer:{cycle['alice'].pk}"
    assert reminder.period == "2026-11"


def test_closing_marks_missed_and_sends_each_list_once(cycle):
    monthly.open_month(NOV_1)
    done = MonthlyCheckin.objects.get(assignment__volunteer=cycle["bob"])
    MonthlyCheckin.objects.filter(pk=done.pk).update(
        status="done", submitted_at=datetime.datetime(2026, 11, 5, tzinfo=datetime.UTC)
    )
    assert monthly.close_months(datetime.date(2026, 11, 30)) == {
        "marked_missed": 0,
        "lists_sent": 0,
    }
    result = monthly.close_months(datetime.date(2026, 12, 1))
    # alice's two check-ins are missed; each official and alice's organisation get a list.
    officials = {f"user:{u.pk}" for u in User.objects.filter(role=Role.OFFICIAL)}
    assert len(officials) == 2  # the cycle's official and the volunteers' vetter
    assert result == {"marked_missed": 2, "lists_sent": 3}
    assert MonthlyCheckin.objects.filter(status="missed").count() == 2
    assert monthly.close_months(datetime.date(2026, 12, 1)) == {"marked_missed": 0, "lists_sent": 0}
    assert monthly.close_months(datetime.date(2026, 12, 3)) == {"marked_missed": 0, "lists_sent": 0}
    lists = Notification.objects.filter(kind="missed_list", period="2026-11")
    assert {n.recipient_key for n in lists} == officials | {
        f"organisation:{cycle['organisation'].pk}"
    }
    organisation_list = lists.get(recipient_key__startswith="organisation")
    assert organisation_list.user.username == "coordinator"  # the coordinator's inbox
    assert "爱心妈妈甲" in organisation_list.body
    assert organisation_list.body.count("\n- ") == 2  # one line per missed check-in


def test_a_missed_month_cannot_be_filled_in_afterwards(cycle):
    from django.core.exceptions import ValidationError

    from volunteers.services import care

    monthly.open_month(NOV_1)
    monthly.close_months(datetime.date(2026, 12, 1))
    missed = MonthlyCheckin.objects.filter(status="missed").first()
    with pytest.raises(ValidationError):
        care.submit_checkin(checkin=missed, by=None, contact="visit")


def test_the_database_allows_one_checkin_per_assignment_and_month(cycle):
    assignment = cycle["assignments"][0]
    MonthlyCheckin.objects.create(assignment=assignment, county=assignment.county, month=NOV_1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyCheckin.objects.create(assignment=assignment, county=assignment.county, month=NOV_1)


def test_deliveries_are_sent_once_and_outbox_matches(cycle, settings, tmp_path):
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    monthly.open_month(NOV_1)
    assert notify.sweep() == 3
    assert notify.sweep() == 0  # nothing is sent twice
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    lines = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(cycle["alice"].phone in line for line in lines)  # per child
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_tasks_run_concurrently_do_everything_exactly_once(cycle, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (CI runs this on PostgreSQL)")
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    barrier = threading.Barrier(4)
    errors = []

    def worker(step):
        try:
            barrier.wait()
            step()
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    def run(steps):
        threads = [threading.Thread(target=worker, args=(s,)) for s in steps]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    run([lambda: monthly.open_month(NOV_1)] * 4)
    run([notify.sweep] * 4)
    run([lambda: monthly.remind_missing(datetime.date(2026, 11, 20))] * 4)
    run([lambda: monthly.close_months(datetime.date(2026, 12, 1))] * 4)
    run([notify.sweep] * 4)
    assert errors == []
    assert MonthlyCheckin.objects.count() == 3
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    # open and reminder for both volunteers; lists for two officials and the organisation
    assert kinds == sorted(
        ["checkin_open"] * 2 + ["checkin_reminder"] * 2 + ["missed_list"] * 3
        + ["checkin_sms"] * 4  # alice's two check-ins, opened and reminded, one SMS each
    )  # fmt: skip
    sent_sms = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    # alice (SMS) opened + reminded, per check-in; the official (SMS) one list; the organisation
    # has no phone.
    assert len(sent_sms) == 5
    assert Delivery.objects.filter(status="sent").count() == Delivery.objects.count()


def test_an_inactive_volunteer_is_told_nothing_more(cycle):
    """Issue 12, finding 7: access ends with the volunteer's record, messages included."""
    bob = cycle["bob"]
    bob.active = False
    bob.save(update_fields=["active"])
    result = monthly.open_month(NOV_1)
    assert result["volunteers_told"] == 1
    assert not Notification.objects.filter(recipient_key=f"volunteer:{bob.pk}").exists()
    monthly.remind_missing(datetime.date(2026, 11, 20))
    assert not Notification.objects.filter(recipient_key=f"volunteer:{bob.pk}").exists()
