"""The import and the form's service take a child's rules from one place (child_rules), and the
import's check writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lbc_office.core.models import AuditEvent
from registry import services
from registry.importing import check_file, import_file
from registry.models import Child, School, Town, Village, child_rules
from tests.factories import VillageFactory, make_id_number
from tests.registry.test_import import (
    BORN,
    CHILD_HEADER,
    SCHOOL_HEADER,
    child_line,
    csv_bytes,
    ids,
    official,  # noqa: F401 (fixture)
    place,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "SET CONSTRAINTS", "SET LOCAL", "CREATE")


def _counts() -> dict:
    return {
        "children": Child.objects.count(),
        "history": Child.history.count(),
        "villages": Village.objects.count(),
        "towns": Town.objects.count(),
        "schools": School.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _a_file_with_new_changed_and_new_village_rows(by):
    first, second, third = ids(3)
    with translation.override("en"):
        assert import_file("children", csv_bytes(CHILD_HEADER, child_line(first)), by=by).ok
    return csv_bytes(
        CHILD_HEADER,
        child_line(first, name="王小红"),  # changed
        child_line(second),  # new
        child_line(third, village="新村"),  # new, in a new village
    )


def test_the_check_writes_nothing(place, official):  # noqa: F811
    """Counted before and after, and no statement but reading reaches the database (on
    PostgreSQL too, where the import streams its new rows)."""
    data = _a_file_with_new_changed_and_new_village_rows(official)
    before = _counts()
    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        report = check_file("children", data, by=official)
    assert report.ok and not report.written
    assert (len(report.created), len(report.updated), report.new_villages) == (2, 1, 1)
    assert _counts() == before
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert statements and not [s for s in statements if s.startswith(WRITES)]


def test_a_dry_run_writes_nothing_either(place, official):  # noqa: F811
    data = _a_file_with_new_changed_and_new_village_rows(official)
    before = _counts()
    with translation.override("en"):
        report = import_file("children", data, by=official, dry_run=True)
    assert report.ok and not report.written
    assert _counts() == before


def test_checking_schools_writes_nothing(place, official):  # noqa: F811
    county, _town, _school = place
    data = csv_bytes(SCHOOL_HEADER, "S009,新学校,新镇,primary,no,no,yes,2,1")
    before = _counts()
    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        report = check_file("schools", data, by=official, county=county)
    assert report.ok and report.new_towns == ["新镇"] and len(report.created) == 1
    assert _counts() == before
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith(WRITES)]


def test_the_import_then_writes_what_the_check_planned(place, official):  # noqa: F811
    data = _a_file_with_new_changed_and_new_village_rows(official)
    before = _counts()
    with translation.override("en"):
        planned = check_file("children", data, by=official)
        done = import_file("children", data, by=official)
    assert done.written and (len(done.created), len(done.updated)) == (
        len(planned.created),
        len(planned.updated),
    )
    assert _counts()["children"] == before["children"] + 2
    assert _counts()["history"] == before["history"] + 3
    assert _counts()["audit"] == before["audit"] + 1


# --- one rule, two ways in --------------------------------------------------------------------


def _form_refusal(setting, by, **fields) -> dict:
    _county, town, school = setting
    values = {
        "name": "王小明",
        "id_number": make_id_number(BORN, "M"),
        "sex": "M",
        "date_of_birth": BORN,
        "school": school,
        "grade": 5,
        "village": VillageFactory(town=town),
        "father_away": True,
        "mother_away": True,
        "guardian": "grandparents",
        **fields,
    }
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_child(by=by, **values)
    return refused.value.message_dict


def _file_refusal(by, **cells) -> dict:
    with translation.override("en"):
        report = import_file("children", csv_bytes(CHILD_HEADER, child_line(**cells)), by=by)
    assert not report.ok and not report.written
    messages: dict[str, list] = {}
    for error in report.errors:
        messages.setdefault(error.field, []).append(error.message)
    return messages


def test_form_and_file_refuse_the_same_value_with_the_same_words(place, official):  # noqa: F811
    """A mother who works away cannot be the guardian at home: one rule, one message."""
    form = _form_refusal(place, official, mother_away=True, guardian="mother")
    file = _file_refusal(official, mother="yes", guardian="mother")
    assert form["guardian"] == file["guardian"]
    assert "mother works away" in form["guardian"][0]
    assert Child.objects.count() == 0


def test_a_rule_changed_in_child_rules_changes_the_form_and_the_import(
    place,  # noqa: F811
    official,  # noqa: F811
    monkeypatch,
):
    """A new rule written once, in child_rules, is enforced by both ways in."""
    real_validate = child_rules.validate

    def validate_with_a_new_rule(child, *, today):
        try:
            real_validate(child, today=today)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            errors = {}
        if child.poor and not child.boarding:
            errors.setdefault("poor", []).append("A new rule: poor children board.")
        if errors:
            raise ValidationError(errors)

    monkeypatch.setattr(child_rules, "validate", validate_with_a_new_rule)
    form = _form_refusal(place, official, poor=True)
    file = _file_refusal(official, poor="yes")
    assert form == file == {"poor": ["A new rule: poor children board."]}
    monkeypatch.undo()  # the real rules accept the same child
    with translation.override("en"):
        assert import_file(
            "children", csv_bytes(CHILD_HEADER, child_line(poor="yes")), by=official
        ).ok
