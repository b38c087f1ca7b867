"""Monthly check-ins through the screens: the six roles, the simple contact, concerns."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from lbc_office.core.models import AuditEvent, User
from tests.factories import ChildFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import CheckinRole, MonthlyCheckin, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def surrogate(personas):
    volunteer = VolunteerFactory(user=personas.volunteer, may_be_foster_mother=True)
    return AssignmentFactory(child=personas.child_a, volunteer=volunteer)


def test_a_surrogate_parent_ticks_the_six_roles(personas, surrogate):
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    page = client.get(url).content.decode()
    roles = list(CheckinRole.objects.filter(active=True))
    assert len(roles) == 6
    for role in roles:
        assert role.name in page
    response = client.post(url, {"roles_done": [r.pk for r in roles[:4]], "notes": "作业都完成了"})
    assert response.status_code == 302
    checkin = MonthlyCheckin.objects.get(assignment=surrogate)
    assert checkin.status == "done" and checkin.submitted_by == personas.volunteer
    assert set(checkin.roles_done.all()) == set(roles[:4])
    assert not checkin.concern
    # It can be corrected during the month: still one check-in.
    client.post(url, {"roles_done": [r.pk for r in roles]})
    assert MonthlyCheckin.objects.get(assignment=surrogate).roles_done.count() == 6


def test_nothing_ticked_needs_a_note(personas, surrogate):
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    with translation.override("en"):
        response = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert MonthlyCheckin.objects.get(assignment=surrogate).status == "open"


def test_a_foster_mother_records_a_simple_contact(personas):
    volunteer = VolunteerFactory(user=personas.volunteer, may_be_foster_mother=True, capacity=1)
    assignment = AssignmentFactory(
        child=personas.child_a, volunteer=volunteer, role="foster_mother"
    )
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[assignment.pk])
    assert "roles_done" not in client.get(url).content.decode()
    assert client.post(url, {"contact": "phone"}).status_code == 302
    checkin = MonthlyCheckin.objects.get(assignment=assignment)
    assert checkin.contact == "phone" and checkin.status == "done"


def test_a_concern_reaches_every_official_at_once(personas, surrogate):
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    client.post(url, {"notes": "孩子最近不说话，奶奶生病住院", "concern": "on"})
    checkin = MonthlyCheckin.objects.get(assignment=surrogate)
    concerns = Notification.objects.filter(kind="concern")
    officials = set(User.objects.filter(role="official"))
    assert {n.user for n in concerns} == officials and len(concerns) == len(officials)
    assert {n.period for n in concerns} == {f"checkin:{checkin.pk}"}
    assert all("奶奶生病住院" in n.body for n in concerns)
    # Submitting again does not raise it twice.
    client.post(url, {"notes": "孩子最近不说话，奶奶生病住院", "concern": "on"})
    assert Notification.objects.filter(kind="concern").count() == len(officials)
    # The official's first screen shows it, and the official looks at it on its own page.
    official = personas.client_for("official")
    home = official.get(reverse("home")).content.decode()
    assert 'id="open-concerns"' in home and "张小明" in home
    assert {n.link for n in concerns} == {checkin.concern_record.get_absolute_url()}
    official.post(
        reverse("casework:concern_triage", args=[checkin.concern_record_id]),
        {"action_taken": "给奶奶打了电话"},
    )
    checkin.concern_record.refresh_from_db()
    assert checkin.concern_record.triaged_by == personas.official
    assert "给奶奶打了电话" in checkin.concern_record.action_taken


def test_a_volunteers_worry_is_a_protection_concern(personas, surrogate):
    """What worries them in plain words and a few words of their own: the office's record,
    the same as a home visit's or a teacher's; the volunteer hears only that it arrived."""
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    page = client.get(url).content.decode()
    assert 'name="concern_kind"' in page and 'name="concern_words"' in page
    client.post(
        url,
        {
            "notes": "本月去了两次",
            "concern": "on",
            "concern_kind": "running_away",
            "concern_words": "孩子说想去广州找妈妈",
        },
    )
    checkin = MonthlyCheckin.objects.select_related("concern_record").get(assignment=surrogate)
    concern = checkin.concern_record
    assert (concern.kind, concern.source, concern.child) == (
        "running_away", "checkin", personas.child_a,
    )  # fmt: skip
    assert concern.description == "孩子说想去广州找妈妈"
    assert concern.raised_by == personas.volunteer and concern.due_at > concern.raised_at
    from casework.services import concerns as concern_services

    concern_services.triage(concern=concern, by=personas.official, action_taken="office-note-x")
    page = client.get(url).content.decode()
    assert 'id="worry-received"' in page and "office-note-x" not in page
    # The concern's own page is the office's and the teachers': not the volunteer's.
    assert client.get(concern.get_absolute_url()).status_code == 404
    # Unticking later does not take the worry back; ticking again raises no second one.
    client.post(url, {"notes": "本月去了两次", "concern": ""})
    client.post(url, {"notes": "本月去了两次", "concern": "on", "concern_kind": "neglect"})
    checkin.refresh_from_db()
    assert checkin.concern and checkin.concern_record_id == concern.pk
    from casework.models import Concern

    assert Concern.objects.count() == 1


def test_a_worry_without_words_still_says_what_was_ticked(personas, surrogate):
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    client.post(url, {"roles_done": [CheckinRole.objects.first().pk], "concern": "on"})
    concern = MonthlyCheckin.objects.get(assignment=surrogate).concern_record
    assert concern.kind == "other" and concern.description


def test_the_volunteers_screen_shows_who_to_call_and_what_is_to_do(personas, surrogate):
    from registry.models import Guardian

    Guardian.objects.create(
        child=personas.child_a, name="张奶奶", relation="grandmother", phone="13700001111"
    )
    client = personas.client_for("volunteer")
    page = client.get(reverse("volunteers:my_children")).content.decode()
    assert "张奶奶" in page and "tel:13700001111" in page
    assert reverse("volunteers:my_checkin", args=[surrogate.pk]) in page


def test_volunteers_screen_query_count_is_fixed(personas, django_assert_num_queries):
    volunteer = VolunteerFactory(user=personas.volunteer, capacity=20)
    client = personas.client_for("volunteer")

    def count():
        # user, volunteer, assignments with child and school, guardians, parents, this month's
        # check-ins (the session comes from the cache, saved at most once a minute); the VIEW
        # event with the children it lists (one statement)
        with django_assert_num_queries(7) as ctx:
            client.get(reverse("volunteers:my_children"))
        return ctx

    AssignmentFactory(child=ChildFactory(school=personas.school_a), volunteer=volunteer)
    count()
    for _ in range(10):
        AssignmentFactory(child=ChildFactory(school=personas.school_a), volunteer=volunteer)
    count()


def test_opening_the_checkin_page_writes_nothing(personas, surrogate):
    """A GET only reads: the check-in row comes into being on the POST (or by the monthly task)."""
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    before = MonthlyCheckin.objects.count()
    assert client.get(url).status_code == 200
    assert MonthlyCheckin.objects.count() == before == 0
    assert client.post(url, {"roles_done": [CheckinRole.objects.first().pk]}).status_code == 302
    assert MonthlyCheckin.objects.filter(assignment=surrogate, status="done").count() == 1


def test_a_checkin_and_its_concern_being_handled_are_audited(personas, surrogate):
    client = personas.client_for("volunteer")
    url = reverse("volunteers:my_checkin", args=[surrogate.pk])
    client.post(url, {"notes": "奶奶住院了", "concern": "on"})
    checkin = MonthlyCheckin.objects.get(assignment=surrogate)
    personas.client_for("official").post(
        reverse("casework:concern_triage", args=[checkin.concern_record_id]), {}
    )
    events = AuditEvent.objects.filter(
        object_type="volunteers.monthlycheckin", object_id=str(checkin.pk), action="change"
    ).order_by("pk")
    assert [(e.user, e.child_id, e.detail) for e in events] == [
        (personas.volunteer, personas.child_a.pk, "concern raised"),
    ]
    on_concern = AuditEvent.objects.filter(
        object_type="casework.concern", object_id=str(checkin.concern_record_id)
    ).order_by("pk")
    assert [(e.action, e.user, e.child_id) for e in on_concern] == [
        ("create", personas.volunteer, personas.child_a.pk),
        ("change", personas.official, personas.child_a.pk),
    ]
