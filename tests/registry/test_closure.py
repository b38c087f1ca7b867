"""Closing a file (registry.closure): carers, check-ins, enrolments and follow-ups end with the
status change, in its transaction; an official restores them after reopening; mark_aged_out goes
the same way; open_month opens nothing for a closed file."""

from __future__ import annotations

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lbc_office.reports import Filters
from lbc_office.reports.care import checkin_rows
from programmes.models import Enrolment, HomeVisit
from registry import closure, services
from registry.models import ChildStatus, StatusChange
from tests.factories import ChildFactory, SchoolFactory
from tests.programmes.factories import EnrolmentFactory, HomeVisitFactory, ProgrammeFactory
from tests.volunteers.factories import AssignmentFactory
from volunteers.models import Assignment, MonthlyCheckin, month_start
from volunteers.services import monthly

TODAY = timezone.localdate


@pytest.fixture
def cared_for(personas):
    """child_a with a carer, this month's check-in to do, an enrolment and a pending follow-up."""
    child = personas.child_a
    assignment = AssignmentFactory(child=child)
    checkin = MonthlyCheckin.objects.create(
        assignment=assignment, county_id=child.county_id, month=month_start(TODAY())
    )
    programme = ProgrammeFactory(county=child.county)
    enrolment = EnrolmentFactory(programme=programme, child=child)
    HomeVisitFactory(
        child=child, follow_up_needed=True, follow_up_by=TODAY() + datetime.timedelta(days=5)
    )
    return assignment, checkin, enrolment


def _close(child, by, status=ChildStatus.REUNITED):
    return services.change_child_status(
        child=child, status=status, on=TODAY(), reason="父母返乡", by=by
    )


def test_closing_ends_carers_checkins_enrolments_in_the_change(personas, cared_for):
    assignment, checkin, enrolment = cared_for
    change = _close(personas.child_a, personas.official)

    assignment.refresh_from_db()
    assert assignment.ended_on == TODAY() and assignment.closing == change
    assert "父母返乡" in assignment.end_reason
    checkin.refresh_from_db()
    assert checkin.status == MonthlyCheckin.Status.CANCELLED
    enrolment.refresh_from_db()
    assert enrolment.ends_on == TODAY() and enrolment.closing == change
    ended = {e["key"]: e["count"] for e in StatusChange.objects.get(pk=change.pk).ended}
    assert ended["volunteers.carers"] == 1
    assert ended["volunteers.checkins"] == 1
    assert ended["programmes.enrolments"] == 1
    assert ended["programmes.follow_ups"] == 1
    assert ended["casework.reunification"] == 2
    # The follow-up left the lists with the file (the rule counts active children only).
    assert not HomeVisit.objects.open_follow_ups(today=TODAY(), due_only=False).exists()


def test_a_cancelled_checkin_is_never_counted_missed(personas, cared_for):
    _assignment, checkin, _enrolment = cared_for
    _close(personas.child_a, personas.official)
    monthly.close_months(today=month_start(TODAY()) + datetime.timedelta(days=40))
    checkin.refresh_from_db()
    assert checkin.status == MonthlyCheckin.Status.CANCELLED
    total = checkin_rows(Filters())[-1]
    assert total["missed"] == 0 and total["due"] == 0


def test_a_failing_closer_rolls_everything_back(personas, cared_for):
    assignment, checkin, enrolment = cared_for

    def broken(*, child, change, by):
        raise RuntimeError("closer failed")

    closure.register("zz.broken", close=broken)
    try:
        with pytest.raises(RuntimeError):
            _close(personas.child_a, personas.official)
    finally:
        closure._parts.pop("zz.broken")
    personas.child_a.refresh_from_db()
    assert personas.child_a.status == ChildStatus.ACTIVE
    assert not StatusChange.objects.filter(child=personas.child_a).exists()
    assert Assignment.objects.get(pk=assignment.pk).ended_on is None
    assert MonthlyCheckin.objects.get(pk=checkin.pk).status == MonthlyCheckin.Status.OPEN
    assert Enrolment.objects.get(pk=enrolment.pk).ends_on is None


