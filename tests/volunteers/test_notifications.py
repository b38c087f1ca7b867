"""Notifications: the inbox always, email and SMS where there is an address, each sent once;
a gateway failure is retried and never holds up anyone else's message."""

from __future__ import annotations

import datetime
import http.server
import json
import threading

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from lbc_office.core.models import Role
from tests.factories import UserFactory
from tests.volunteers.factories import VolunteerFactory
from volunteers.models import Delivery, Notification
from volunteers.services import notify
from volunteers.sms import HttpBackend, SmsError

pytestmark = pytest.mark.django_db


class FakeGateway(http.server.BaseHTTPRequestHandler):
    """A stand-in SMS provider on 127.0.0.1: records requests, answers with ``status``."""

    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 — the http.server API
        length = int(self.headers["Content-Length"])
        FakeGateway.received.append(
            {"auth": self.headers.get("Authorization"), **json.loads(self.rfile.read(length))}
        )
        self.send_response(FakeGateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    FakeGateway.received = []
    FakeGateway.status = 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "volunteers.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_HTTP_TOKEN = "t0ken"
    yield FakeGateway
    server.shutdown()
    server.server_close()


def _notify(recipient, period="2026-11"):
    return notify.send_once(
        recipient,
        kind="checkin_open",
        period=period,
        subject="本月走访",
        body="请填写",
        link="/my/",
    )


def test_http_backend_posts_json_with_the_token(gateway):
    HttpBackend().send("13912345678", "本月走访")
    assert gateway.received == [
        {"auth": "Bearer t0ken", "to": "13912345678", "message": "本月走访"}
    ]


def test_http_backend_failure_is_an_sms_error(gateway):
    gateway.status = 500
    with pytest.raises(SmsError, match="500"):
        HttpBackend().send("13912345678", "x")


def test_unreachable_gateway_is_an_sms_error():
    with pytest.raises(SmsError, match="unreachable"):
        HttpBackend(url="http://127.0.0.1:1/send", timeout=2).send("13912345678", "x")


def test_a_recipient_without_phone_or_email_still_gets_the_inbox_message():
    user = UserFactory(role=Role.VOLUNTEER, email="", phone="")
    volunteer = VolunteerFactory(user=user, phone="", email="")
    notification = _notify(notify.Recipient.for_volunteer(volunteer))
    assert notification.user == user
    assert not Delivery.objects.exists()
    client = _client(user)
    page = client.get(reverse("volunteers:inbox")).content.decode()
    assert "本月走访" in page


def test_a_volunteer_without_login_is_reached_by_sms_only(gateway):
    volunteer = VolunteerFactory(phone="13912345678", email="")
    notification = _notify(notify.Recipient.for_volunteer(volunteer))
    assert notification.user is None
    assert notify.deliver_notification(notification.pk) == 1
    assert gateway.received[0]["to"] == "13912345678"
    # The SMS says what kind of message waits, never the message (issue 12: no personal data).
    message = gateway.received[0]["message"]
    assert "本月走访" not in message
    with translation.override("zh-hans"):
        assert str(Notification.Kind.CHECKIN_OPEN.label) in message


def test_the_same_notification_is_made_once():
    volunteer = VolunteerFactory()
    recipient = notify.Recipient.for_volunteer(volunteer)
    assert _notify(recipient) is not None
    assert _notify(recipient) is None
    assert _notify(recipient, period="2026-12") is not None
    assert Notification.objects.count() == 2


def test_a_gateway_failure_is_retried_and_does_not_block_others(gateway):
    first = VolunteerFactory(phone="13900000001", email="first@example.org")
    second = VolunteerFactory(phone="13900000002", email="")
    _notify(notify.Recipient.for_volunteer(first))
    _notify(notify.Recipient.for_volunteer(second))
    gateway.status = 503
    assert notify.sweep() == 1  # the email went; both SMS failed
    assert [m.to for m in mail.outbox] == [["first@example.org"]]
    failed = Delivery.objects.filter(channel="sms")
    assert {d.status for d in failed} == {"pending"}
    assert all(d.attempts == 1 and d.next_attempt_at > timezone.now() for d in failed)
    assert notify.sweep() == 0  # not due yet
    # The gateway recovers; once the retry is due, each SMS goes exactly once.
    gateway.status = 200
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert notify.sweep() == 2
    assert notify.sweep() == 0
    # Two refused attempts, then one accepted send each.
    assert sorted(r["to"] for r in gateway.received) == [
        "13900000001", "13900000001", "13900000002", "13900000002"
    ]  # fmt: skip
    assert Delivery.objects.filter(status="sent").count() == 3


def test_after_five_failures_a_delivery_is_given_up(gateway):
    gateway.status = 500
    _notify(notify.Recipient.for_volunteer(VolunteerFactory(email="")))
    for _ in range(notify.MAX_ATTEMPTS):
        Delivery.objects.update(next_attempt_at=None)
        notify.sweep()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == notify.MAX_ATTEMPTS
    assert "500" in delivery.last_error


def test_a_claim_left_by_a_dead_worker_is_freed():
    _notify(notify.Recipient.for_volunteer(VolunteerFactory(email="")))
    Delivery.objects.update(
        status="sending", claimed_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert notify.sweep() == 1
    assert Delivery.objects.get().status == "sent"


def test_inbox_is_private_and_marks_read():
    mine = UserFactory(role=Role.TEACHER)
    other = UserFactory(role=Role.TEACHER)
    note = _notify(notify.Recipient.for_user(mine))
    client = _client(other)
    assert "本月走访" not in client.get(reverse("volunteers:inbox")).content.decode()
    assert client.post(reverse("volunteers:inbox_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None  # someone else's message is untouched
    _client(mine).post(reverse("volunteers:inbox_read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_marking_messages_read_through_the_inbox(personas):
    def message(user, n):
        return Notification.objects.create(
            recipient_key=f"user:{user.pk}", user=user, kind="concern", period=f"p{n}",
            subject="s", body="b",
        )  # fmt: skip

    first, second = message(personas.official, 1), message(personas.official, 2)
    theirs = message(personas.teacher_a, 3)
    client = personas.client_for("official")
    assert client.post(reverse("volunteers:inbox_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("volunteers:inbox_read", args=[first.pk]))
    assert Notification.objects.filter(read_at__isnull=False).get() == first
    client.post(reverse("volunteers:inbox_read_all"))
    assert set(Notification.objects.filter(read_at__isnull=True)) == {theirs}
    assert Notification.objects.get(pk=second.pk).read_at is not None
