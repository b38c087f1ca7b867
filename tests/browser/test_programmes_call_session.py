"""Family-room staff record a whole session's calls at once, on a phone-sized screen."""

from __future__ import annotations

import pytest

from programmes.models import FamilyCall
from tests.browser.conftest import screenshot
from tests.browser.test_programmes_home_visit import _fits_the_screen, _sign_in
from tests.factories import ChildFactory, FamilyRoomFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_record_a_sessions_calls_on_a_phone(personas, live_server, phone):
    school = personas.school_a
    room = FamilyRoomFactory(school=school, label="亲情电话（教学楼一楼）")
    first, second, silent = (
        ChildFactory(school=school, grade=5, name=name) for name in ("王小雨", "刘小军", "陈小兰")
    )
    ChildFactory(school=school, grade=4, name="四年级")
    page = phone
    _sign_in(page, live_server, "teacher_a")

    page.goto(f"{live_server.url}/family-rooms/")
    page.click(f"a[href='/family-rooms/{room.pk}/session/']")
    page.click("#grades a[href='?grade=5']")
    page.wait_for_selector("#session-form")
    rows = page.locator(".call-row")
    assert rows.count() == 3
    assert "四年级" not in page.inner_text("#session-form")
    assert _fits_the_screen(page)

    page.fill(f"#id_minutes_{first.pk}", "6")
    page.click(f"label[for=id_with_{first.pk}_1]")  # mother
    page.fill(f"#id_minutes_{second.pk}", "0")  # a slip of the finger
    page.click(f"label[for=id_with_{second.pk}_2]")  # both parents
    page.click("#session-form button[type=submit]")
    page.wait_for_selector(".alert-danger")
    assert "刘小军" in page.inner_text(".alert-danger")  # the refusal names the child
    assert not FamilyCall.objects.exists()  # all or nothing

    page.fill(f"#id_minutes_{second.pk}", "12")
    screenshot(page, "programmes-03-call-session")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    screenshot(page, "programmes-04-call-session-saved")

    calls = {c.child_id: c for c in FamilyCall.objects.all()}
    assert set(calls) == {first.pk, second.pk}
    assert (calls[first.pk].minutes, calls[first.pk].with_whom) == (6, "mother")
    assert (calls[second.pk].minutes, calls[second.pk].with_whom) == (12, "both")
    assert calls[first.pk].room == room and calls[first.pk].created_by == personas.teacher_a
    assert silent.pk not in calls
