"""From a worry to a closed concern, in the browser: a teacher ticks "raise a protection concern"
in a home visit; an official looks at it and refers the child to the women's federation; the
federation's partner login sees the least of the file, accepts and reports it done; the official
reads the feedback and closes the concern."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import Concern, Referral
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-2026"
SEEN = "孩子手臂上有大片淤青，说是奶奶打的。"
FEEDBACK = "妇联已安排爱心妈妈每周上门，奶奶接受了家庭教育指导。"


def _new_page(browser):
    """Another person's phone (their own cookies)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _sign_in(page, url, username, device=None):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_selector("input[name=code]")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.fill("input[name=code]", f"{code:06d}")
        page.click("button[type=submit]")
    page.wait_for_selector("form[action$='/logout/']", state="attached")


def _teacher_raises_it_in_a_home_visit(page, url, child):
    _sign_in(page, url, "teacher_a")
    page.goto(f"{url}/children/{child.pk}/visits/new/")
    page.click("label[for=id_met_0]")
    page.click("label[for=id_guardian_health_2]")
    page.click("label[for=id_guardian_supervision_1]")
    page.click("label[for=id_guardian_homework_2]")
    page.fill("#id_guardian_situation", "奶奶脾气急，常打孩子。")
    page.fill("#id_education", "每周两次课后辅导。")
    page.fill("#id_mental_health", "孩子怕回家，多关心。")
    page.check("#id_raise_concern")
    page.click("#visit-form input[name=concern_kind][value=abuse] + label")
    page.click("#visit-form input[name=concern_severity][value=high] + label")
    page.fill("#id_concern_description", SEEN)
    screenshot(page, "casework-01-visit-with-concern")
    page.click("#visit-form button[type=submit]")
    page.wait_for_url(f"{url}/children/{child.pk}/")


def _official_looks_and_refers(page, url, official, agency):
    _sign_in(page, url, "official", TOTPDevice.objects.create(user=official, name="app"))
    assert page.locator("#concerns-card, a[href='/casework/concerns/']").count() >= 1
    page.goto(f"{url}/casework/concerns/")
    page.click(f"a[href='{Concern.objects.get().get_absolute_url()}']")
    page.wait_for_selector("#triage-form")
    assert SEEN in page.inner_text("#concern-description")
    page.fill("#triage-form textarea[name=action_taken]", "已电话联系班主任核实。")
    page.click("#triage-form button[type=submit]")
    page.wait_for_selector("#close-form")  # looked at: the triage form is gone
    assert page.locator("#triage-form").count() == 0
    # Refer from the child's file, for this concern.
    page.click("#concern-record dd a")
    page.click("#referrals a[href$='/refer/']")
    page.select_option("#id_agency", str(agency.pk))
    page.select_option("#id_concern", str(Concern.objects.get().pk))
    page.fill("#id_asked", "请安排爱心妈妈结对，每周上门看望，并对奶奶做家庭教育指导。")
    screenshot(page, "casework-02-refer")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{url}{Referral.objects.get().get_absolute_url()}")


def _partner_answers(page, url, child):
    _sign_in(page, url, "partner")
    page.goto(f"{url}/casework/partner/")
    referral = Referral.objects.get()
    page.click(f"a[href='/casework/partner/{referral.pk}/']")
    page.wait_for_selector("main form")
    main = page.inner_text("main")
    assert child.name in main and SEEN not in main
    assert child.id_number not in page.content()  # never the identity number
    screenshot(page, "casework-03-partner-referral")
    page.select_option("#id_status", "accepted")
    page.fill("#id_feedback", "已收到，马上安排。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#id_status option[value=done]", state="attached")
    page.select_option("#id_status", "done")
    page.fill("#id_feedback", FEEDBACK)
    page.click("main form button[type=submit]")
    page.wait_for_selector("main form", state="detached")  # finished: nothing more to answer


def test_a_home_visit_concern_is_referred_answered_and_closed(
    personas, live_server, phone, browser
):
    child, url, page = personas.child_a, live_server.url, phone
    _teacher_raises_it_in_a_home_visit(page, url, child)
    concern = Concern.objects.get()
    assert (concern.source, concern.kind, concern.severity) == ("home_visit", "abuse", "high")

    page = _new_page(browser)  # the official's, signed in once (a code is good once)
    _official_looks_and_refers(page, url, personas.official, personas.agency)
    _partner_answers(_new_page(browser), url, child)

    referral = Referral.objects.get()
    page.goto(f"{url}{referral.get_absolute_url()}")
    assert FEEDBACK in page.inner_text("main")
    page.goto(f"{url}{concern.get_absolute_url()}")
    page.click("#close-form input[name=outcome][value=referred] + label")
    page.fill("#close-form textarea[name=note]", "妇联跟进，孩子情况好转。")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#reopen-form")
    screenshot(page, "casework-04-closed")

    concern = Concern.objects.get()
    assert concern.closed_at is not None and concern.outcome == "referred"
    assert concern.triaged_by == personas.official
    referral = Referral.objects.get()
    assert (referral.concern, referral.agency, referral.status) == (
        concern,
        personas.agency,
        "done",
    )
    steps = list(referral.updates.order_by("at", "pk").values_list("status", "by__username"))
    assert steps == [("sent", "official"), ("accepted", "partner"), ("done", "partner")]
    assert referral.updates.get(status="done").feedback == FEEDBACK
