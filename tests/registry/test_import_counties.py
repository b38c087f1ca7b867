"""Issue 15: an import goes into one county. The command's ``--county`` (needed when there are
several), the uploader's own county on the web; a row naming another county's school is
refused, and so is a child registered in another county (a move between counties is a
transfer), without naming that county. A county official's export holds their county only."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from registry.importing import check_file, import_file
from registry.models import Child, ImportJob
from tests.conftest import login
from tests.factories import (
    ChildFactory,
    CountyFactory,
    SchoolFactory,
    TownFactory,
    UserFactory,
    make_id_number,
)
from tests.registry.test_import import BORN, CHILD_HEADER, child_line, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Wuxi (the test county) and Chengkou, each a town and a school."""
    wuxi = CountyFactory(code="500238", name="巫溪县")
    chengkou = CountyFactory(code="500229", name="城口县")
    SchoolFactory(county=wuxi, town=TownFactory(county=wuxi, name="城厢镇"), code="S001",
                  level="primary", boarding=True)  # fmt: skip
    SchoolFactory(county=chengkou, town=TownFactory(county=chengkou, name="葛城街道"),
                  code="C001", level="primary")  # fmt: skip
    return wuxi, chengkou


@pytest.fixture
def official():
    return UserFactory(role="official", username="clerk", county_code="500238")


def _errors(report) -> list[str]:
    return [str(e) for e in report.errors]


def test_a_row_naming_another_countys_school_is_refused_with_its_line(two, official):
    wuxi, chengkou = two
    data = csv_bytes(
        CHILD_HEADER,
        child_line(make_id_number(BORN, "M", area="500238")),
        child_line(make_id_number(BORN, "F", area="500238"), sex="F", school="C001",
                   town="葛城街道"),
    )  # fmt: skip
    with translation.override("en"):
        report = import_file("children", data, by=official, county=wuxi)
    assert not report.ok and not Child.objects.exists()  # all or nothing
    assert _errors(report) == [
        "line 3: school_code: The school C001 is not a school of 巫溪县: this file is "
        "imported into 巫溪县 only."
    ]
    # The same row into Chengkou is fine.
    one = csv_bytes(CHILD_HEADER, child_line(school="C001", town="葛城街道"))
    assert import_file("children", one, by=None, county=chengkou).ok
    assert Child.objects.get().county == chengkou


def test_a_child_registered_in_another_county_is_a_transfer_not_an_import(two, official):
    wuxi, chengkou = two
    theirs = ChildFactory(school=chengkou.schools.get(), name="城口的孩子", grade=5,
                          date_of_birth=BORN)  # fmt: skip
    data = csv_bytes(CHILD_HEADER, child_line(theirs.id_number, name="另一个名字"))
    with translation.override("en"):
        report = check_file("children", data, by=official, county=wuxi)
        run = import_file("children", data, by=official, county=wuxi)
    expected = [
        "line 2: id_number: This child is registered in another county: a move between "
        "counties is a transfer, made by the county that keeps the file."
    ]
    assert _errors(report) == _errors(run) == expected
    text = " ".join(expected)
    assert "城口" not in text and "500229" not in text and theirs.name not in text
    theirs.refresh_from_db()
    assert theirs.county == chengkou and theirs.name == "城口的孩子"
    # Even without --county (a system import), a row may not move a file between counties.
    with translation.override("en"):
        assert _errors(import_file("children", data, by=None)) == expected


def test_the_command_needs_county_when_there_are_several(two, tmp_path):
    path = tmp_path / "children.csv"
    path.write_bytes(csv_bytes(CHILD_HEADER, child_line()))
    with pytest.raises(CommandError, match="--county CODE is needed: there are several"):
        call_command("import_children", str(path))
    with pytest.raises(CommandError, match="no county has the code 999999"):
        call_command("import_children", str(path), "--county", "999999")
    assert not Child.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"), translation.override("en"):
        call_command("import_children", str(path), "--county", "500229", stderr=err)
    assert "line 2: school_code: The school S001 is not a school of 城口县" in err.getvalue()
    call_command("import_children", str(path), "--county", "500238", stdout=io.StringIO())
    assert Child.objects.get().county.code == "500238"


def test_the_command_defaults_to_the_only_county(tmp_path):
    county = CountyFactory()
    SchoolFactory(county=county, town=TownFactory(county=county, name="城厢镇"), code="S001",
                  level="primary", boarding=True)  # fmt: skip
    path = tmp_path / "children.csv"
    path.write_bytes(csv_bytes(CHILD_HEADER, child_line()))
    call_command("import_children", str(path), stdout=io.StringIO())
    assert Child.objects.get().county == county


def test_a_county_officials_upload_goes_into_their_county(two, django_capture_on_commit_callbacks):
    from lbc_office.celery import app as celery_app

    wuxi, chengkou = two
    official = UserFactory(role="official", username="ck", county_code="500229")
    client = login(Client(), official)
    data = csv_bytes(CHILD_HEADER, child_line())  # S001 is Wuxi's
    celery_app.conf.task_always_eager = True
    try:
        file = SimpleUploadedFile("c.csv", data, content_type="text/csv")
        response = client.post(
            reverse("registry:import_start"),
            {"kind": "children", "file": file, "county": wuxi.pk},  # another county: refused
        )
        assert response.status_code == 200 and not ImportJob.objects.exists()
        file = SimpleUploadedFile("c.csv", data, content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("registry:import_start"), {"kind": "children", "file": file}
            )
    finally:
        celery_app.conf.task_always_eager = False
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.county == chengkou
    errors = job.check_report["errors"]
    assert [tuple(e[:2]) for e in errors] == [(2, "school_code")], errors
    assert "S001" in errors[0][2] and "城口县" in errors[0][2]
    assert not Child.objects.exists()


def test_a_municipal_official_is_not_offered_the_upload(two):
    city = UserFactory(role="official", username="city", county_code="")
    client = login(Client(), city)
    page = client.get(reverse("registry:import_start"))
    assert page.status_code == 200
    assert 'id="upload-form"' not in page.content.decode()
    assert client.post(reverse("registry:import_start"), {"kind": "children"}).status_code == 403


def test_a_county_officials_export_holds_their_county_only(two):
    wuxi, chengkou = two
    ours = ChildFactory(school=wuxi.schools.get(), name="巫溪的孩子")
    theirs = ChildFactory(school=chengkou.schools.get(), name="城口的孩子")
    for user, kept, left in [
        (UserFactory(username="wx", county_code="500238"), ours, theirs),
        (UserFactory(username="ck", county_code="500229"), theirs, ours),
    ]:
        client = login(Client(), user)
        response = client.get(reverse("registry:child_export"), {"format": "csv", "lang": "en"})
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        numbers = {row[0].lstrip("'") for row in rows[1:]}
        assert numbers == {kept.id_number}, (user.username, numbers)
        assert left.name not in text
