"""A volunteer with no signal fills in this month's check-in; it is sent once when the signal
returns. A check-in the office recorded meanwhile comes back as "needs your attention", with
the reason, and is never dropped in silence (docs/OFFLINE.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.offline_steps import ready_for_offline, records, send_again, sign_in, until
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory, ensure_checkin_roles
from volunteers.models import CheckinRole, MonthlyCheckin
from volunteers.services import care

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assignment(personas):
    ensure_checkin_roles()
    volunteer = VolunteerFactory(user=personas.volunteer, name="刘芳")
    return AssignmentFactory(child=personas.child_a, volunteer=volunteer)


def _fill_in_offline(page, live_server, assignment):
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/my/")
    page.click(".child-item")
    page.click(".go-checkin")
    expect(page.locator("#f-roles")).to_be_visible(timeout=20_000)
    roles = list(CheckinRole.objects.filter(active=True).order_by("position"))
    for role in roles[:3]:
        page.locator("#f-roles").get_by_label(role.name).check()
    page.fill("#roles_notes", "陪孩子写作业，给妈妈打了视频电话")
    screenshot(page, "offline-volunteer-01-checkin")
    page.click("#f-roles button[type=submit]")
    page.wait_for_selector("#waiting li .waiting-badge")
    return roles[:3]


def test_a_checkin_made_with_no_signal_arrives_once(personas, live_server, phone, assignment):
    page = phone
    sign_in(page, live_server, "volunteer", lands="/my/")
    ws = ready_for_offline(page)
    assert [a["id"] for a in ws["assignments"]] == [assignment.pk]
    ticked = _fill_in_offline(page, live_server, assignment)
    assert not MonthlyCheckin.objects.filter(status="done").exists()
    (record,) = records(page)

    page.context.set_offline(False)
    page.wait_for_selector("#sent li")
    until(page, "() => LBC.records().then(r => r.length === 0)", "the record left the phone")
    checkin = MonthlyCheckin.objects.get(assignment=assignment)
    assert checkin.status == "done" and checkin.submitted_by == personas.volunteer
    assert set(checkin.roles_done.all()) == set(ticked)
    assert checkin.notes == "陪孩子写作业，给妈妈打了视频电话"
    screenshot(page, "offline-volunteer-02-sent")

    second = page.context.new_page()
    second.goto(f"{live_server.url}/offline/")
    answer = send_again(second, live_server, personas.volunteer.pk, record)
    assert answer["results"][0]["replayed"] is True
    assert MonthlyCheckin.objects.filter(status="done").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_refused_checkin_needs_the_volunteers_attention(personas, live_server, phone, assignment):
    page = phone
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, "volunteer", lands="/my/")
    ready_for_offline(page)
    _fill_in_offline(page, live_server, assignment)
    # Meanwhile the office recorded this month's check-in on the volunteer's behalf.
    care.submit_checkin(
        checkin=care.open_checkin(assignment=assignment), by=personas.official, notes="电话联系了"
    )

    page.context.set_offline(False)
    page.wait_for_selector("#attention li .reasons li")
    reason = page.inner_text("#attention li .reasons")
    assert str(personas.official) in reason
    assert page.locator("#waiting > li").count() == 0
    expect(page.locator("#app-note")).to_be_visible(
        timeout=20_000
    )  # "the office could not accept some records"
    screenshot(page, "offline-volunteer-03-attention")
    (kept,) = records(page)
    assert kept["status"] == "refused" and kept["messages"]
    assert MonthlyCheckin.objects.get().notes == "电话联系了"  # the office's stays

    # On any page of the site the user sees that something needs them.
    page.goto(f"{live_server.url}/my/")
    page.wait_for_selector("#offline-status .os-attention:not([hidden])")

    page.goto(f"{live_server.url}/offline/#outbox")
    page.click("#attention li .discard")
    until(page, "() => LBC.records().then(r => r.length === 0)", "the record was discarded")
    page.wait_for_selector("#attention > li", state="detached")
