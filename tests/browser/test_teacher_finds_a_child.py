"""A teacher signs in on a phone, searches a child by name and opens the personal file."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_signs_in_searches_by_name_and_opens_the_file(personas, live_server, phone):
    ChildFactory.create_batch(5, school=personas.school_a)  # others in the same school
    child = personas.child_a  # 张小明, school A
    page = phone

    page.goto(f"{live_server.url}/children/")
    assert "/accounts/login/" in page.url  # not signed in yet
    page.fill("input[name=username]", "teacher_a")
    page.fill("input[name=password]", "pw-for-tests-2026")
    screenshot(page, "01-login")
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/children/")
    page.fill("input[name=q]", "小明")
    page.press("input[name=q]", "Enter")
    # The list before the search has a count too (6): wait until the count is the search's, not
    # merely for a count (under load it was read before the answer had replaced it).
    expect(page.locator("#result-count")).to_contain_text("1 ", timeout=15_000)
    screenshot(page, "02-search")

    page.click(f"text={child.name}")
    page.wait_for_url(f"{live_server.url}/children/{child.pk}/")
    body = page.inner_text("main")
    assert child.name in body
    assert personas.school_a.name in body
    assert child.id_number not in body  # teachers see the number masked
    assert "500238************" in body
    screenshot(page, "03-file")


def test_teacher_cannot_find_a_child_of_another_school(personas, live_server, phone):
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "teacher_a")
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/children/?q=李小红")
    assert "李小红" not in page.inner_text("main")
    response = page.goto(f"{live_server.url}/children/{personas.child_b.pk}/")
    assert response.status == 404
