"""A teacher records a home visit in a village, on a phone: from the file, one screen, saved."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from programmes.models import HomeVisit
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_teacher_records_a_home_visit_on_a_phone(personas, live_server, phone):
    child = personas.child_a
    page = phone
    _sign_in(page, live_server, "teacher_a")

    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.click(f"#file-actions a[href='/children/{child.pk}/visits/new/']")
    page.wait_for_url(f"{live_server.url}/children/{child.pk}/visits/new/")
    assert page.input_value("#id_date") == timezone.localdate().isoformat()  # today: no typing
    assert _fits_the_screen(page)

    # Who was met and how the guardian copes: one tap each.
    page.click("label[for=id_met_0]")  # grandparents
    page.click("label[for=id_guardian_health_2]")  # poor
    page.click("label[for=id_guardian_supervision_1]")  # partly
    page.click("label[for=id_guardian_homework_2]")  # not at all
    page.fill("#id_guardian_situation", "奶奶腿脚不便，不识字。")
    page.click("#visit-form button[type=submit]")  # forgot the recommendations
    page.wait_for_selector(".alert-danger")
    assert page.locator("#id_education.is-invalid").count() == 1
    assert page.is_checked("#id_met_0")  # what was tapped is kept

    page.fill("#id_education", "每周两次课后辅导。")
    page.fill("#id_mental_health", "想妈妈，多和孩子聊天。")
    page.fill("#id_child_said", "想让妈妈过年回家。")
    page.check("#id_follow_up_needed")
    follow_up = timezone.localdate() + datetime.timedelta(days=14)
    page.fill("#id_follow_up_by", follow_up.isoformat())
    screenshot(page, "programmes-01-home-visit-form")
    page.click("#visit-form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/children/{child.pk}/")
    assert page.locator("#timeline li.visit").count() == 1
    assert "每周两次课后辅导。" in page.inner_text("#timeline li.visit")
    assert follow_up.isoformat() in page.inner_text("#care-card")
    screenshot(page, "programmes-02-file-after-visit")

    visit = HomeVisit.objects.get()
    assert (visit.child, visit.visitor, visit.met) == (child, personas.teacher_a, "grandparents")
    assert (visit.guardian_health, visit.guardian_homework) == ("poor", "no")
    assert visit.follow_up_by == follow_up
    assert visit.child_said == "想让妈妈过年回家。"

    page.click("#timeline li.visit a")
    page.wait_for_url(f"{live_server.url}/visits/{visit.pk}/")
    assert "想让妈妈过年回家。" in page.inner_text("main")
    assert _fits_the_screen(page)
