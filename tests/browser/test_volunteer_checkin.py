"""A surrogate parent signs in on a cheap phone and completes this month's six-role check-in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory, ensure_checkin_roles
from volunteers.models import CheckinRole, MonthlyCheckin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_volunteer_completes_the_six_role_checkin_on_a_phone(personas, live_server, phone):
    ensure_checkin_roles()
    volunteer = VolunteerFactory(user=personas.volunteer, name="刘芳")
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    page = phone

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "volunteer")
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/my/")
    card = page.locator(".volunteer-card", has_text="张小明")
    assert card.count() == 1
    screenshot(page, "volunteer-01-my-children")

    card.locator("a.btn-lg").click()
    page.wait_for_url(f"{live_server.url}/my/checkins/{assignment.pk}/")
    roles = list(CheckinRole.objects.filter(active=True).order_by("position"))
    for role in roles:
        page.get_by_label(role.name).check()  # each is a big card to tap
    box = page.get_by_label(roles[0].name).bounding_box()
    assert box and box["width"] >= 20 and box["height"] >= 20  # a thumb can hit it
    page.fill("textarea[name=notes]", "陪孩子写作业，给妈妈打了视频电话")
    screenshot(page, "volunteer-02-checkin")
    page.click("form.checkin-form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/my/")
    assert "text-bg-success" in card.inner_html()  # the card now says done
    checkin = MonthlyCheckin.objects.get(assignment=assignment)
    assert checkin.status == "done"
    assert checkin.roles_done.count() == 6
    assert checkin.notes == "陪孩子写作业，给妈妈打了视频电话"
    # Nothing sticks out of a 360-pixel-wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "volunteer-03-done")
