"""A double tap on a slow village network stores one home visit (issue 13): the button says at
once that it is saving and takes no second tap, and the server's one-time key would store a
second POST once anyway (tests/lbc_office/test_once_keys.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from programmes.models import HomeVisit
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SLOW_3G = {  # Chromium's network throttling: 400 ms latency, 400 kbit/s each way
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
BUTTON = "#visit-form button[type=submit]"


def test_a_double_tap_under_throttling_stores_one_home_visit(personas, live_server, phone):
    page, child = phone, personas.child_a
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "teacher_a")
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)

    page.goto(f"{live_server.url}/children/{child.pk}/visits/new/")
    page.click("label[for=id_met_0]")
    page.click("label[for=id_guardian_health_2]")
    page.click("label[for=id_guardian_supervision_1]")
    page.click("label[for=id_guardian_homework_2]")
    page.fill("#id_education", "每周两次课后辅导。")
    # The first tap; then, while the answer is on its way, the button's state; and 300 ms
    # later a second POST of the same form that no script can stop (form.submit() fires no
    # submit event: an old browser, or a form re-sent after a lost answer).
    disabled, saving, label = page.evaluate(
        """(selector) => new Promise((done) => {
          const button = document.querySelector(selector);
          button.click();
          setTimeout(() => HTMLFormElement.prototype.submit.call(button.form), 300);
          setTimeout(() => done([button.disabled, button.textContent.trim(),
                                 document.querySelector("script[data-saving]").dataset.saving]),
                     50);
        })""",
        BUTTON,
    )
    assert disabled and saving == label
    assert label in ("正在保存…", "Saving…")  # Chinese once the translations are merged
    try:
        page.wait_for_url(f"{live_server.url}/children/{child.pk}/", timeout=30_000)
    except PlaywrightError:  # the first tap's navigation was aborted by the second POST
        page.wait_for_url(f"{live_server.url}/children/{child.pk}/", timeout=30_000)
    page.wait_for_load_state()
    screenshot(page, "double-tap-01-saved-once")
    assert HomeVisit.objects.filter(child=child).count() == 1
    assert page.locator(".alert-success").count() == 1
