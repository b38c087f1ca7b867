"""Protection concerns through their service: the deadline (working days, urgent hours), each
step done once, field-named refusals, the file's closure and the escalation, exactly once."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casework.deadlines import triage_due
from casework.models import Concern
from casework.services import concerns as services
from lbc_office.core.models import AuditEvent, Role
from tests.casework.factories import ConcernFactory
from tests.factories import UserFactory
from volunteers.models import Notification
from volunteers.services import notify

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int) -> datetime.datetime:
    """A moment of the week of Monday 7 December 2026, Shanghai time (7 = Monday)."""
    return datetime.datetime(2026, 12, day, hour, tzinfo=SHANGHAI)


# --- The deadline ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (_at(7, 9), _at(9, 9)),  # Monday → Wednesday
        (_at(10, 15), _at(14, 15)),  # Thursday → Monday, over the weekend
        (_at(11, 15), _at(15, 15)),  # Friday → Tuesday
        (_at(12, 10), _at(15, 10)),  # Saturday counts from Monday → Tuesday
        (_at(13, 23), _at(15, 23)),  # Sunday night → Tuesday night
    ],
)
def test_the_office_has_two_working_days(raised, due):
    assert triage_due(raised, "medium") == due
    assert triage_due(raised, "high") == due


def test_the_working_days_come_from_the_settings(settings):
    settings.CONCERN_TRIAGE_WORKING_DAYS = 3
    assert triage_due(_at(11, 15), "low") == _at(16, 15)  # Friday → Wednesday


def test_an_urgent_concern_has_24_hours_weekend_or_not(settings):
    assert triage_due(_at(11, 15), "urgent") == _at(12, 15)  # Friday → Saturday
    settings.CONCERN_URGENT_HOURS = 4
    assert triage_due(_at(12, 22), "urgent") == _at(13, 2)


def test_raising_sets_the_deadline_and_is_audited(personas):
    concern = services.raise_concern(
        child=personas.child_a, kind="injury", source="school", severity="urgent",
        description="手臂有淤青", by=personas.teacher_a, raised_at=_at(11, 15),
    )  # fmt: skip
    assert concern.due_at == _at(12, 15) and concern.county_id == personas.child_a.county_id
    assert AuditEvent.objects.filter(
        action="create", object_type="casework.concern", child_id=personas.child_a.pk
    ).exists()
    assert concern.history.count() == 1


# --- Each step once, refusals named by field ---------------------------------------------------


def _raise(personas, **extra):
    fields = {
        "child": personas.child_a, "kind": "neglect", "source": "school",
        "description": "孩子连续三天没吃早饭", "by": personas.teacher_a, **extra,
    }  # fmt: skip
    return services.raise_concern(**fields)


def test_raising_the_same_concern_twice_records_it_once(personas):
    first = _raise(personas)
    assert _raise(personas) == first
    assert _raise(personas, description="另一件事") != first
    assert Concern.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"description": "  "}, "description"), ({"kind": "bogus"}, "kind"),
     ({"source": "rumour"}, "source"), ({"severity": "extreme"}, "severity")],
)  # fmt: skip
def test_a_refusal_names_its_field(personas, fields, field):
    with pytest.raises(ValidationError) as refused:
        _raise(personas, **fields)
    assert field in refused.value.message_dict
    assert not Concern.objects.exists()


def test_triage_action_close_and_reopen(personas):
    concern = _raise(personas)
    with pytest.raises(ValidationError):  # a teacher adds what they did, the office triages
        services.triage(concern=concern, by=personas.teacher_a)
    services.record_action(concern=concern, by=personas.teacher_a, action_taken="找班主任谈话")
    services.triage(concern=concern, by=personas.official, action_taken="电话联系奶奶",
                    severity="high")  # fmt: skip
    with pytest.raises(ValidationError) as again:
        services.triage(concern=concern, by=personas.official)
    assert "already looked at" in str(again.value) or "已" in str(again.value)
    concern.refresh_from_db()
    assert concern.triaged_by == personas.official and concern.severity == "high"
    assert "找班主任谈话" in concern.action_taken and "电话联系奶奶" in concern.action_taken
    with pytest.raises(ValidationError) as no_outcome:
        services.close_concern(concern=concern, by=personas.official, outcome="")
    assert "outcome" in no_outcome.value.message_dict
    services.close_concern(concern=concern, by=personas.official, outcome="resolved", note="好转")
    with pytest.raises(ValidationError):
        services.close_concern(concern=concern, by=personas.official, outcome="resolved")
    with pytest.raises(ValidationError) as closed:
        services.record_action(concern=concern, by=personas.teacher_a, action_taken="再谈")
    assert "action_taken" in closed.value.message_dict
    with pytest.raises(ValidationError) as why:
        services.reopen_concern(concern=concern, by=personas.official, reason="")
    assert "reason" in why.value.message_dict
    services.reopen_concern(concern=concern, by=personas.official, reason="又没来上学")
    concern.refresh_from_db()
    assert concern.is_open and concern.outcome == "" and "又没来上学" in concern.action_taken
    assert concern.history.count() == 5  # raised, action, triaged, closed, opened again


def test_closing_unseen_counts_as_looked_at(personas):
    concern = _raise(personas)
    services.close_concern(concern=concern, by=personas.official, outcome="unfounded")
    concern.refresh_from_db()
    assert concern.triaged_by == concern.closed_by == personas.official


def test_a_file_leaving_the_register_closes_its_open_concerns(personas):
    open_one = _raise(personas)
    done = _raise(personas, description="另一件事")
    services.close_concern(concern=done, by=personas.official, outcome="resolved")
    change = type("Change", (), {"reason": "父母返乡"})()
    (ended,) = services.close_for_child(child=personas.child_a, change=change, by=personas.official)
    assert ended.count == 1
    open_one.refresh_from_db()
    assert open_one.outcome == "left" and open_one.outcome_note == "父母返乡"
    # Nobody's change (the nightly "aged out"): a person closes the concerns.
    again = _raise(personas, description="第三件事")
    (nothing,) = services.close_for_child(child=personas.child_a, change=change, by=None)
    assert nothing.count == 0 and Concern.objects.get(pk=again.pk).is_open


# --- Escalation --------------------------------------------------------------------------------


@pytest.fixture
def overdue(personas):
    UserFactory(role=Role.OFFICIAL, username="second-official")
    UserFactory(role=Role.OFFICIAL, username="gone", is_active=False)
    now = datetime.datetime.now(tz=SHANGHAI)
    late = ConcernFactory(child=personas.child_a, due_at=now - datetime.timedelta(minutes=1))
    ConcernFactory(child=personas.child_b, due_at=now + datetime.timedelta(hours=1))  # not yet
    seen = ConcernFactory(child=personas.child_b, due_at=now - datetime.timedelta(hours=1))
    services.triage(concern=seen, by=personas.official)
    return late


def test_an_overdue_concern_escalates_to_every_official_once(personas, overdue):
    assert [c.pk for c in notify.escalate_overdue_concerns()] == [overdue.pk]
    assert notify.escalate_overdue_concerns() == []  # the scan again: nothing
    sent = Notification.objects.filter(kind="concern_overdue")
    assert {n.user.username for n in sent} == {"official", "second-official"}
    assert {n.link for n in sent} == {overdue.get_absolute_url()}
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_the_same_moment_escalate_once(personas, overdue):
    barrier = threading.Barrier(4)
    results, errors = [], []

    def scan():
        try:
            barrier.wait(timeout=10)
            results.append(len(notify.escalate_overdue_concerns()))
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == [0, 0, 0, 1]
    assert Notification.objects.filter(kind="concern_overdue").count() == 2
