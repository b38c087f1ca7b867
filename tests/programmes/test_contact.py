"""The last contact with a parent, the contact-gap lists at their boundaries, and follow-ups that
come due without a later visit."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import selectors
from registry import services as registry_services
from tests.factories import ChildFactory, FamilyRoomFactory
from tests.programmes.factories import (
    FamilyCallFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    days_ago,
    moment_days_ago,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _gap_names(user, days):
    return {c.name for c in selectors.contact_gap(user, days=days, today=TODAY)}


@pytest.fixture
def school(personas):
    return personas.school_a


@pytest.fixture
def room(school):
    return FamilyRoomFactory(school=school)


# --- Boundaries: 29 days is not a 30-day gap, 30 and 31 are ------------------------------------


@pytest.mark.parametrize("hour", [1, 23])  # 01:00 in Shanghai is the day before in UTC
@pytest.mark.parametrize("threshold", [30, 90, 365])
def test_gap_lists_at_their_boundaries_by_calls(personas, school, room, threshold, hour):
    ages = {"one day short": threshold - 1, "exactly": threshold, "one day over": threshold + 1}
    for name, age in ages.items():
        child = ChildFactory(school=school, name=name)
        FamilyCallFactory(child=child, room=room, at=moment_days_ago(age, hour=hour))
    assert _gap_names(personas.official, threshold) >= {"exactly", "one day over"}
    assert "one day short" not in _gap_names(personas.official, threshold)
    counts = selectors.contact_gap_counts(personas.official, today=TODAY)
    assert counts[threshold] == len(_gap_names(personas.official, threshold))


@pytest.mark.parametrize(("age", "listed"), [(29, False), (30, True), (31, True)])
def test_a_parents_visit_home_counts_up_to_the_day_they_left(personas, school, age, listed):
    child = ChildFactory(school=school, name="回家")
    ParentVisitFactory(child=child, arrived_on=days_ago(age + 20), left_on=days_ago(age))
    assert ("回家" in _gap_names(personas.official, 30)) is listed


def test_a_parent_still_at_home_is_contact_today(personas, school):
    child = ChildFactory(school=school, name="在家")
    ParentVisitFactory(child=child, arrived_on=days_ago(200), left_on=None)
    assert "在家" not in _gap_names(personas.official, 30)
    row = selectors.children_with_last_contact(personas.official, today=TODAY).get(pk=child.pk)
    assert row.last_contact == TODAY


def test_the_latest_of_calls_and_visits_home_is_the_last_contact(personas, school, room):
    child = ChildFactory(school=school)
    FamilyCallFactory(child=child, room=room, at=moment_days_ago(100))
    FamilyCallFactory(child=child, room=room, at=moment_days_ago(40))
    ParentVisitFactory(child=child, arrived_on=days_ago(80), left_on=days_ago(70))
    row = selectors.children_with_last_contact(personas.official, today=TODAY).get(pk=child.pk)
    assert row.last_contact == days_ago(40)


def test_a_call_with_someone_else_is_not_contact_with_a_parent(personas, school, room):
    child = ChildFactory(school=school, name="姑姑")
    FamilyCallFactory(child=child, room=room, with_whom="other", at=moment_days_ago(1))
    assert "姑姑" in _gap_names(personas.official, 365)


def test_children_with_no_contact_recorded_are_on_every_list_first(personas, school, room):
    FamilyCallFactory(child=personas.child_a, room=room, at=moment_days_ago(400))
    names = [c.name for c in selectors.contact_gap(personas.official, days=365, today=TODAY)]
    assert names[0] == "李小红"  # nothing recorded: first
    assert names.index("张小明") > 0


def test_children_who_left_the_register_are_not_listed(personas):
    registry_services.change_child_status(
        child=personas.child_b, status="reunited", on=TODAY, reason="回到父母身边", by=None
    )
    assert "李小红" not in _gap_names(personas.official, 30)


def test_the_gap_page_lists_the_teachers_children_with_their_days(personas, school, room):
    FamilyCallFactory(child=personas.child_a, room=room, at=moment_days_ago(45))
    client = personas.client_for("teacher_a")
    response = client.get(reverse("programmes:contact_gaps"), {"days": "30"})
    rows = list(response.context["page"])
    assert [(c.name, c.days_without_contact) for c in rows] == [("张小明", 45)]
    assert response.context["counts"] == {30: 1, 90: 0, 365: 0}
    ninety = client.get(reverse("programmes:contact_gaps"), {"days": "90"})
    assert list(ninety.context["page"]) == []


# --- Follow-ups -------------------------------------------------------------------------------


def _due_names(user, **kwargs):
    return [v.child.name for v in selectors.open_follow_ups(user, today=TODAY, **kwargs)]


def test_a_follow_up_shows_once_its_day_has_come(personas):
    HomeVisitFactory(
        child=personas.child_a, date=days_ago(10), follow_up_needed=True, follow_up_by=TODAY
    )
    HomeVisitFactory(
        child=personas.child_b,
        date=days_ago(10),
        follow_up_needed=True,
        follow_up_by=TODAY + datetime.timedelta(days=1),
    )
    assert _due_names(personas.official) == ["张小明"]
    assert _due_names(personas.official, due_only=False) == ["张小明", "李小红"]


def test_a_later_visit_closes_the_follow_up(personas):
    HomeVisitFactory(
        child=personas.child_a, date=days_ago(30), follow_up_needed=True, follow_up_by=days_ago(5)
    )
    assert _due_names(personas.teacher_a) == ["张小明"]
    HomeVisitFactory(child=personas.child_a, date=days_ago(2))
    assert _due_names(personas.teacher_a) == []


def test_an_earlier_visit_does_not_close_it(personas):
    HomeVisitFactory(child=personas.child_a, date=days_ago(40))
    HomeVisitFactory(
        child=personas.child_a, date=days_ago(30), follow_up_needed=True, follow_up_by=days_ago(5)
    )
    assert _due_names(personas.official) == ["张小明"]


def test_the_follow_up_list_is_scoped_and_shows_on_the_page(personas):
    for child in (personas.child_a, personas.child_b):
        HomeVisitFactory(
            child=child, date=days_ago(20), follow_up_needed=True, follow_up_by=days_ago(3)
        )
    assert _due_names(personas.teacher_a) == ["张小明"]
    assert _due_names(personas.teacher_b) == ["李小红"]
    assert _due_names(personas.volunteer) == []
    page = personas.client_for("teacher_a").get(reverse("programmes:follow_ups"))
    assert "张小明" in page.content.decode()
    assert "李小红" not in page.content.decode()


# --- The cached last contact ---------------------------------------------------------------


def test_recording_a_call_refreshes_the_cached_last_contact(personas, school, room):
    from programmes.services import contact as contact_services

    child = ChildFactory(school=school)
    assert child.last_parent_contact_on is None
    contact_services.record_family_call(
        child=child, room=room, by=personas.teacher_a, at=moment_days_ago(5), minutes=10,
        with_whom="father", notes="",
    )  # fmt: skip
    child.refresh_from_db()
    assert child.last_parent_contact_on == days_ago(5)


def test_the_nightly_run_moves_today_on_for_a_parent_still_at_home(personas, school):
    from programmes.tasks import refresh_last_contact

    child = ChildFactory(school=school, name="在家")
    ParentVisitFactory(child=child, arrived_on=days_ago(10), left_on=None)
    child.refresh_from_db()
    assert child.last_parent_contact_on == TODAY
    tomorrow = TODAY + datetime.timedelta(days=1)
    from programmes.services.contact import refresh_last_contact as refresh

    refresh(today=tomorrow)
    child.refresh_from_db()
    assert child.last_parent_contact_on == tomorrow
    # The task itself (today's date) puts it back and can run any number of times.
    assert refresh_last_contact.apply().get() >= 1
    refresh_last_contact.apply().get()
    child.refresh_from_db()
    assert child.last_parent_contact_on == TODAY


def test_a_cache_left_stale_by_a_bulk_write_is_repaired_at_night(personas, school, room):
    from programmes.models import FamilyCall
    from programmes.services.contact import refresh_last_contact

    child = ChildFactory(school=school, name="补录")
    FamilyCall.objects.create(  # written around the services, as a bulk import might
        child=child, county=child.county, room=room, at=moment_days_ago(3), minutes=5,
        with_whom="mother",
    )  # fmt: skip
    assert "补录" in _gap_names(personas.official, 30)
    refresh_last_contact()
    assert "补录" not in _gap_names(personas.official, 30)


def test_the_nightly_run_writes_only_the_children_whose_date_changes(personas, school, room):
    """A city's nightly run rewrote every child (2.35 million rows) to change a few: now it
    writes only the rows whose last contact is distinct, a date becoming none included."""
    from programmes.models import FamilyCall
    from programmes.services.contact import refresh_last_contact
    from registry.models import Child

    called = ChildFactory(school=school, name="有电话")
    ChildFactory(school=school, name="没有电话")
    assert refresh_last_contact() == 0  # nothing to change: nothing written
    call = FamilyCall.objects.create(  # written around the services: the cache is stale
        child=called, county=called.county, room=room, at=moment_days_ago(3), minutes=5,
        with_whom="mother",
    )  # fmt: skip
    assert refresh_last_contact() == 1
    assert Child.objects.get(pk=called.pk).last_parent_contact_on == days_ago(3)
    assert refresh_last_contact() == 0
    call.delete()  # the call was a mistake: the date goes back to none
    assert refresh_last_contact() == 1
    assert Child.objects.get(pk=called.pk).last_parent_contact_on is None
