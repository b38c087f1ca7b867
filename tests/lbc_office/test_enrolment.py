"""Finding 4: the password alone never enrols the second factor.

An enrolment code from another official (or ``manage.py``) is needed: shown once, stored hashed,
valid 72 hours, single use, audited. Enrolling issues recovery codes that work once each; the
session key changes after the second step; ``next=`` never leaves the site or its scheme.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.enrolment import issue_enrolment_code
from lbc_office.core.models import AuditEvent, EnrolmentCode, Role
from tests.factories import UserFactory
from tests.lbc_office.test_accounts import _login
from tests.lbc_office.test_two_factor import _code, enrol

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def _signed_in_official(personas) -> Client:
    client = Client()
    _login(client, "official")
    return client


def _enter(client, code, next_url="/"):
    return client.post(reverse("two_factor"), {"enrolment_code": code, "next": next_url})


def _redeemed(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))


def test_the_password_alone_shows_no_key_and_enrols_nothing(personas):
    client = _signed_in_official(personas)
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="totp-secret"' not in html and "data:image/svg+xml" not in html
    assert not TOTPDevice.objects.filter(user=personas.official).exists()
    # Neither a guessed code nor a made-up enrolment code gets further.
    assert client.post(reverse("two_factor"), {"code": "123456"}).status_code == 200
    assert not _redeemed(_enter(client, "AAAA-BBBB-CCCC"))
    assert 'id="totp-secret"' not in client.get(reverse("two_factor")).content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.official).exists()


def test_a_code_is_stored_hashed_and_audited_when_issued_and_used(personas):
    colleague = UserFactory(username="colleague", role=Role.OFFICIAL)
    code = issue_enrolment_code(user=personas.official, by=colleague)
    row = EnrolmentCode.objects.get(user=personas.official)
    plain = code.replace("-", "")
    assert plain not in row.code_hash and code not in row.code_hash
    valid = row.expires_at - row.created_at
    assert abs(valid - datetime.timedelta(hours=72)) < datetime.timedelta(minutes=1)
    issued = AuditEvent.objects.get(action=Action.ENROLMENT_ISSUED)
    assert issued.user == colleague and issued.object_id == str(personas.official.pk)
    assert plain not in issued.detail
    client = _signed_in_official(personas)
    assert _redeemed(_enter(client, code.lower()))  # typed in lower case: the same code
    used = AuditEvent.objects.get(action=Action.ENROLMENT_USED)
    assert used.user == personas.official


def test_a_code_works_once(personas):
    code = issue_enrolment_code(user=personas.official, by=None)
    assert _redeemed(_enter(_signed_in_official(personas), code))
    # Someone else who saw it (another browser, the same password) gets nothing from it.
    other = _signed_in_official(personas)
    assert not _redeemed(_enter(other, code))
    assert 'id="totp-secret"' not in other.get(reverse("two_factor")).content.decode()


def test_an_expired_code_is_refused(personas):
    code = issue_enrolment_code(user=personas.official, by=None)
    EnrolmentCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = _signed_in_official(personas)
    assert not _redeemed(_enter(client, code))
    assert _redeemed(_enter(client, issue_enrolment_code(user=personas.official, by=None)))


def test_a_new_code_revokes_the_earlier_one(personas):
    first = issue_enrolment_code(user=personas.official, by=None)
    second = issue_enrolment_code(user=personas.official, by=None)
    client = _signed_in_official(personas)
    assert not _redeemed(_enter(client, first))
    assert _redeemed(_enter(client, second))


def test_wrong_tries_use_a_code_up(personas):
    code = issue_enrolment_code(user=personas.official, by=None)
    client = _signed_in_official(personas)
    for _ in range(5):
        assert not _redeemed(_enter(client, "AAAA-BBBB-CCCC"))
    assert not _redeemed(_enter(client, code))
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 6


def test_nobody_issues_their_own_code_and_only_officials_get_one(personas):
    with pytest.raises(ValidationError):
        issue_enrolment_code(user=personas.official, by=personas.official)
    with pytest.raises(ValidationError):
        issue_enrolment_code(user=personas.teacher_a, by=None)
    TOTPDevice.objects.create(user=personas.official, confirmed=True)
    with pytest.raises(ValidationError):  # already enrolled: a reset comes first
        issue_enrolment_code(user=personas.official, by=None)
    assert not EnrolmentCode.objects.exists()


def test_recovery_codes_work_once_each(personas):
    client = _signed_in_official(personas)
    _device, codes = enrol(client, personas.official)
    assert StaticToken.objects.filter(device__user=personas.official).count() == 10
    client.post(reverse("logout"))
    _login(client, "official")
    response = client.post(reverse("two_factor"), {"code": codes[0], "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.RECOVERY_USED).count() == 1
    client.post(reverse("logout"))
    _login(client, "official")
    assert client.post(reverse("two_factor"), {"code": codes[0]}).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    # A wrong code slows the next try down (django-otp's throttling); a few seconds later:
    StaticDevice.objects.update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.post(reverse("two_factor"), {"code": codes[1]}).status_code == 302
    assert StaticToken.objects.filter(device__user=personas.official).count() == 8


def test_recovery_codes_are_not_in_the_admin(official_client):
    assert official_client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_session_key_changes_after_the_second_step(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = _signed_in_official(personas)
    before = client.cookies["sessionid"].value
    assert client.post(reverse("two_factor"), {"code": _code(device)}).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert client.get(reverse("home")).status_code == 200  # still signed in, both steps


def test_the_session_key_changes_after_enrolling(personas):
    client = _signed_in_official(personas)
    before = client.cookies["sessionid"].value
    enrol(client, personas.official)
    assert client.cookies["sessionid"].value != before


@pytest.mark.parametrize(
    "target, secure",
    [
        ("https://evil.example.com/", False),
        ("//evil.example.com/children/", False),
        ("http://testserver/children/", True),  # an https session stays on https
        ("javascript:alert(1)", False),
    ],
)
def test_next_stays_on_this_site_and_scheme(personas, target, secure):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = _signed_in_official(personas)
    response = client.post(
        reverse("two_factor"), {"code": _code(device), "next": target}, secure=secure
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_next_on_this_site_is_kept(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = _signed_in_official(personas)
    page = client.get(personas.child_a.get_absolute_url())
    assert page.status_code == 302
    response = client.get(page["Location"])
    assert response.context["next"] == personas.child_a.get_absolute_url()
    response = client.post(
        reverse("two_factor"), {"code": _code(device), "next": response.context["next"]}
    )
    assert response["Location"] == personas.child_a.get_absolute_url()


# --- Issuing: the officials' page and manage.py ------------------------------------------------


def test_an_official_issues_a_colleague_a_code_shown_once(personas, official_client):
    colleague = UserFactory(username="colleague", role=Role.OFFICIAL)
    url = reverse("issue_enrolment_code", args=[colleague.pk])
    assert 'id="enrolment-code"' not in official_client.get(url).content.decode()
    response = official_client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = response.context["code"]
    assert code and f'id="enrolment-code">{code}<' in response.content.decode()
    assert AuditEvent.objects.get(action=Action.ENROLMENT_ISSUED).user == personas.official
    # Not shown again, and the colleague enrols with it.
    assert code not in official_client.get(url).content.decode()
    listing = official_client.get(reverse("enrolment_codes")).content.decode()
    assert url in listing and code not in listing
    client = Client()
    _login(client, "colleague")
    assert _redeemed(_enter(client, code))


def test_the_issuing_pages_are_for_officials_about_other_officials(personas, official_client):
    own = reverse("issue_enrolment_code", args=[personas.official.pk])
    assert official_client.post(own).status_code == 404
    teacher = reverse("issue_enrolment_code", args=[personas.teacher_a.pk])
    assert official_client.post(teacher).status_code == 404
    colleague = UserFactory(username="colleague", role=Role.OFFICIAL)
    url = reverse("issue_enrolment_code", args=[colleague.pk])
    for role in ["teacher_a", "volunteer", "viewer"]:
        client = personas.client_for(role)
        assert client.post(url).status_code == 404
        assert client.get(reverse("enrolment_codes")).status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_manage_py_prints_a_code_for_the_first_official(personas):
    out = io.StringIO()
    with translation.override("en"):
        call_command("issue_enrolment_code", "official", stdout=out)
    code = out.getvalue().split(": ")[1].split(" ")[0]
    event = AuditEvent.objects.get(action=Action.ENROLMENT_ISSUED)
    assert event.user is None and event.username == "manage.py"
    assert _redeemed(_enter(_signed_in_official(personas), code))
    with pytest.raises(CommandError):
        call_command("issue_enrolment_code", "nobody", stdout=io.StringIO())


def test_one_official_alone_cannot_hold_both_the_password_and_the_code_of_another(personas):
    """Review finding: official A resets official B's second factor, gives B a temporary
    password (shown to A) and issued B's enrolment code (shown to A): A alone then signs in and
    enrols as B, and acts as B. Whoever gave the temporary password may not also issue the code
    while that password is still temporary; another official (or manage.py) issues it."""
    from lbc_office.core import accounts
    from lbc_office.core.models import Role
    from tests.factories import UserFactory

    victim = UserFactory(username="official_b", role=Role.OFFICIAL)
    third = UserFactory(username="official_c", role=Role.OFFICIAL)
    accounts.set_password(user=victim, by=personas.official)
    with pytest.raises(ValidationError):
        issue_enrolment_code(user=victim, by=personas.official)
    assert issue_enrolment_code(user=victim, by=third)  # another official may
    created, _password = accounts.create_account(
        by=personas.official, username="official_d", role=Role.OFFICIAL
    )
    with pytest.raises(ValidationError):
        issue_enrolment_code(user=created, by=personas.official)
    assert issue_enrolment_code(user=created, by=None)  # manage.py, for a one-official county
