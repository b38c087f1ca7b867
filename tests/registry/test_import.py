"""Importing the register: every bad-row kind, all-or-nothing, re-import, encodings, headers."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from lbc_office.core.models import AuditEvent
from registry.importing import FileRefused, check_file, import_file, read_register_file
from registry.models import Child, FamilyRoom, School, Town, Village
from tests.factories import (
    ChildFactory,
    CountyFactory,
    SchoolFactory,
    TownFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

CHILD_HEADER = (
    "id_number,name,sex,date_of_birth,school_code,grade,town,village,father_away,"
    "mother_away,guardian,boarding,poor"
)
ZH_CHILD_HEADER = (
    "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
)
SCHOOL_HEADER = "code,name,town,level,boarding,bathroom,canteen,family_phones,family_chat_rooms"
BORN = datetime.date(2015, 3, 5)  # grade 5 in 2026


@pytest.fixture
def place():
    county = CountyFactory(code="500238", name="巫溪县")
    town = TownFactory(county=county, name="城厢镇")
    school = SchoolFactory(
        county=county, town=town, code="S001", name="城厢小学", level="primary", boarding=True
    )
    SchoolFactory(county=county, town=town, code="S002", name="巫溪中学", level="middle")
    return county, town, school


@pytest.fixture
def official():
    return UserFactory(role="official", username="clerk")


def child_line(number=None, *, name="王小明", sex="M", born=BORN, school="S001", grade="5",
               town="城厢镇", village="东风村", father="yes", mother="yes", guardian="grandparents",
               boarding="no", poor="no"):  # fmt: skip
    number = number or make_id_number(born, sex)
    return ",".join(
        [number, name, sex, born.isoformat(), school, grade, town, village, father, mother,
         guardian, boarding, poor]
    )  # fmt: skip


def csv_bytes(header, *lines, encoding="utf-8"):
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def ids(n, sex="M"):
    return [make_id_number(BORN, sex, area=f"5002{30 + i:02d}") for i in range(n)]


def run(data, by, kind="children", **kw):
    with translation.override("en"):
        return import_file(kind, data, by=by, **kw)


# --- a good file ------------------------------------------------------------------------------


def test_children_import_creates_files_villages_history_and_one_audit_event(place, official):
    a, b = ids(2)
    data = csv_bytes(CHILD_HEADER, child_line(a), child_line(b, name="李红", village="红旗村"))
    report = run(data, official)
    assert report.ok and report.written
    assert (len(report.created), len(report.updated), report.unchanged) == (2, 0, 0)
    child = Child.objects.get(id_number=a)
    assert child.name == "王小明" and child.school.code == "S001" and child.status == "active"
    assert child.created_by == official and child.village.town.name == "城厢镇"
    assert set(Village.objects.values_list("name", flat=True)) == {"东风村", "红旗村"}
    history = child.history.get()
    assert history.history_type == "+" and history.history_user == official
    event = AuditEvent.objects.get(action="import")
    assert event.user == official and "created=2" in event.detail and "王" not in event.detail


def test_same_file_twice_changes_nothing_the_second_time(place, official):
    data = csv_bytes(CHILD_HEADER, *(child_line(n) for n in ids(3)))
    first = run(data, official)
    assert len(first.created) == 3
    second = run(data, official)
    assert (len(second.created), len(second.updated), second.unchanged) == (0, 0, 3)
    assert Child.objects.count() == 3
    assert Child.history.count() == 3  # no history row for an unchanged record


def test_a_known_identity_number_updates_the_file_with_history(place, official):
    (number,) = ids(1)
    run(csv_bytes(CHILD_HEADER, child_line(number)), official)
    report = run(csv_bytes(CHILD_HEADER, child_line(number, grade="6", poor="yes")), official)
    assert (len(report.created), len(report.updated)) == (0, 1)
    child = Child.objects.get(id_number=number)
    assert child.grade == 6 and child.poor
    newest = child.history.first()
    assert newest.history_type == "~" and newest.grade == 6
    assert newest.prev_record.grade == 5


def test_update_keeps_the_status_and_the_other_parts_of_the_file(place, official):
    child = ChildFactory(school=place[2], grade=5, wishes="想见妈妈")
    row = child_line(child.id_number, born=child.date_of_birth, sex=child.sex, name="新名字")
    report = run(csv_bytes(CHILD_HEADER, row), official)
    assert report.updated == [child.pk]
    child.refresh_from_db()
    assert child.name == "新名字" and child.wishes == "想见妈妈"


# --- every bad-row kind -----------------------------------------------------------------------


BAD_ROWS = [
    ("id_number", {"number": "50023820150305123"}, "18 characters"),
    ("id_number", {"number": "500238201503051230"}, "last character should be"),
    ("id_number", {"number": "990238201503051230"}, "province"),
    ("name", {"name": ""}, "empty"),
    ("sex", {"sex": "X"}, "is not one of"),
    ("sex", {"sex": "F"}, "is odd, which is for a boy"),
    ("date_of_birth", {"born_text": "2015-13-40"}, "is not a date"),
    ("date_of_birth", {"born_text": "2015-03-06"}, "does not agree with the identity number"),
    ("school_code", {"school": "NOPE"}, "No school has the code NOPE"),
    ("grade", {"grade": "7"}, "teaches grades 1 to 6"),
    ("grade", {"grade": "ten"}, "is not a grade"),
    ("grade", {"grade": "12"}, "1 to 9"),
    ("town", {"town": "火星镇"}, "is not a town of"),
    ("village", {"village": ""}, "empty"),
    ("father_away", {"father": "no", "mother": "no"}, "a parent working away"),
    ("father_away", {"father": "maybe"}, "Write yes or no"),
    ("guardian", {"guardian": "mother"}, "mother works away"),
    ("guardian", {"guardian": "neighbour"}, "is not one of"),
    ("boarding", {"school": "S002", "grade": "8", "boarding": "yes"}, "not a boarding school"),
]


@pytest.mark.parametrize(("column", "change", "reason"), BAD_ROWS)
def test_each_bad_row_kind_is_named_with_its_line_field_and_reason(
    place, official, column, change, reason
):
    good = ids(1)[0]
    kwargs = dict(change)
    number = kwargs.pop("number", None) or make_id_number(BORN, "M")  # a boy's number
    born_text = kwargs.pop("born_text", None)
    line = child_line(number, **kwargs)
    if born_text:
        line = line.replace(BORN.isoformat(), born_text)
    data = csv_bytes(CHILD_HEADER, child_line(good), line)
    report = run(data, official)
    assert not report.ok and not report.written
    messages = [str(e) for e in report.errors]
    assert any(m.startswith(f"line 3: {column}: ") and reason in m for m in messages), messages
    assert Child.objects.count() == 0  # the good row on line 2 was not written either


def test_too_old_for_the_register(place, official):
    born = datetime.date(2008, 1, 1)
    line = child_line(make_id_number(born, "M"), born=born, grade="6")
    report = run(csv_bytes(CHILD_HEADER, line), official)
    assert any("register keeps children under 17" in str(e) for e in report.errors)


def test_a_future_date_of_birth(place, official):
    line = child_line(make_id_number(BORN, "M")).replace(BORN.isoformat(), "2099-01-01")
    report = run(csv_bytes(CHILD_HEADER, line), official)
    assert any("date_of_birth: The date of birth cannot be in the future" in str(e)
               for e in report.errors)  # fmt: skip


def test_a_duplicate_identity_number_within_the_file(place, official):
    (number,) = ids(1)
    report = run(csv_bytes(CHILD_HEADER, child_line(number), child_line(number)), official)
    assert [str(e) for e in report.errors] == [
        "line 3: id_number: This identity number is also on line 2."
    ]


def test_many_bad_rows_are_all_reported_and_nothing_is_written(place, official):
    ChildFactory(school=place[2])
    before = (Child.objects.count(), Village.objects.count(), Child.history.count())
    good = [child_line(n) for n in ids(5)]
    bad = [
        child_line(make_id_number(BORN, "M", area="500111"), sex="F"),
        child_line(make_id_number(BORN, "M", area="500112"), school="NOPE"),
        child_line(make_id_number(BORN, "M", area="500113"), grade="x", guardian="?"),
        child_line(make_id_number(BORN, "M", area="500114"), village="新村", town="火星镇"),
    ]
    report = run(csv_bytes(CHILD_HEADER, *good, *bad), official)
    lines = sorted({e.line for e in report.errors})
    assert lines == [7, 8, 9, 10]
    assert len(report.errors) == 5  # line 9 has two bad cells, each reported
    assert (Child.objects.count(), Village.objects.count(), Child.history.count()) == before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_command_prints_every_bad_row_and_exits_non_zero(place, official, tmp_path, capsys):
    path = tmp_path / "children.csv"
    bad = [child_line(make_id_number(BORN, "M", area=f"5001{i:02d}"), school="NOPE")
           for i in range(3)]  # fmt: skip
    path.write_bytes(csv_bytes(CHILD_HEADER, child_line(ids(1)[0]), *bad))
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("import_children", str(path))
    err = capsys.readouterr().err
    assert [line.split(":")[0] for line in err.splitlines()] == ["line 3", "line 4", "line 5"]
    assert "school_code: No school has the code NOPE" in err
    assert "3 errors" in str(excinfo.value)
    assert Child.objects.count() == 0


def test_command_dry_run_writes_nothing_and_says_what_would_happen(place, tmp_path, capsys):
    path = tmp_path / "children.csv"
    path.write_bytes(csv_bytes(CHILD_HEADER, *(child_line(n) for n in ids(2))))
    with translation.override("en"):
        call_command("import_children", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "2 rows: 2 created, 0 updated, 0 unchanged." in out and "Dry run" in out
    assert Child.objects.count() == 0
    with translation.override("en"):
        call_command("import_children", str(path))
        call_command("import_children", str(path))
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 2 unchanged" in out and "Nothing changed" in out


def test_header_problems_are_line_one(place, official):
    data = csv_bytes("id_number,name,name,sex", "1,2,3,4")
    report = run(data, official)
    messages = [str(e) for e in report.errors]
    assert all(m.startswith("line 1: ") for m in messages)
    assert any("appears twice" in m for m in messages)
    assert any("出生日期" in m and "missing" in m for m in messages)


# --- encodings, formats, Chinese headers and values --------------------------------------------


def _zh_line(number, **kw):
    values = ["张三", "男", "2015年3月5日", "S001", "五年级", "城厢镇", "东风村", "是", "否",
              "祖辈", "否", "是"]  # fmt: skip
    return ",".join([number, *values])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_and_values_in_every_encoding(place, official, encoding):
    (number,) = ids(1)
    data = csv_bytes(ZH_CHILD_HEADER, _zh_line(number), encoding=encoding)
    report = run(data, official)
    assert report.ok, [str(e) for e in report.errors]
    child = Child.objects.get()
    assert (child.name, child.sex, child.grade, child.guardian) == ("张三", "M", 5, "grandparents")
    assert child.father_away and not child.mother_away and child.poor
    assert child.date_of_birth == BORN


def test_gb18030_is_read_as_chinese_not_mojibake():
    table = read_register_file("姓名,村\r\n王小明,东风村\r\n".encode("gb18030"))
    assert table.encoding == "gb18030" and table.rows == [(2, ["王小明", "东风村"])]


def test_clerk_synonyms_spaces_brackets_and_stars_in_headers(place, official):
    header = (
        "身份证号码, 儿童姓名 ,性别,出生日期（年月日）,学校代码*,就读年级,乡镇(街道),"
        "村(社区),父亲外出务工,母亲外出务工,监护类型,是否住校,贫困户,备注"
    )
    (number,) = ids(1)
    report = run(csv_bytes(header, _zh_line(number) + ",随便写"), official)
    assert report.ok, [str(e) for e in report.errors]
    assert report.ignored_columns == ["备注"]


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_dates_and_numbers(place, official):
    (number,) = ids(1)
    header = ZH_CHILD_HEADER.split(",")
    row = [number, "赵六", "男", datetime.datetime(2015, 3, 5), "S001", 5, "城厢镇", "东风村",
           "是", "是", "祖辈", "否", "否"]  # fmt: skip
    report = run(_xlsx([header, row, [None] * 13]), official)
    assert report.ok, [str(e) for e in report.errors]
    assert Child.objects.get().grade == 5


def test_xlsx_errors_name_the_spreadsheet_row(place, official):
    (number,) = ids(1)
    header = CHILD_HEADER.split(",")
    row = [number, "赵六", "M", "2015-03-05", "NOPE", 5, "城厢镇", "东风村", "yes", "yes",
           "grandparents", "no", "no"]  # fmt: skip
    report = run(_xlsx([header, [None] * 13, row]), official)
    assert [e.line for e in report.errors] == [3]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"PK\x03\x04broken zip archive", "cannot be opened"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "old Excel file"),
        (b"%PDF-1.4\x00\x01\x02\xff\xfe\x00binary", "neither a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a spreadsheet"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(data, reason):
    with translation.override("en"), pytest.raises(FileRefused) as excinfo:
        read_register_file(data)
    assert reason in excinfo.value.message


def test_an_over_size_file_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    with translation.override("en"), pytest.raises(FileRefused) as excinfo:
        read_register_file(b"a,b\r\n" * 1000)
    assert "largest accepted is" in excinfo.value.message


# --- schools ----------------------------------------------------------------------------------


def test_schools_import_creates_towns_schools_and_family_rooms(official):
    county = CountyFactory(code="500238")
    data = csv_bytes(
        SCHOOL_HEADER,
        "S101,红池坝小学,红池坝镇,primary,yes,yes,yes,2,1",
        "S102,红池坝中学,红池坝镇,middle,no,no,yes,0,0",
        "S103,文峰小学,文峰镇,小学,是,否,是,1,0",
    )
    report = run(data, official, kind="schools", county=county)
    assert report.ok, [str(e) for e in report.errors]
    assert report.new_towns == ["文峰镇", "红池坝镇"]
    school = School.objects.get(code="S101")
    assert school.boarding and school.town.name == "红池坝镇" and school.county == county
    rooms = FamilyRoom.objects.filter(school=school)
    assert sorted(rooms.values_list("kind", flat=True)) == ["chat_room", "phone", "phone"]
    assert school.history.get().history_user == official
    again = run(data, official, kind="schools", county=county)
    assert (len(again.created), len(again.updated), again.unchanged) == (0, 0, 3)
    assert FamilyRoom.objects.count() == 4


def test_fewer_family_phones_marks_the_extra_ones_unused_never_deletes(official):
    county = CountyFactory(code="500238")
    run(csv_bytes(SCHOOL_HEADER, "S101,红池坝小学,红池坝镇,primary,no,no,no,3,0"), official,
        kind="schools", county=county)  # fmt: skip
    report = run(csv_bytes(SCHOOL_HEADER, "S101,红池坝小学,红池坝镇,primary,no,no,no,1,0"),
                 official, kind="schools", county=county)  # fmt: skip
    assert len(report.updated) == 1
    assert FamilyRoom.objects.count() == 3
    assert FamilyRoom.objects.filter(active=True).count() == 1


def test_school_bad_rows(place, official):
    county = place[0]
    other = SchoolFactory(code="X9", town__county=CountyFactory(code="500101", name="万州区"))
    data = csv_bytes(
        SCHOOL_HEADER,
        "S201,甲小学,城厢镇,university,no,no,no,0,0",
        "S202,乙小学,城厢镇,primary,no,no,no,-1,0",
        "S202,丙小学,城厢镇,primary,no,no,no,0,0",
        f"{other.code},丁小学,城厢镇,primary,no,no,no,0,0",
        ",戊小学,城厢镇,primary,no,no,no,0,0",
    )
    report = run(data, official, kind="schools", county=county)
    messages = [str(e) for e in report.errors]
    assert any(m.startswith("line 2: level: ") for m in messages)
    assert any(m.startswith("line 3: family_phones: ") for m in messages)
    assert any(m.startswith("line 4: code: ") and "also on line 3" in m for m in messages)
    assert any(m.startswith("line 5: code: ") and "belongs to" in m for m in messages)
    assert any(m.startswith("line 6: code: ") and "empty" in m for m in messages)
    assert not School.objects.filter(code__startswith="S2").exists()


def test_a_school_cannot_change_level_under_its_pupils(place, official):
    ChildFactory(school=place[2], grade=3)
    data = csv_bytes(SCHOOL_HEADER, "S001,城厢小学,城厢镇,middle,yes,no,no,0,0")
    report = run(data, official, kind="schools", county=place[0])
    assert any("line 2: level: 1 active children" in str(e) for e in report.errors)


def test_import_schools_command_creates_a_named_county(tmp_path, capsys):
    path = tmp_path / "schools.csv"
    path.write_bytes(csv_bytes(SCHOOL_HEADER, "S101,红池坝小学,红池坝镇,primary,no,no,no,1,1"))
    with pytest.raises(CommandError):
        call_command("import_schools", str(path))  # no county yet
    call_command("import_schools", str(path), "--county", "500238", "--county-name", "巫溪县",
                 "--dry-run")  # fmt: skip
    assert not School.objects.exists() and not Town.objects.exists()
    call_command("import_schools", str(path), "--county", "500238", "--county-name", "巫溪县")
    assert School.objects.get().county.name == "巫溪县"


def test_check_file_previews_without_writing(place, official):
    data = csv_bytes(CHILD_HEADER, *(child_line(n) for n in ids(12)))
    report = check_file("children", data, by=official)
    assert len(report.created) == 12 and len(report.preview) == 10
    assert report.preview[0][0] == "2" and Child.objects.count() == 0


def test_export_neutralised_cells_import_back_as_typed(place, official):
    (number,) = ids(1)
    data = csv_bytes(CHILD_HEADER, child_line(number, name='\'=HYPERLINK("http://x")'))
    report = run(data, official)
    assert report.ok, [str(e) for e in report.errors]
    assert Child.objects.get().name == '=HYPERLINK("http://x")'


def test_xlsx_workbook_can_be_read_back(place, official):
    """The template's XLSX (openpyxl) opens with Chinese and English header rows."""
    book = load_workbook(io.BytesIO(_xlsx([ZH_CHILD_HEADER.split(",")])), read_only=True)
    assert next(book.active.iter_rows(values_only=True))[0] == "身份证号"


