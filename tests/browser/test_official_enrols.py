"""A new official enrols as a person does: the password, the enrolment code a colleague issued in
the browser, the QR code's key into an app, a first code, then the recovery codes, once."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from lbc_office.core.models import Role
from tests.browser.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")


def test_a_colleague_issues_a_code_and_the_new_official_enrols(personas, live_server, phone):
    from lbc_office.core.enrolment import issue_enrolment_code

    newcomer = UserFactory(username="newcomer", role=Role.OFFICIAL)
    page = phone

    # The first official enrols with the code `manage.py issue_enrolment_code` would print.
    page.context.clear_cookies()
    _sign_in(page, live_server.url, "official")
    page.fill("input[name=enrolment_code]", issue_enrolment_code(user=personas.official, by=None))
    page.click("button[type=submit]")
    page.wait_for_selector("#totp-secret")
    key = base64.b32decode(page.inner_text("#totp-secret"))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    page.click("a.btn-primary")
    page.goto(f"{live_server.url}/accounts/enrolment-codes/{newcomer.pk}/")
    page.click("main button[type=submit]")
    code = page.inner_text("#enrolment-code")
    screenshot(page, "enrolment-01-code-issued")
    # Signed out before the newcomer signs in on the same phone. Clearing the cookies raced
    # with a response still on its way, which set the official's session again.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("input[name=username]").count() == 1, "still signed in"

    # The newcomer: the password shows no key, the code does.
    _sign_in(page, live_server.url, "newcomer")
    page.wait_for_selector("#enrolment-step")
    assert page.locator("#totp-secret").count() == 0
    page.fill("input[name=enrolment_code]", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#totp-secret")
    screenshot(page, "enrolment-02-set-up")
    key = base64.b32decode(page.inner_text("#totp-secret"))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert len(page.locator("#recovery-codes li").all_inner_texts()) == 10
    screenshot(page, "enrolment-03-recovery-codes")
    page.click("a.btn-primary")
    page.wait_for_selector("#county-overview")
