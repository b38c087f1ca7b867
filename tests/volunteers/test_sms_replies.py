"""Volunteers without a smartphone (issue 13): a check-in recorded for them by an official or
their organisation's coordinator, and the monthly SMS answered by text (``/sms/inbound/``)."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.models import AuditEvent, Role
from tests.conftest import login
from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import CheckinRole, Delivery, InboundSms, MonthlyCheckin, Notification
from volunteers.services import monthly
from volunteers.sms_views import signature

pytestmark = pytest.mark.django_db
SECRET = "test-inbound-secret"
PHONE = "13900001111"
URL = "/sms/inbound/"


@pytest.fixture
def gateway(settings):
    settings.SMS_INBOUND_SECRET = SECRET
    return Client()


@pytest.fixture
def surrogate(personas):
    volunteer = VolunteerFactory(phone=PHONE, name="王秀英")
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    checkin = MonthlyCheckin.objects.create(
        assignment=assignment, county=assignment.county, month=timezone.localdate().replace(day=1)
    )
    return checkin


def _post(client, payload: dict, *, at: int | None = None, secret: str = SECRET, sign=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if at is None else at)
    return client.post(
        URL, body, content_type="application/json",
        headers={"X-LBC-Timestamp": stamp,
                 "X-LBC-Signature": sign or signature(secret, stamp, body)},
    )  # fmt: skip


def _reply(message_id="m-1", text="1 2 5", sender=PHONE):
    return {"id": message_id, "from": sender, "text": text}


def _roles():
    return list(CheckinRole.objects.filter(active=True).order_by("position", "id"))


# --- The endpoint: signature, time window, replay --------------------------------------------


def test_a_bad_signature_is_refused_and_nothing_is_stored(gateway, surrogate):
    assert _post(gateway, _reply(), secret="guessed").status_code == 403
    assert _post(gateway, _reply(), sign="00" * 32).status_code == 403
    response = gateway.post(URL, json.dumps(_reply()), content_type="application/json")
    assert response.status_code == 403  # unsigned
    assert not InboundSms.objects.exists()
    surrogate.refresh_from_db()
    assert surrogate.status == MonthlyCheckin.Status.OPEN


def test_a_stale_timestamp_is_refused(gateway, surrogate):
    assert _post(gateway, _reply(), at=int(time.time()) - 301).status_code == 403
    assert _post(gateway, _reply(), at=int(time.time()) + 301).status_code == 403
    assert not InboundSms.objects.exists()


def test_without_a_secret_the_endpoint_refuses_everything(settings, surrogate):
    settings.SMS_INBOUND_SECRET = ""
    assert _post(Client(), _reply(), secret="").status_code == 403
    assert not InboundSms.objects.exists()


def test_a_replayed_message_is_acted_on_once(gateway, surrogate):
    first = _post(gateway, _reply())
    assert (first.status_code, first.json()) == (200, {"status": "recorded"})
    writes = AuditEvent.objects.count()
    again = _post(gateway, _reply())  # the same signed message, or the gateway re-delivering
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert InboundSms.objects.count() == 1
    assert AuditEvent.objects.count() == writes


# --- What a reply does -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1 2 5", "1,2,5", "１２５", "1，2，5", "1、2、5", " 125 "])
def test_a_reply_ticks_exactly_those_roles(gateway, surrogate, text):
    assert _post(gateway, _reply(text=text)).json() == {"status": "recorded"}
    surrogate.refresh_from_db()
    roles = _roles()
    assert surrogate.status == MonthlyCheckin.Status.DONE
    assert set(surrogate.roles_done.all()) == {roles[0], roles[1], roles[4]}
    inbound = InboundSms.objects.get()
    assert (inbound.checkin, inbound.volunteer) == (surrogate, surrogate.assignment.volunteer)
    assert AuditEvent.objects.filter(
        object_type="volunteers.monthlycheckin", object_id=str(surrogate.pk)
    ).exists()
    assert AuditEvent.objects.filter(object_type="volunteers.inboundsms").exists()


def test_the_code_chooses_among_several_children(gateway, surrogate, personas):
    other_child = ChildFactory(school=personas.school_a)
    other = MonthlyCheckin.objects.create(
        assignment=AssignmentFactory(child=other_child, volunteer=surrogate.assignment.volunteer),
        county=other_child.county, month=surrogate.month,
    )  # fmt: skip
    assert _post(gateway, _reply(text="3")).json() == {"status": "attention"}  # which child?
    code = other.reply_code.lower()  # typed in small letters: still the code
    assert _post(gateway, _reply("m-2", text=f"{code} 3")).json() == {"status": "recorded"}
    other.refresh_from_db()
    surrogate.refresh_from_db()
    assert list(other.roles_done.all()) == [_roles()[2]]
    assert surrogate.status == MonthlyCheckin.Status.OPEN


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        ("13800009999", "1 2 5"),  # not a volunteer's phone
        (PHONE, "1 2 9"),  # no ninth role
        (PHONE, "done, thanks"),  # words
        (PHONE, "都做了"),
        (PHONE, ""),
    ],
)
def test_an_unclear_reply_gets_an_sms_back_and_a_task_for_the_office(
    gateway, surrogate, personas, sender, text
):
    assert _post(gateway, _reply(text=text, sender=sender)).json() == {"status": "attention"}
    surrogate.refresh_from_db()
    assert surrogate.status == MonthlyCheckin.Status.OPEN and not surrogate.roles_done.exists()
    inbound = InboundSms.objects.get()
    assert inbound.status == InboundSms.Status.NEEDS_ATTENTION and inbound.reason
    answer = Delivery.objects.get(notification__kind=Notification.Kind.SMS_REPLY)
    assert (answer.channel, answer.address) == ("sms", sender)
    # The office's list shows it, the sender masked.
    page = personas.client_for("official").get(reverse("volunteers:sms_list"))
    html = page.content.decode()
    assert inbound.sender_masked in html and sender not in html
    personas.client_for("official").post(reverse("volunteers:sms_handled", args=[inbound.pk]))
    inbound.refresh_from_db()
    assert (inbound.status, inbound.handled_by) == ("handled", personas.official)


def test_no_open_checkin_is_unclear(gateway, surrogate):
    MonthlyCheckin.objects.filter(pk=surrogate.pk).update(status="missed")
    assert _post(gateway, _reply()).json() == {"status": "attention"}


def test_the_monthly_sms_names_the_child_its_code_and_how_to_answer(personas, surrogate):
    monthly.open_month()
    text = Notification.objects.get(kind=Notification.Kind.CHECKIN_SMS).body
    assert personas.child_a.name in text and surrogate.reply_code in text
    assert f"{surrogate.reply_code} 1 2 5" in text
    assert personas.child_a.id_number not in text
    sms = Delivery.objects.filter(channel="sms", address=PHONE)
    assert sms.count() == 1  # the per-check-in SMS replaces the general one
    monthly.open_month()
    assert sms.count() == 1


# --- Recorded for the volunteer ---------------------------------------------------------------


def _checkin_data():
    return {"roles_done": [r.pk for r in _roles()[:2]], "notes": "电话里说的"}


def test_an_official_records_a_checkin_for_a_volunteer(personas, surrogate):
    client = personas.client_for("official")
    volunteer_page = client.get(
        reverse("volunteers:detail", args=[surrogate.assignment.volunteer_id])
    )
    url = reverse("volunteers:checkin_for", args=[surrogate.assignment_id])
    assert url in volunteer_page.content.decode()
    response = client.post(url, _checkin_data())
    assert response.status_code == 302
    surrogate.refresh_from_db()
    assert (surrogate.status, surrogate.recorded_by) == ("done", personas.official)
    event = AuditEvent.objects.get(
        object_type="volunteers.monthlycheckin", object_id=str(surrogate.pk), action="change"
    )
    assert event.user == personas.official
    assert event.detail == f"recorded for volunteer {surrogate.assignment.volunteer_id}"
    listing = client.get(reverse("volunteers:checkins")).content.decode()
    assert "recorded-by" in listing


def test_a_coordinator_records_for_their_own_organisations_volunteers_only(personas, surrogate):
    coordinator = UserFactory(username="coordinator", role=Role.VOLUNTEER)
    own = OrganisationFactory(coordinator=coordinator)
    volunteer = surrogate.assignment.volunteer
    volunteer.organisation = own
    volunteer.save()
    stranger = VolunteerFactory(organisation=OrganisationFactory(coordinator=UserFactory()))
    elsewhere = AssignmentFactory(child=ChildFactory(school=personas.school_a), volunteer=stranger)
    VolunteerFactory(user=coordinator, name="协调员")
    client = login(Client(), coordinator)
    home = client.get(reverse("volunteers:my_children")).content.decode()
    assert reverse("volunteers:coordinated") in home
    page = client.get(reverse("volunteers:coordinated")).content.decode()
    assert reverse("volunteers:checkin_for", args=[surrogate.assignment_id]) in page
    assert (
        client.post(
            reverse("volunteers:checkin_for", args=[elsewhere.pk]), _checkin_data()
        ).status_code
        == 404
    )
    assert not MonthlyCheckin.objects.filter(assignment=elsewhere).exists()
    response = client.post(
        reverse("volunteers:checkin_for", args=[surrogate.assignment_id]), _checkin_data()
    )
    assert response.status_code == 302
    surrogate.refresh_from_db()
    assert surrogate.recorded_by == coordinator


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_no_one_else_records_for_a_volunteer(personas, surrogate, role):
    url = reverse("volunteers:checkin_for", args=[surrogate.assignment_id])
    assert personas.client_for(role).post(url, _checkin_data()).status_code == 404
    surrogate.refresh_from_db()
    assert surrogate.status == MonthlyCheckin.Status.OPEN
