"""The upload → preview → confirm flow, the templates and the children list's export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from lbc_office.celery import app as celery_app
from lbc_office.core.models import AuditEvent
from registry.importing import import_file, jobs
from registry.models import Child, ImportJob
from tests.conftest import ROLES, search
from tests.factories import ChildFactory, make_id_number

pytestmark = pytest.mark.django_db

HEADER = "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
BORN = datetime.date(2016, 6, 1)


@pytest.fixture
def official_client(official_client):
    """The official reads these pages in English here (the messages are asserted on)."""
    official_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return official_client


@pytest.fixture(autouse=True)
def eager_tasks():
    """The worker's steps run in the request here; tests/registry/test_import_worker.py runs
    them in a real Celery worker on Redis."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _rows(personas, n, *, school="A001", bad_line=None):
    town = personas.school_a.town.name
    lines = [HEADER]
    for i in range(n):
        number = make_id_number(BORN, "F", area=f"5002{10 + i:02d}")
        grade = "4" if i != bad_line else "8"  # a primary school has no grade 8
        lines.append(f"{number},学生{i},女,{BORN},{school},{grade},{town},新村,是,是,祖辈,否,否")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _upload(client, data, name="children.csv", kind="children", **extra):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(reverse("registry:import_start"), {"kind": kind, "file": file, **extra})


@pytest.mark.parametrize("role", ROLES)
def test_only_officials_may_import_or_export(personas, role):
    client = personas.client_for(role)
    job = ImportJob.objects.create(
        kind="children", filename="x.csv", size=1, data=b"x", uploaded_by=personas.official
    )
    urls = {
        reverse("registry:import_start"): 403,
        reverse("registry:import_template"): 403,
        reverse("registry:child_export") + "?format=csv": 403,
        reverse("registry:child_export") + "?format=xlsx": 403,
        reverse("registry:import_detail", args=[job.pk]): 404,
        reverse("registry:import_progress", args=[job.pk]): 404,
    }
    for url, refused in urls.items():
        response = client.get(url)
        if role == "official":
            assert response.status_code == 200, url
        elif role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == refused, (url, response.status_code)
    response = client.post(reverse("registry:import_confirm", args=[job.pk]))
    assert response.status_code == (302 if role in ("official", "anonymous") else 404)
    if role != "official":
        assert not AuditEvent.objects.filter(action="export").exists()