def test_the_fast_check_character_agrees_with_stdnum():
    import random

    from stdnum.cn import ric

    from registry import idnumber

    rng = random.Random(7)
    for _ in range(2000):
        first17 = "500238" + f"{rng.randrange(10**11):011d}"
        assert idnumber._check_character(first17 + "0") == ric.calc_check_digit(first17 + "0")
    assert idnumber.normalise(" 50023820150305123x ") == "50023820150305123X"
    assert idnumber.normalise(None) == ""


def test_an_identity_number_excel_stored_as_a_number_is_explained(place, official):
    (number,) = ids(1)
    header = CHILD_HEADER.split(",")
    row = [float(number[:17] + "0"), "赵六", "M", "2015-03-05", "S001", 5, "城厢镇", "东风村",
           "yes", "yes", "grandparents", "no", "no"]  # fmt: skip
    report = run(_xlsx([header, row]), official)
    assert [e.field for e in report.errors] == ["id_number"]
    assert "lost its last digits" in report.errors[0].message


def test_an_unexpected_failure_mid_import_leaves_nothing_behind(place, official, monkeypatch):
    """The rows already sent to the database are rolled back, and the connection still works."""
    from registry.models import child_rules

    calls = {"n": 0}
    real_validate = child_rules.validate

    def failing_validate(child, *, today):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the power went out")
        return real_validate(child, today=today)

    # The rules the import checks each child with (the same as the form's: child_rules).
    monkeypatch.setattr(child_rules, "validate", failing_validate)
    data = csv_bytes(CHILD_HEADER, *(child_line(n) for n in ids(5)))
    with pytest.raises(RuntimeError):
        run(data, official)
    monkeypatch.setattr(child_rules, "validate", real_validate)
    assert Child.objects.count() == 0 and Village.objects.count() == 0
    assert run(data, official).ok and Child.objects.count() == 5
