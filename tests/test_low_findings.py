"""Issue 12's low findings owned here: no open redirect through ``back``/``next``; email and SMS
carry no personal data; the SMS file is the app user's alone; ``/favicon.ico`` is a small icon.
(Out-of-range keys are in the URL battery, tests/test_security.py.)"""

from __future__ import annotations

import datetime
import json
import stat

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.redirects import is_safe
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin, Notification
from volunteers.services import care, monthly, notify
from volunteers.sms import FileBackend

pytestmark = pytest.mark.django_db
EVIL = [
    "https://evil.example.com/x",
    "//evil.example.com/x",
    "http:///evil.example.com",
    "https:evil.example.com",
    "javascript:alert(1)",
    "\\\\evil.example.com",
    "/\\evil.example.com",
    " https://evil.example.com",
]


# --- One safe redirect --------------------------------------------------------------------------


@pytest.mark.parametrize("url", EVIL)
def test_the_helper_refuses_other_sites_and_schemes(url):
    assert not is_safe(RequestFactory().get("/"), url)


def test_the_helper_keeps_this_site_and_refuses_http_from_https():
    request = RequestFactory().get("/")
    assert is_safe(request, "/volunteers/checkins/?month=2026-11")
    assert is_safe(request, "http://testserver/children/")
    secure = RequestFactory().get("/", secure=True)
    assert is_safe(secure, "https://testserver/children/")
    assert not is_safe(secure, "http://testserver/children/")  # no downgrade to http


@pytest.fixture
def concern(personas):
    volunteer = VolunteerFactory(user=personas.volunteer, email="vol@example.org")
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    checkin = MonthlyCheckin.objects.create(
        assignment=assignment,
        county=assignment.county,
        month=timezone.localdate().replace(day=1),
        concern=True,
    )
    return assignment, checkin


@pytest.mark.parametrize("url", EVIL)
def test_back_never_leaves_the_site(personas, concern, url):
    assignment, checkin = concern
    client = personas.client_for("official")
    ended = client.post(
        reverse("volunteers:end_assignment", args=[assignment.pk]),
        {"ended_on": timezone.localdate().isoformat(), "reason": "moved", "back": url},
    )
    assert ended.status_code == 302, ended.content.decode()[:500]
    assert ended["Location"] == assignment.child.get_absolute_url()


def test_back_within_the_site_is_followed(personas, concern):
    assignment, _checkin = concern
    back = reverse("volunteers:checkins") + "?month=2026-11&status=concern"
    response = personas.client_for("official").post(
        reverse("volunteers:end_assignment", args=[assignment.pk]),
        {"ended_on": timezone.localdate().isoformat(), "reason": "moved", "back": back},
    )
    assert response["Location"] == back


# --- Email and SMS carry no personal data ------------------------------------------------------


def test_no_email_or_sms_carries_a_childs_name_number_or_notes(personas, settings, tmp_path):
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    child = personas.child_a
    personas.official.email, personas.official.phone = "official@example.org", "13900000001"
    personas.official.save()
    organisation = OrganisationFactory(email="org@example.org", phone="13900000002")
    volunteer = VolunteerFactory(
        user=personas.volunteer, email="vol@example.org", organisation=organisation
    )
    started = datetime.date(2026, 1, 1)
    assignment = AssignmentFactory(child=child, volunteer=volunteer, started_on=started)
    other = AssignmentFactory(child=personas.child_b, volunteer=volunteer, started_on=started)
    notes = f"奶奶生病住院，身份证 {child.id_number}"
    this_month = timezone.localdate().replace(day=1)
    monthly.open_month(this_month)
    checkin = MonthlyCheckin.objects.get(assignment=assignment)
    care.submit_checkin(checkin=checkin, by=personas.volunteer, notes=notes, concern=True)
    monthly.remind_missing(this_month.replace(day=20))
    monthly.close_months((this_month + datetime.timedelta(days=32)).replace(day=1))
    notify.sweep()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"checkin_open", "concern", "checkin_reminder", "missed_list", "checkin_sms"}
    # The exception (issue 13): the monthly check-in SMS to the phone of the volunteer who looks
    # after the child names the child, so that it can be answered by SMS; nothing else.
    by_sms = set(Notification.objects.filter(kind="checkin_sms").values_list("body", flat=True))
    assert by_sms
    for text in by_sms:
        assert not any(s in text for s in [child.id_number, "奶奶生病住院", volunteer.name])
    assert any(child.name in n.body for n in Notification.objects.all())  # the inbox has it
    sms = [
        json.loads(line)["message"] for line in (tmp_path / "sms.jsonl").read_text().splitlines()
    ]
    sms = [text for text in sms if not any(body in text for body in by_sms)]
    texts = sms + [m.subject for m in mail.outbox] + [m.body for m in mail.outbox]
    assert sms and mail.outbox
    secrets = [child.name, child.id_number, "奶奶生病住院", volunteer.name, other.child.name]
    secrets += [other.child.id_number, f"/{child.pk}/"]
    leaks = [(s, t) for t in texts for s in secrets if s in t]
    assert leaks == []
    # …and a user with a login is told where to read it.
    assert all(
        settings.LBC_SITE_URL + "/inbox/" in m.body
        for m in mail.outbox
        if m.to != [organisation.email]
    )


# --- The SMS file ------------------------------------------------------------------------------


def test_the_sms_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "sms.jsonl"
    FileBackend(str(path)).send("13900000000", "hello")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # a file made by an older version is narrowed at the next message
    FileBackend(str(path)).send("13900000000", "again")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().splitlines()) == 2


# --- favicon.ico ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "official", "volunteer"])
def test_favicon_is_a_small_icon(personas, role):
    client = personas.client_for(role)
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert len(response.content) < 2048
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.parametrize("url", EVIL)
def test_the_code_pages_next_never_leaves_the_site(personas, url):
    client = personas.client_for("official")  # already verified: the page redirects at once
    response = client.get(reverse("two_factor"), {"next": url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_no_view_redirects_to_what_the_browser_sent_but_through_the_helper():
    """A ``redirect(...)``/``HttpResponseRedirect(...)`` whose target reads ``request.GET``,
    ``request.POST`` or ``request.META`` (e.g. ``HTTP_REFERER``) must go through
    ``lbc_office.core.redirects`` instead: so that the next view cannot reopen the hole."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for app in ("lbc_office", "registry", "programmes", "volunteers"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "redirects.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in {
                    "redirect",
                    "HttpResponseRedirect",
                    "HttpResponsePermanentRedirect",
                }:
                    continue
                target = ast.unparse(node.args[0])
                if any(f"request.{part}" in target for part in ("GET", "POST", "META")):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}: {target}")
    assert offenders == []