def test_upload_preview_confirm_result(
    personas, official_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(official_client, _rows(personas, 12))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{job.pk}/")
    assert job.status == "checked" and Child.objects.count() == 2  # personas' two children
    with translation.override("en"):
        page = official_client.get(response["Location"]).content.decode()
    assert "create 12, update 0 and leave 0 unchanged" in page
    assert page.count("<tr>") == 1 + 10  # header + the first ten rows
    assert 'id="confirm-import"' in page
    with django_capture_on_commit_callbacks(execute=True):
        official_client.post(reverse("registry:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.data == b"" and job.confirmed_by == personas.official
    assert Child.objects.count() == 14
    created = Child.objects.get(name="学生0")
    assert created.created_by == personas.official
    page = official_client.get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    assert 'id="created-count">12<' in page and "学生0" in page
    assert created.get_absolute_url() in page


def test_a_file_with_mistakes_lists_them_all_and_cannot_be_confirmed(
    personas, official_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(official_client, _rows(personas, 5, bad_line=3))
    job = ImportJob.objects.get()
    with translation.override("en"):
        page = official_client.get(reverse("registry:import_detail", args=[job.pk])).content
    page = page.decode()
    assert "1 mistake was found" in page and "<td>5</td><td>年级</td>" in page
    assert 'id="confirm-import"' not in page
    official_client.post(reverse("registry:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "checked" and Child.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0JFIF", "Only CSV and XLSX"),
        ("register.xlsx", b"this is not a workbook", "cannot be opened"),
        ("register.xlsx", b"PK\x03\x04 truncated zip", "cannot be opened"),
        ("register.csv", b"\x00\x01\x02\x03binary\xff\xfe", "neither a spreadsheet"),
        ("register.csv", b"id_number,name\r\n", "no rows"),
    ],
)
def test_wrong_and_broken_files_are_refused_with_a_clear_message(
    official_client, name, data, reason
):
    with translation.override("en"):
        response = _upload(official_client, data, name=name)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_over_size_file_is_refused(official_client, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with translation.override("en"):
        response = _upload(official_client, b"a,b\r\n" + b"1,2\r\n" * 400)
    assert "largest accepted is" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_county_officials_schools_go_into_their_county_among_several(personas, official_client):
    """Issue 15: with several counties, the official's own is the only one offered; another
    county's key is refused as a choice not offered."""
    from tests.factories import CountyFactory

    other = CountyFactory(code="500101", name="万州区")
    with translation.override("en"):
        refused = _upload(official_client, b"code,name,town,level\r\nS9,x,y,primary\r\n",
                          kind="schools", county=other.pk)  # fmt: skip
        assert refused.status_code == 200 and not ImportJob.objects.exists()
        response = _upload(official_client, b"code,name,town,level\r\nS9,x,y,primary\r\n",
                           kind="schools")  # fmt: skip
    assert response.status_code == 302
    assert ImportJob.objects.get().county == personas.school_a.county


def test_progress_fragment_then_reload_when_finished(personas, official_client):
    job = ImportJob.objects.create(
        kind="children", filename="x.csv", size=1, data=b"x", uploaded_by=personas.official,
        status="running",
    )  # fmt: skip
    cache.set(job.progress_key(), {"stage": "writing", "done": 500, "total": 1000})
    url = reverse("registry:import_progress", args=[job.pk])
    with translation.override("en"):
        fragment = official_client.get(url).content.decode()
    assert 'value="75"' in fragment and "500 of 1000 rows" in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    response = official_client.get(url)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_a_run_task_delivered_twice_imports_once(personas):
    job = ImportJob.objects.create(
        kind="children", filename="x.csv", size=1, data=_rows(personas, 3),
        uploaded_by=personas.official, status="queued", confirmed_by=personas.official,
    )  # fmt: skip
    jobs.run(job.pk)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and len(job.result["created"]) == 3
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_unconfirmed_uploads_are_dropped_after_a_day(personas):
    job = ImportJob.objects.create(
        kind="children", filename="x.csv", size=1, data=b"secret", uploaded_by=personas.official,
        status="checked",
    )  # fmt: skip
    assert jobs.purge_stale() == 0
    assert jobs.purge_stale(now=timezone.now() + datetime.timedelta(days=2)) == 1
    job.refresh_from_db()
    assert job.status == "abandoned" and bytes(job.data) == b""


# --- templates --------------------------------------------------------------------------------


def test_templates_in_both_header_languages(official_client):
    url = reverse("registry:import_template")
    zh = official_client.get(url, {"kind": "children", "format": "csv", "lang": "zh"})
    assert zh.content.decode("utf-8-sig").startswith("身份证号,姓名,性别")
    en = official_client.get(url, {"kind": "schools", "format": "csv", "lang": "en"})
    assert en.content.decode("utf-8-sig").strip() == (
        "code,name,town,level,boarding,bathroom,canteen,family_phones,family_chat_rooms"
    )
    xlsx = official_client.get(url, {"kind": "children", "format": "xlsx", "lang": "zh"})
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.worksheets[0]["A1"].value == "身份证号"
    notes = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert notes[1][:2] == ["身份证号", "id_number"] and len(notes) == 14


# --- export -----------------------------------------------------------------------------------


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_is_the_import_format_and_reimports_unchanged(personas, official_client):
    ChildFactory.create_batch(5, school=personas.school_a)
    url = reverse("registry:child_export")
    english = _csv(official_client.get(url, {"format": "csv"}))  # the page's language
    assert english[0][:3] == ["id_number", "name", "sex"] and english[1][2] in {"M", "F"}
    response = official_client.get(url, {"format": "csv", "lang": "zh"})
    rows = _csv(response)
    assert rows[0] == HEADER.split(",") and len(rows) == 1 + 7 and rows[1][2] in {"男", "女"}
    assert response["Content-Disposition"].startswith('attachment; filename="children-')
    assert response.streaming  # rows go out as they are read, not held in memory
    text = "\r\n".join(",".join(r) for r in rows).encode("utf-8")
    before = Child.history.count()
    report = import_file("children", text, by=personas.official)
    assert report.ok and report.unchanged == 7 and not report.created and not report.updated
    assert Child.history.count() == before


def test_xlsx_export_reimports_unchanged_and_holds_only_text(personas, official_client):
    response = official_client.get(reverse("registry:child_export"), {"format": "xlsx"})
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    report = import_file("children", data, by=personas.official)
    assert report.ok and report.unchanged == 2


def test_export_neutralises_formulas_and_imports_them_back_as_typed(personas, official_client):
    evil = ChildFactory(school=personas.school_a, name='=HYPERLINK("http://x","点我")')
    for name in ["+1", "-1", "@SUM(A1)"]:
        ChildFactory(school=personas.school_a, name=name)
    rows = _csv(official_client.get(reverse("registry:child_export"), {"format": "csv"}))
    names = {r[1] for r in rows[1:]}
    assert '\'=HYPERLINK("http://x","点我")' in names
    assert {"'+1", "'-1", "'@SUM(A1)"} <= names
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    xlsx = b"".join(
        official_client.get(reverse("registry:child_export"), {"format": "xlsx"}).streaming_content
    )
    values = [c.value for row in load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows()
              for c in row]  # fmt: skip
    assert '\'=HYPERLINK("http://x","点我")' in values
    text = "\r\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows)
    report = import_file("children", text.encode(), by=personas.official)
    assert report.ok and report.unchanged == 6
    evil.refresh_from_db()
    assert evil.name == '=HYPERLINK("http://x","点我")'


def test_export_follows_the_search_and_filters_and_is_audited(personas, official_client):
    ChildFactory.create_batch(3, school=personas.school_b)
    url = reverse("registry:child_list")
    response = search(official_client, url, personas.child_a.id_number[-4:])
    token = response.wsgi_request.GET["s"]
    rows = _csv(
        official_client.get(reverse("registry:child_export"), {"s": token, "format": "csv"})
    )
    assert [r[1] for r in rows[1:]] == [personas.child_a.name]
    rows = _csv(official_client.get(
        reverse("registry:child_export"), {"school": personas.school_b.pk, "format": "csv"}
    ))  # fmt: skip
    assert len(rows) == 1 + 4
    first, second = AuditEvent.objects.filter(action="export").order_by("id")
    assert first.user == personas.official and "rows=1" in first.detail
    assert "search=yes" in first.detail and personas.child_a.id_number[-4:] not in first.detail
    assert f"school={personas.school_b.pk}" in second.detail and "rows=4" in second.detail


def test_export_queries_do_not_grow_with_the_rows(
    personas, official_client, django_assert_max_num_queries
):
    ChildFactory.create_batch(30, school=personas.school_a)
    # 13 since issue 15: the list's filter asks whether the towns are a city's (one query).
    with django_assert_max_num_queries(13):
        response = official_client.get(reverse("registry:child_export"), {"format": "csv"})
        rows = _csv(response)
    assert len(rows) == 33


def test_export_button_only_for_officials(personas):
    official = personas.client_for("official").get(reverse("registry:child_list")).content
    teacher = personas.client_for("teacher_a").get(reverse("registry:child_list")).content
    assert b'id="export-csv"' in official and b'id="export-xlsx"' in official
    assert b'id="export-csv"' not in teacher


def test_an_import_shows_in_the_files_change_history(personas, official_client):
    child = personas.child_a
    header = HEADER
    row = (
        f"{child.id_number},新名字,{'男' if child.sex == 'M' else '女'},{child.date_of_birth},"
        f"A001,{child.grade},{child.village.town.name},{child.village.name},是,是,祖辈,否,是"
    )
    data = (header + "\r\n" + row + "\r\n").encode("utf-8")
    report = import_file("children", data, by=personas.official)
    assert report.updated == [child.pk], [str(e) for e in report.errors]
    page = official_client.get(reverse("registry:child_history", args=[child.pk])).content.decode()
    assert "新名字" in page and str(personas.official) in page
    assert page.index("新名字") < page.index(child.name)  # newest first, before and after shown
