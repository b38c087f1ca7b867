"""Retention: files closed or aged out for longer than RETENTION_YEARS are anonymised, at
exactly the right day, once, keeping what the reports count and nothing that identifies."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models import Count, Q, Sum
from django.utils import timezone

from lbc_office.celery import app as celery_app
from lbc_office.core.models import AuditEvent
from lbc_office.upkeep import retention, tasks
from programmes.models import FamilyCall, Handover, HomeVisit, ParentVisit
from registry import consent, services
from registry.models import (
    Child,
    ChildStatus,
    Guardian,
    HealthCheck,
    ParentAway,
    StatusChange,
)
from tests.factories import ChildFactory, FamilyRoomFactory
from tests.programmes.factories import (
    EnrolmentFactory,
    FamilyCallFactory,
    HandoverFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    ProgrammeFactory,
)
from tests.volunteers.factories import AssignmentFactory
from volunteers.models import MonthlyCheckin, Notification

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = timezone.localdate()


def _closed(on: datetime.date, status=ChildStatus.CLOSED, **fields) -> Child:
    return ChildFactory(status=status, status_changed_on=on, **fields)


def _anonymised(child) -> bool:
    child.refresh_from_db()
    return child.anonymised_at is not None


# --- The boundary -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "years", "cutoff"),
    [
        (D(2029, 6, 15), 3, D(2026, 6, 15)),
        (D(2028, 2, 29), 4, D(2024, 2, 29)),  # both leap years
        (D(2028, 2, 29), 3, D(2025, 3, 1)),  # 2025 has no 29 February
        (D(2027, 2, 28), 3, D(2024, 2, 28)),
        (D(2027, 3, 1), 3, D(2024, 3, 1)),
    ],
)
def test_the_cutoff(today, years, cutoff):
    assert retention.expiry_cutoff(today, years) == cutoff


@pytest.mark.parametrize(
    ("changed_on", "today", "expired"),
    [
        # Exactly three years ago: still kept. Three years and one day: anonymised.
        (D(2026, 6, 15), D(2029, 6, 15), False),
        (D(2026, 6, 14), D(2029, 6, 15), True),
        (D(2026, 6, 15), D(2029, 6, 16), True),
        # Closed on 29 February: the period ends on 28 February of a year without one.
        (D(2024, 2, 29), D(2027, 2, 28), False),
        (D(2024, 2, 29), D(2027, 3, 1), True),
        # Checked on 29 February: a file closed on 28 February three years before had its
        # last day yesterday; one closed on 1 March has not.
        (D(2025, 2, 28), D(2028, 2, 28), False),
        (D(2025, 2, 28), D(2028, 2, 29), True),
        (D(2025, 3, 1), D(2028, 2, 29), False),
        (D(2025, 3, 1), D(2028, 3, 1), False),
        (D(2025, 3, 1), D(2028, 3, 2), True),
    ],
)
def test_a_file_expires_the_day_after_the_last_day_of_its_period(changed_on, today, expired):
    child = _closed(changed_on)
    assert retention.anonymise_expired(today=today) == int(expired)
    assert _anonymised(child) == expired


def test_leap_day_to_leap_day(settings):
    settings.RETENTION_YEARS = 4
    child = _closed(D(2024, 2, 29))
    assert retention.anonymise_expired(today=D(2028, 2, 29)) == 0
    assert retention.anonymise_expired(today=D(2028, 3, 1)) == 1
    assert _anonymised(child)


def test_aged_out_files_expire_too():
    child = _closed(D(2020, 1, 1), status=ChildStatus.AGED_OUT)
    assert retention.anonymise_expired(today=D(2024, 1, 1)) == 1
    assert _anonymised(child)


@pytest.mark.parametrize(
    "status",
    [
        ChildStatus.ACTIVE,
        ChildStatus.REUNITED,
        ChildStatus.MOVED_WITH_PARENTS,
        ChildStatus.TRANSFERRED,
    ],
)
def test_other_files_are_never_anonymised(status):
    child = _closed(D(2000, 1, 1), status=status)
    assert retention.anonymise_expired(today=D(2040, 1, 1)) == 0
    assert not _anonymised(child)


def test_the_period_is_a_setting(settings):
    child = _closed(D(2026, 6, 14))
    settings.RETENTION_YEARS = 5
    assert retention.anonymise_expired(today=D(2029, 6, 15)) == 0
    assert retention.anonymise_expired(today=D(2031, 6, 15)) == 1
    assert _anonymised(child)
    settings.RETENTION_YEARS = 1
    recent = _closed(D(2030, 6, 14))
    assert retention.anonymise_expired(today=D(2031, 6, 15)) == 1
    assert _anonymised(recent)


def test_the_default_period_is_three_years():
    from django.conf import settings

    assert settings.RETENTION_YEARS == 3


# --- Run twice ------------------------------------------------------------------------------


def _snapshot():
    return [
        list(model._default_manager.order_by("pk").values())
        for model in (Child, Child.history.model, Guardian, HomeVisit, Notification)
    ]


def test_a_second_run_changes_nothing_and_writes_no_second_event():
    first = _closed(D(2020, 3, 1))
    second = _closed(D(2021, 3, 1), status=ChildStatus.AGED_OUT)
    kept = _closed(D(2026, 3, 1))
    Guardian.objects.create(child=first, name="赵奶奶", relation="grandmother", phone="13700001111")
    assert retention.anonymise_expired(today=D(2026, 3, 2)) == 2
    after_first = _snapshot()
    assert retention.anonymise_expired(today=D(2026, 3, 2)) == 0
    assert _snapshot() == after_first
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE)
    assert sorted(events.values_list("child_id", flat=True)) == sorted([first.pk, second.pk])
    assert all(e.detail == "" and e.object_type == "registry.child" for e in events)
    assert not _anonymised(kept)


def test_a_file_another_run_got_to_first_is_skipped(monkeypatch):
    """Between this run's scan and its lock on a file, another run anonymised that file: the
    re-check under the lock leaves it alone (no second anonymisation, no second event)."""
    first, second = _closed(D(2020, 3, 1)), _closed(D(2020, 3, 1))
    real = retention._anonymise

    def racing(child):
        if child.pk == first.pk:
            real(Child.objects.get(pk=second.pk))  # the other run, between scan and lock
        real(child)

    monkeypatch.setattr(retention, "_anonymise", racing)
    assert retention.anonymise_expired(today=D(2026, 3, 2)) == 1
    assert _anonymised(first) and _anonymised(second)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE)
    assert sorted(events.values_list("child_id", flat=True)) == sorted([first.pk, second.pk])


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_anonymise_each_file_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent runs need PostgreSQL's row locks (CI runs this on PostgreSQL)")
    children = [_closed(D(2020, 3, 1)) for _ in range(12)]
    barrier = threading.Barrier(4)
    done, errors = [], []

    def run():
        try:
            barrier.wait()
            done.append(retention.anonymise_expired(today=D(2026, 3, 2)))
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
    assert sum(done) == len(children)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE)
    assert sorted(events.values_list("child_id", flat=True)) == sorted(c.pk for c in children)


def test_the_celery_task_runs_the_service():
    child = _closed(D(2000, 3, 1))
    assert "lbc_office.tasks.anonymise_expired" in celery_app.tasks
    assert tasks.anonymise_expired.apply().get() == 1
    assert _anonymised(child)
    assert tasks.anonymise_expired.apply().get() == 0


def test_the_beat_schedule_runs_the_task(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["lbc_office.anonymise_expired"]
    assert entry["task"] == "lbc_office.tasks.anonymise_expired"


# --- What is gone and what is kept -------------------------------------------------------


SECRETS = {
    "former_name": "鞠昕悦",  # corrected later: only the history holds it
    "name": "鞠昕玥",
    "wishes": "想让妈妈回家过年",
    "notes": "奶奶身体不好",
    "guardian": "鞠秀英奶奶",
    "guardian_phone": "13812345678",
    "guardian_notes": "腿脚不便",
    "father": "鞠建国爸爸",
    "father_phone": "13987654321",
    "father_notes": "在东莞电子厂",
    "findings": "轻度贫血",
    "reason": "随父母去广东读书",
    "consent_notes": "监护人按手印",
    "child_said": "我想爸爸",
    "situation": "奶奶独自照顾三个孩子",
    "recommendation": "多和孩子说话",
    "call_notes": "妈妈说春节回来",
    "visit_notes": "爸爸回家收玉米",
    "enrolment_notes": "午餐不吃辣",
    "signed": "鞠秀英签收",
    "end_reason": "孩子转学离开",
    "checkin_notes": "孩子最近很沉默",
}


@pytest.fixture
def full_file(personas):
    """A child with something in every record that holds a name, a phone or free text, closed
    four years ago through the service (so the history holds every value)."""
    official = personas.official
    child = ChildFactory(
        school=personas.school_a, name=SECRETS["former_name"], sex="M", grade=3, poor=True
    )
    services.update_child(
        child=child,
        by=official,
        name=SECRETS["name"],
        wishes=SECRETS["wishes"],
        notes=SECRETS["notes"],
    )
    services.save_guardian(
        guardian=Guardian(child=child),
        by=official,
        name=SECRETS["guardian"],
        relation="grandmother",
        phone=SECRETS["guardian_phone"],
        notes=SECRETS["guardian_notes"],
        birth_year=1955,
        schooling="none",
    )
    services.save_parent_away(
        child=child,
        relation="father",
        by=official,
        name=SECRETS["father"],
        phone=SECRETS["father_phone"],
        notes=SECRETS["father_notes"],
        work_city="东莞",
    )
    services.record_health_check(
        child=child,
        by=official,
        date=TODAY - datetime.timedelta(days=1600),
        height_cm=Decimal("120"),
        weight_kg=Decimal("22"),
        notes=SECRETS["findings"],
    )
    consent.record_consent(
        child=child,
        by=official,
        date=TODAY - datetime.timedelta(days=1600),
        guardian_name=SECRETS["guardian"],
        guardian_relation="grandmother",
        keep_file=True,
        notes=SECRETS["consent_notes"],
    )
    HomeVisitFactory(
        child=child,
        date=TODAY - datetime.timedelta(days=1550),
        child_said=SECRETS["child_said"],
        guardian_situation=SECRETS["situation"],
        education="",
        safety=SECRETS["recommendation"],
    )
    FamilyCallFactory(
        child=child,
        room=FamilyRoomFactory(school=child.school),
        at=timezone.now() - datetime.timedelta(days=1540),
        notes=SECRETS["call_notes"],
    )
    ParentVisitFactory(
        child=child,
        arrived_on=TODAY - datetime.timedelta(days=1530),
        left_on=TODAY - datetime.timedelta(days=1520),
        notes=SECRETS["visit_notes"],
    )
    EnrolmentFactory(
        child=child,
        # (a programme that had begun: closing the file ends the enrolment through its rules)
        programme=ProgrammeFactory(starts_on=TODAY - datetime.timedelta(days=1600)),
        starts_on=TODAY - datetime.timedelta(days=1510),
        notes=SECRETS["enrolment_notes"],
    )
    HandoverFactory(
        child=child,
        value=Decimal("250.00"),
        handed_over_on=TODAY - datetime.timedelta(days=1505),
        confirmed_by=SECRETS["signed"],
    )
    assignment = AssignmentFactory(
        child=child,
        started_on=TODAY - datetime.timedelta(days=1600),
        ended_on=TODAY - datetime.timedelta(days=1480),
        end_reason=SECRETS["end_reason"],
    )
    MonthlyCheckin.objects.create(
        county=child.county,
        assignment=assignment,
        month=(TODAY - datetime.timedelta(days=1500)).replace(day=1),
        notes=SECRETS["checkin_notes"],
    )
    Notification.objects.create(
        recipient_key="user:1",
        kind=Notification.Kind.CONCERN,
        period="checkin:1",
        subject=f"Concern raised about {SECRETS['name']}",
        body=f"志愿者 is worried.\n{SECRETS['checkin_notes']}",
        link=child.get_absolute_url(),
    )
    Notification.objects.create(
        recipient_key="volunteer:1",
        kind=Notification.Kind.CHECKIN_OPEN,
        period="2022-05",
        subject=f"This month's visits: {SECRETS['name']}、李小红",
        body=f"Please see or call {SECRETS['name']}、李小红.",
    )
    services.change_child_status(
        child=child,
        status=ChildStatus.CLOSED,
        on=TODAY - datetime.timedelta(days=4 * 366),
        reason=SECRETS["reason"],
        by=official,
    )
    child.refresh_from_db()
    return child


def _text_columns():
    """Every character and text column of every table, historical ones included."""
    for model in apps.get_models(include_auto_created=True):
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if fields:
            yield model, fields


def _where(value: str):
    """The tables and columns that still hold ``value``."""
    found = []
    for model, fields in _text_columns():
        query = Q()
        for name in fields:
            query |= Q(**{f"{name}__contains": value})
        if model._default_manager.filter(query).exists():
            found.append(model._meta.label)
    return found


def test_nothing_that_identifies_the_child_is_left_anywhere(full_file):
    old_id = full_file.id_number
    assert _where(old_id)  # the search finds what is there
    assert _where(SECRETS["former_name"]) == ["registry.HistoricalChild"]
    assert retention.anonymise_expired() == 1
    for key, value in {"id_number": old_id, **SECRETS}.items():
        assert _where(value) == [], key
    # Another child's name in the same message stays.
    assert Notification.objects.filter(subject__contains="已匿名、李小红").exists()


def test_the_anonymised_record_holds_placeholders(full_file):
    birth = full_file.date_of_birth
    retention.anonymise_expired()
    child = Child.objects.get(pk=full_file.pk)
    assert child.id_number == f"ANON{child.pk:014d}"
    assert len(child.id_number) == 18
    assert child.name == retention.PLACEHOLDER
    assert child.wishes == child.notes == ""
    assert child.date_of_birth == birth.replace(day=1)
    assert child.anonymised_at is not None
    guardian = Guardian.objects.get(child=child)
    assert (guardian.name, guardian.phone, guardian.notes) == (retention.PLACEHOLDER, "", "")
    father = ParentAway.objects.get(child=child)
    assert (father.name, father.phone, father.notes) == (retention.PLACEHOLDER, "", "")
    assert father.work_city == "东莞"
    assert StatusChange.objects.get(child=child).reason == retention.PLACEHOLDER
    visit = HomeVisit.objects.get(child=child)
    # Text that held something is marked, empty text stays empty: the visit still counts as
    # one with a safety recommendation and none on education.
    assert (visit.safety, visit.education) == (retention.PLACEHOLDER, "")
    assert (visit.child_said, visit.community) == (retention.PLACEHOLDER, "")
    assert Handover.objects.get(child=child).confirmed_by == retention.PLACEHOLDER
    assert FamilyCall.objects.get(child=child).notes == ""
    assert ParentVisit.objects.get(child=child).notes == ""


def test_what_the_reports_count_is_kept(full_file):
    def figures():
        return {
            # A report's cross-tabulation: children per school, grade, sex and status.
            "group": sorted(
                Child.objects.values_list("school", "grade", "sex", "status").annotate(
                    n=Count("pk")
                )
            ),
            "cohort": Child.objects.filter(
                school=full_file.school,
                grade=3,
                sex="M",
                poor=True,
                status=ChildStatus.CLOSED,
                village=full_file.village,
                father_away=True,
                guardian=full_file.guardian,
                date_of_birth__year=full_file.date_of_birth.year,
            ).count(),
            "status_changes": StatusChange.objects.filter(child=full_file).count(),
            "guardian_birth_years": list(
                Guardian.objects.filter(child=full_file).values_list("birth_year", "schooling")
            ),
            "heights": list(HealthCheck.objects.values_list("height_cm", "weight_kg")),
            "visits": HomeVisit.objects.filter(child=full_file).exclude(safety="").count(),
            "calls": FamilyCall.objects.filter(child=full_file).count(),
            "enrolments": full_file.enrolments.count(),
            "received": Handover.objects.filter(child=full_file).aggregate(v=Sum("value"))["v"],
            "checkins": MonthlyCheckin.objects.filter(assignment__child=full_file).count(),
            "consents": full_file.consents.filter(keep_file=True).count(),
        }

    before = figures()
    assert before["cohort"] == 1
    retention.anonymise_expired()
    assert figures() == before


def test_the_anonymised_file_still_opens_and_can_be_saved(personas, full_file):
    retention.anonymise_expired()
    child = Child.objects.get(pk=full_file.pk)
    client = personas.client_for("official")
    response = client.get(child.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert retention.PLACEHOLDER in html
    assert SECRETS["name"] not in html
    # The file's own rules skip the placeholder identity number: a later save does not fail.
    child.full_clean()
    services.update_child(child=child, by=personas.official, notes="档案已匿名")
    child.refresh_from_db()
    assert child.id_number == f"ANON{child.pk:014d}"
    # And nothing more is recorded in it.
    response = client.get(child.get_absolute_url())
    assert 'id="consent-card"' in response.content.decode()
    assert "consent/new" not in response.content.decode()
