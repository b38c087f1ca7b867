"""A teacher in a village with no signal: opens the app, finds the child, records a home visit;
it waits on the phone and is sent once when the signal returns — a second tab sending it again
stores nothing more. Signing out wipes the phone (docs/OFFLINE.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programmes.models import HomeVisit
from registry.models import Guardian
from tests.browser.conftest import screenshot
from tests.browser.offline_steps import ready_for_offline, records, send_again, sign_in, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_home_visit_recorded_with_no_signal_arrives_once(personas, live_server, phone):
    child = personas.child_a
    Guardian.objects.create(child=child, name="张奶奶", relation="grandmother", phone="13800001111")
    page, context = phone, phone.context
    sign_in(page, live_server, "teacher_a")
    ws = ready_for_offline(page)
    assert [c["name"] for c in ws["children"]] == [child.name]  # school B's child is not there
    assert child.id_number not in str(ws)

    context.set_offline(True)
    page.goto(f"{live_server.url}/")  # the app opens with no signal: the offline page
    expect(page.locator("#offline-app")).to_be_visible(timeout=20_000)
    expect(page.locator("#app-offline")).to_be_visible(timeout=20_000)
    page.fill("#find", child.name[:2])
    page.click(".child-item")
    assert "13800001111" in page.inner_text("#child-card")
    page.click("#go-visit")
    form = page.locator("#f-visit")
    expect(form).to_be_visible(timeout=20_000)
    assert page.input_value("#visit_date")  # today, filled in on the phone
    page.click("label[for=visit_met_0]")
    page.fill("#visit_education", "每周两次课后辅导。")
    page.fill("#visit_child_said", "想让妈妈过年回家。")
    screenshot(page, "offline-01-visit-form")
    page.click("#f-visit button[type=submit]")
    page.wait_for_selector("#waiting li .waiting-badge")
    expect(page.locator("#app-note")).to_be_visible(
        timeout=20_000
    )  # "saved on this phone, waiting to be sent"
    screenshot(page, "offline-02-waiting")
    assert not HomeVisit.objects.exists()
    (record,) = records(page)
    assert record["status"] == "waiting" and record["target"] == child.pk

    # A second tab, opened while still offline, shows the same record waiting.
    second = context.new_page()
    second.goto(f"{live_server.url}/offline/")
    second.wait_for_selector("#waiting li")

    context.set_offline(False)  # the signal returns: both tabs hear "online"
    page.wait_for_selector("#sent li")
    until(page, "() => LBC.records().then(r => r.length === 0)", "the record left the phone")
    screenshot(page, "offline-03-sent")
    visit = HomeVisit.objects.get()
    assert (visit.child, visit.visitor, visit.met) == (child, personas.teacher_a, "grandparents")
    assert visit.child_said == "想让妈妈过年回家。"

    # The second tab sends the same record again (it had it before the first tab sent it).
    answer = send_again(second, live_server, personas.teacher_a.pk, record)
    assert answer["results"][0] == {
        "key": record["key"],
        "status": "saved",
        "messages": [],
        "replayed": True,
    }
    assert HomeVisit.objects.count() == 1
    second.close()


def test_signing_out_and_clearing_the_phone_wipe_what_it_keeps(personas, live_server, phone):
    page = phone
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "teacher_a")
    ready_for_offline(page)

    # "Clear this phone" wipes at once.
    page.goto(f"{live_server.url}/offline/")
    page.wait_for_selector(".child-item")
    page.click("#clear-phone")
    until(page, "() => indexedDB.databases().then(d => !d.some(x => x.name === 'lbc-offline'))",
          "the phone's store is gone")  # fmt: skip
    assert page.locator(".child-item").count() == 0

    # Back on a page of the site, the phone fetches the working set again; signing out wipes it.
    page.goto(f"{live_server.url}/")
    ready_for_offline(page)
    page.click(".navbar-toggler")
    page.click("form[action='/accounts/logout/'] button")
    # the wipe (store, caches, worker) comes first: give a busy machine time
    page.wait_for_url(f"{live_server.url}/accounts/login/", timeout=45_000)
    stores = page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))")
    assert "lbc-offline" not in stores
    assert page.evaluate("() => caches.keys()") == []
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations()") == []


def test_a_working_set_past_its_date_is_dropped(personas, live_server, phone):
    page, context = phone, phone.context
    sign_in(page, live_server, "teacher_a")
    ready_for_offline(page)
    page.evaluate(
        """() => LBC.meta("ws").then(ws => {
            ws.keep_until = "2000-01-01T00:00:00+00:00"; return LBC.setMeta("ws", ws); })"""
    )
    context.set_offline(True)
    page.goto(f"{live_server.url}/offline/")
    page.wait_for_selector("#children p")
    assert page.locator(".child-item").count() == 0
    assert page.evaluate("() => LBC.meta('ws')") is None
