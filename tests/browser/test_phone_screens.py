"""The field workers' screens on a 360-pixel phone (issue 13, item 5): every tap target at least
44 x 44 px with its label centred, the check-in card tappable over its whole width, the menu
readable (contrast >= 4.5:1), and no page wider than the screen."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import screenshot
from tests.factories import FamilyRoomFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory, ensure_checkin_roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Links inside a sentence, a table cell or a list of text are exempt (WCAG 2.5.8's inline rule);
# a checkbox's target is its card or line (.form-check), a hidden radio's is its label button.
# Checked from the styles as laid out, so a rule that shrinks a target fails here.
SMALL_TARGETS_JS = """() => {
  const selector = 'a[href], button, select, textarea, label.btn, .form-check, '
    + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.matches('.form-check') && el.closest('.form-check')) continue;
    const inline = 'p, td, dd, .form-text, .list-group-item li';
    if (el.matches('a:not(.btn)') && el.closest(inline)) continue;
    // a stretched link's target is the card it covers (its ::after fills the positioned parent)
    const r = (el.matches('.stretched-link') ? el.offsetParent : el).getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown (a closed menu)
    const style = getComputedStyle(el);
    const html = el.outerHTML.slice(0, 100);
    if (r.width < 44 || r.height < 44) small.push(`${html} ${r.width}x${r.height}`);
    if (el.matches('.btn') && style.alignItems !== 'center') small.push(`not centred: ${html}`);
  }
  return small;
}"""

MENU_COLOURS_JS = """() => {
  const link = document.querySelector('#nav .nav-link');
  let box = link;
  while (box && getComputedStyle(box).backgroundColor.endsWith(', 0)')) box = box.parentElement;
  return [getComputedStyle(link).color, getComputedStyle(box).backgroundColor];
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in css[css.index("(") + 1 : -1].split(",")]
    return (*parts[:3], parts[3] if len(parts) == 4 else 1.0)


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    *fg, alpha = _rgba(foreground)
    bg = _rgba(background)[:3]
    shown = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True)]  # text over the bar
    high, low = sorted((_luminance(shown), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _sign_in(page, base, username, device=None):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    if device is not None:
        page.wait_for_selector("input[name=code]")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        page.fill("input[name=code]", f"{code:06d}")
        page.click("button[type=submit]")
    page.wait_for_load_state("load")


def _check(page, base, pages, *, targets=True):
    """Every page's faults, all at once: (path, what is wrong)."""
    faults = []
    for path, name in pages:
        page.goto(base + path)
        screenshot(page, f"phone-{name}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 360:
            faults.append((path, f"{width} px wide"))
        if targets:
            faults += [(path, small) for small in page.evaluate(SMALL_TARGETS_JS)]
    return faults


def test_teacher_screens_fit_a_phone_and_every_target_is_big(personas, live_server, phone):
    room = FamilyRoomFactory(school=personas.school_a)
    child = personas.child_a
    base, page = live_server.url, phone
    _sign_in(page, base, "teacher_a")
    pages = [
        ("/", "teacher-home"),
        ("/children/", "teacher-children"),
        (f"/children/{child.pk}/", "teacher-file"),
        (f"/children/{child.pk}/visits/new/", "teacher-visit-form"),
        ("/visits/follow-ups/", "teacher-follow-ups"),
        ("/family-rooms/", "teacher-rooms"),
        (f"/family-rooms/{room.pk}/session/?grade={child.grade}", "teacher-call-session"),
        ("/accounts/password/", "teacher-password"),
    ]
    assert _check(page, base, pages) == []

    # The menu, opened: big targets, white on dark blue at 4.5:1 or better.
    page.goto(base + "/")
    page.click(".navbar-toggler")
    page.wait_for_selector("#nav.show")
    screenshot(page, "phone-teacher-menu")
    assert page.evaluate(SMALL_TARGETS_JS) == []
    assert contrast(*page.evaluate(MENU_COLOURS_JS)) >= 4.5
    assert page.locator("#nav a[href='/accounts/password/']").is_visible()


def test_volunteer_screens_and_the_whole_card_ticks_a_role(personas, live_server, phone):
    ensure_checkin_roles()
    volunteer = VolunteerFactory(user=personas.volunteer)
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    base, page = live_server.url, phone
    _sign_in(page, base, "volunteer")
    pages = [
        ("/my/", "volunteer-my"),
        (f"/my/checkins/{assignment.pk}/", "volunteer-checkin"),
        ("/inbox/", "volunteer-inbox"),
        ("/accounts/password/", "volunteer-password"),
    ]
    assert _check(page, base, pages) == []

    page.goto(f"{base}/my/checkins/{assignment.pk}/")
    card = page.locator(".checkin-form .form-check").first
    box = card.bounding_box()
    assert box["width"] > 300
    page.mouse.click(box["x"] + box["width"] - 6, box["y"] + box["height"] / 2)  # its right edge
    assert card.locator("input").is_checked()
    page.mouse.click(box["x"] + box["width"] - 6, box["y"] + box["height"] / 2)
    assert not card.locator("input").is_checked()

    page.click(".navbar-toggler")
    page.wait_for_selector("#nav.show")
    assert page.evaluate(SMALL_TARGETS_JS) == []
    assert contrast(*page.evaluate(MENU_COLOURS_JS)) >= 4.5


def test_schools_and_reports_fit_a_phone(personas, live_server, phone):
    device = TOTPDevice.objects.create(user=personas.official, name="app", confirmed=True)
    base, page = live_server.url, phone
    _sign_in(page, base, "official", device)
    pages = [
        ("/schools/", "official-schools"),
        ("/reports/checkins/", "report-checkins"),
        ("/reports/home-visits/", "report-home-visits"),
    ]
    assert _check(page, base, pages, targets=False) == []