def test_reopening_and_restoring_once(personas, cared_for):
    assignment, checkin, enrolment = cared_for
    child = personas.child_a
    closing = _close(child, personas.official, status=ChildStatus.MOVED_WITH_PARENTS)
    with pytest.raises(ValidationError):  # not yet back on the register
        services.restore_closed(child=child, by=personas.official)
    services.change_child_status(
        child=child,
        status=ChildStatus.ACTIVE,
        on=TODAY(),
        reason="父母又外出",
        by=personas.official,
    )
    with pytest.raises(PermissionDenied):
        services.restore_closed(child=child, by=personas.teacher_a)
    change = services.restore_closed(child=child, by=personas.official)
    assert change.pk == closing.pk and change.restored_at is not None
    restored = {e["key"]: e["count"] for e in change.restored}
    assert restored["volunteers.carers"] == 1 and restored["programmes.enrolments"] == 1
    again = Assignment.objects.get(child=child, ended_on__isnull=True)
    assert again.pk != assignment.pk and again.volunteer_id == assignment.volunteer_id
    assert again.started_on == TODAY()
    assert Enrolment.objects.filter(child=child, ends_on__isnull=True).count() == 1
    checkin.refresh_from_db()
    assert checkin.status == MonthlyCheckin.Status.CANCELLED  # past check-ins stay cancelled
    with pytest.raises(ValidationError):  # repeat-safe: once per closing
        services.restore_closed(child=child, by=personas.official)
    assert Assignment.objects.filter(child=child, ended_on__isnull=True).count() == 1


def test_mark_aged_out_goes_through_closure(personas, settings):
    settings.LBC_MAX_AGE = 17
    born = TODAY().replace(year=TODAY().year - 17) - datetime.timedelta(days=3)
    child = ChildFactory(school=SchoolFactory(level="middle"), date_of_birth=born, grade=9)
    assignment = AssignmentFactory(child=child)
    assert services.mark_aged_out() == 1
    assert services.mark_aged_out() == 0  # a second run finds nothing
    assignment.refresh_from_db()
    assert assignment.ended_on is not None
    change = StatusChange.objects.get(child=child)
    assert change.to_status == ChildStatus.AGED_OUT
    assert {e["key"] for e in change.ended} == {"volunteers.carers"}


def test_open_month_opens_nothing_for_a_closed_file(personas):
    child = ChildFactory(school=personas.school_a, status=ChildStatus.CLOSED)
    AssignmentFactory(child=child)  # left over, as before closure existed
    result = monthly.open_month(today=TODAY())
    assert result["checkins_created"] == 0
    assert not MonthlyCheckin.objects.filter(assignment__child=child).exists()


def test_the_timeline_lists_what_was_ended(personas, cared_for, official_client):
    change = _close(personas.child_a, personas.official)
    change.refresh_from_db()
    page = official_client.get(personas.child_a.get_absolute_url()).content.decode()
    summary = html.escape(change.ended_summary)
    assert change.ended and page.count(summary) == 2  # the status history and the timeline
    from registry import timeline

    events = timeline.page(personas.child_a).events
    status = [e for e in events if e.kind == "status" and "→" in e.title][0]
    assert "volunteers" not in status.detail  # labels, not keys
    assert status.detail.count("·") >= 3


def test_the_status_form_shows_what_was_ended_and_lets_an_official_restore(
    personas, cared_for, official_client
):
    from django.urls import reverse

    child = personas.child_a
    _close(child, personas.official)
    url = reverse("registry:child_status", args=[child.pk])
    teacher = personas.client_for("teacher_a")
    page = teacher.get(url)
    assert 'id="closing-ended"' in page.content.decode()
    assert "restore" not in page.context["form"].fields  # officials only
    assert "restore" in official_client.get(url).context["form"].fields
    response = official_client.post(
        url, {"status": "active", "date": TODAY().isoformat(), "reason": "父母又外出",
              "restore": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Assignment.objects.filter(child=child, ended_on__isnull=True).count() == 1
    assert StatusChange.objects.get(to_status="reunited").restored_at is not None
    # and the button on the file is gone: nothing left to restore
    restore = reverse("registry:child_restore", args=[child.pk])
    assert 'id="restore"' not in official_client.get(child.get_absolute_url()).content.decode()
    official_client.post(restore)
    assert Assignment.objects.filter(child=child, ended_on__isnull=True).count() == 1
