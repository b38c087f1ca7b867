"""Two-factor sign-in: officials and the admin need a code from an authenticator app."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.enrolment import issue_enrolment_code
from tests.lbc_office.test_accounts import PASSWORD, _login

pytestmark = pytest.mark.django_db


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(client, user, next_url="/"):
    """A first sign-in as a person does it: the enrolment code, the app's key, a first code.

    Returns the confirmed device and the recovery codes the page showed."""
    code = issue_enrolment_code(user=user, by=None)
    response = client.post(reverse("two_factor"), {"enrolment_code": code, "next": next_url})
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    setup = client.get(response["Location"]).content.decode()
    assert 'id="totp-secret"' in setup and "data:image/svg+xml;base64," in setup
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor"), {"code": _code(device), "next": next_url})
    assert response.status_code == 200
    assert "registration/recovery_codes.html" in [t.name for t in response.templates]
    device.refresh_from_db()
    return device, response.context["codes"]


def pass_second_step(client, user):
    """Sign-in's second step as a person does it: the page, then the app's code (the first
    time, enrolling with a code from the office)."""
    page = client.get(reverse("home"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("two_factor"))
    client.get(page["Location"])
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _codes = enrol(client, user)
        return device
    response = client.post(reverse("two_factor"), {"code": _code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    return device


def test_an_official_enrols_with_a_code_then_gets_in(personas):
    client = Client()
    _login(client, "official")
    # Nothing but the code page answers yet: not the file, not the admin.
    for url in [reverse("home"), personas.child_a.get_absolute_url(), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("two_factor") in response["Location"]
    device, codes = enrol(client, personas.official)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert client.get(personas.child_a.get_absolute_url()).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_next_sign_in_asks_only_for_the_code(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = Client()
    _login(client, "official")
    page = client.get(reverse("two_factor")).content.decode()
    assert 'id="totp-secret"' not in page  # the key is shown only when setting up
    client.post(reverse("two_factor"), {"code": _code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_and_repeated_ones_slow_down(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = Client()
    _login(client, "official")
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor"), {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    client.post(reverse("two_factor"), {"code": wrong})
    # After failures django-otp throttles: even the right code waits.
    slowed = client.post(reverse("two_factor"), {"code": _code(device)})
    assert slowed.status_code == 200
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_other_roles_are_not_asked(personas, role):
    client = Client()
    _login(client, getattr(personas, role).username)
    assert not client.get(reverse("home"), follow=True).redirect_chain or all(
        reverse("two_factor") not in url
        for url, _ in client.get(reverse("home"), follow=True).redirect_chain
    )


def test_the_code_page_never_redirects_off_site(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = Client()
    _login(client, "official")
    response = client.post(
        reverse("two_factor"), {"code": _code(device), "next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("home")


def test_signing_out_forgets_the_second_factor(personas):
    device = TOTPDevice.objects.create(user=personas.official, confirmed=True)
    client = Client()
    _login(client, "official")
    client.post(reverse("two_factor"), {"code": _code(device)})
    client.post(reverse("logout"))
    _login(client, "official", password=PASSWORD)
    assert reverse("two_factor") in client.get(reverse("home"))["Location"]


def test_demo_code_only_in_a_demo_database(personas):
    from django.core.management import CommandError, call_command

    with translation.override("en"), pytest.raises(CommandError, match="not a demo database"):
        call_command("demo_code")
