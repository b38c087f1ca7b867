"""The browser's own print of a personal file: the file only, no navigation and no buttons."""

from __future__ import annotations

import pytest

from tests.registry.pdf_text import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printing_the_file_page_shows_no_navigation(personas, live_server, phone):
    child = personas.child_a
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "teacher_a")
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/children/{child.pk}/")
    nav_text = page.inner_text("nav.navbar")
    main_text = page.inner_text("main")
    brand = page.inner_text("nav.navbar .navbar-brand").strip()
    assert page.is_visible("nav.navbar") and page.is_visible("#file-pdf")  # on screen: there

    page.emulate_media(media="print")
    assert not page.is_visible("nav.navbar")
    assert not page.is_visible("#file-actions") and not page.is_visible("#file-pdf")
    assert page.is_visible("h1")

    text = pdf_text(page.pdf(format="A4"))
    assert child.name in text
    assert brand not in text
    only_in_nav = [
        item for item in (line.strip() for line in nav_text.splitlines())
        if item and item not in main_text
    ]  # fmt: skip
    assert len(only_in_nav) >= 3  # the menu, who is signed in, "sign out"…
    for item in only_in_nav:
        assert item not in text, item
