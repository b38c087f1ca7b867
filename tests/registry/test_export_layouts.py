"""Export layouts: defined through a service, versioned, used on any filtered list, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from lbc_office.core.models import AuditEvent
from registry import export_layouts
from registry.models import ExportLayout
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

LINES = "name | 学生姓名\nsex | 性别 | M=1, F=2\nid_number | 身份证\nschool_code | 学校"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_an_official_creates_a_layout_through_the_form_and_it_is_versioned(personas):
    client = personas.client_for("official")
    response = client.post(reverse("registry:layout_create"), {"name": "教育局", "columns": LINES})
    assert response.status_code == 302
    layout = ExportLayout.objects.get(name="教育局")
    assert [c["key"] for c in layout.columns] == ["name", "sex", "id_number", "school_code"]
    assert layout.columns[1]["labels"] == {"M": "1", "F": "2"}
    client.post(
        reverse("registry:layout_edit", args=[layout.pk]),
        {"name": "教育局", "columns": "sex | 性别 | M=男, F=女\nname | 姓名"},
    )
    layout.refresh_from_db()
    assert [c["key"] for c in layout.columns] == ["sex", "name"]
    assert layout.history.count() == 2
    assert layout.history.earliest().columns[0]["key"] == "name"  # the old version kept
    actions = AuditEvent.objects.filter(object_type="registry.exportlayout")
    assert sorted(actions.values_list("action", flat=True)) == ["change", "create"]


def test_unknown_columns_and_bad_labels_are_refused(personas):
    with pytest.raises(ValidationError):
        export_layouts.save_layout(
            name="x", columns=[{"key": "password", "header": "p"}], by=personas.official
        )
    with pytest.raises(ValidationError):
        export_layouts.parse_lines("sex | 性别 | M1")
    response = personas.client_for("official").post(
        reverse("registry:layout_create"), {"name": "y", "columns": "secret | s"}
    )
    assert response.status_code == 200 and not ExportLayout.objects.filter(name="y").exists()


def _layout(personas, lines=LINES):
    return export_layouts.save_layout(
        name="民政", columns=export_layouts.parse_lines(lines), by=personas.official
    )


def test_export_with_a_layout_follows_the_filter_maps_values_and_is_audited(personas):
    layout = _layout(personas)
    ChildFactory(school=personas.school_b, name="=cmd|' /C calc'!A0", sex="F")
    client = personas.client_for("official")
    response = client.get(
        reverse("registry:layout_export"),
        {"layout": layout.pk, "format": "csv", "school": personas.school_b.pk},
    )
    rows = _csv(response)
    assert rows[0] == ["学生姓名", "性别", "身份证", "学校"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {personas.child_b.name, "'=cmd|' /C calc'!A0"}  # neutralised
    assert by_name[personas.child_b.name][1] == "2"  # F → 2
    assert by_name[personas.child_b.name][2] == personas.child_b.id_number  # officials: whole
    event = AuditEvent.objects.get(action="export")
    assert f"layout={layout.pk}" in event.detail and "rows=2" in event.detail
    assert event.children.count() == 2


def test_xlsx_export_with_a_layout_holds_text_only(personas):
    layout = _layout(personas, "sex | 性别 | M=男, F=女\nname | 姓名")
    response = personas.client_for("official").get(
        reverse("registry:layout_export"), {"layout": layout.pk, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["性别", "姓名"]
    assert {tuple(v) for v in values[1:]} == {("男", "张小明"), ("女", "李小红")}
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("role", ["teacher_a", "teacher_b", "volunteer", "viewer"])
def test_layouts_and_their_exports_are_officials_only(personas, role):
    layout = _layout(personas)
    client = personas.client_for(role)
    for url in [
        reverse("registry:layout_list"),
        reverse("registry:layout_create"),
        reverse("registry:layout_edit", args=[layout.pk]),
        reverse("registry:layout_export") + f"?layout={layout.pk}",
    ]:
        assert client.get(url).status_code in {403, 404}, url
