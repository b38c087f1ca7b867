"""An official uploads the children's spreadsheet: a mistake is reported with its line, the
corrected file is previewed, confirmed, imported by a real Celery worker (on Redis, when there
is one), and the result page lists what was created."""

from __future__ import annotations

import datetime
import os
from contextlib import contextmanager

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.celery import app as celery_app
from registry.models import Child, ImportJob
from tests.browser.conftest import screenshot
from tests.factories import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
BORN = datetime.date(2016, 6, 1)


@contextmanager
def worker():
    """A real worker on Redis in CI; on a laptop without Redis the tasks run in the request."""
    if str(celery_app.conf.broker_url).startswith("redis://"):
        from celery.contrib.testing.worker import start_worker

        celery_app.control.purge()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
        return
    if os.environ.get("LBC_REQUIRE_SERVICES") == "1":
        pytest.fail("REDIS_URL must be set in CI: this test needs a real worker")
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


def _file(personas, n, *, bad_line=None) -> bytes:
    town = personas.school_a.town.name
    lines = [HEADER]
    for i in range(n):
        number = make_id_number(BORN, "M", area=f"5002{10 + i:02d}")
        grade = "9" if i == bad_line else "4"
        lines.append(f"{number},学生{i:02d},男,{BORN},A001,{grade},{town},新村,是,否,母亲,否,否")
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")  # as Excel saves it in China


def _sign_in_official(page, live_server, user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    page.goto(f"{live_server.url}/imports/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-for-tests-2026")
    page.click("button[type=submit]")
    page.wait_for_selector("input[name=code]")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.fill("input[name=code]", f"{code:06d}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/imports/")


def _upload(page, data: bytes) -> None:
    page.click("label[for=id_kind_1]")  # the radio is styled as a button: its label
    page.set_input_files(
        "input[name=file]", files=[{"name": "儿童名册.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.click("#upload-form button[type=submit]")


def test_official_uploads_previews_confirms_and_sees_the_result(personas, live_server, phone):
    page = phone
    before = Child.objects.count()
    _sign_in_official(page, live_server, personas.official)
    with worker():
        _upload(page, _file(personas, 30, bad_line=6))
        page.wait_for_selector("#import-errors", timeout=30_000)
        errors = page.inner_text("#import-errors")
        assert "8" in errors and "年级" in errors  # line 8 (the header is line 1)
        assert page.locator("#confirm-import").count() == 0
        screenshot(page, "import-01-errors")

        page.click("#upload-again")
        _upload(page, _file(personas, 30))
        page.wait_for_selector("#check-summary", timeout=30_000)
        assert "30" in page.inner_text("#check-summary")
        assert page.locator("#import-preview tbody tr").count() == 10
        screenshot(page, "import-02-preview")

        page.click("#confirm-import")
        page.wait_for_selector("#result-summary", timeout=30_000)
        screenshot(page, "import-03-result")
    assert page.inner_text("#created-count") == "30"
    assert page.locator("#created-list li").count() == 30
    assert Child.objects.count() == before + 30
    job = ImportJob.objects.latest("uploaded_at")
    assert job.status == "done" and bytes(job.data) == b""
    page.click("#created-list a >> nth=0")
    page.wait_for_selector("h1")
    assert "学生" in page.inner_text("main")
