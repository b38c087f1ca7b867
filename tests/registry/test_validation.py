"""Each rule of the personal file, with a bad value: the error names the field and says why."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from registry import idnumber, services
from registry.forms import ChildForm
from registry.models import Child, GuardianType, SchoolLevel
from tests.factories import ChildFactory, SchoolFactory, UserFactory, VillageFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    """Messages are lazy: keep English active until the assertions have read them."""
    with translation.override("en"):
        yield


def _form_data(school, village, **overrides):
    dob = datetime.date(TODAY.year - 9, 5, 20)
    data = {
        "name": "王小明",
        "id_number": make_id_number(dob, "M"),
        "sex": "M",
        "date_of_birth": dob.isoformat(),
        "school": school.pk,
        "grade": "3",
        "village": village.pk,
        "father_away": "on",
        "mother_away": "on",
        "guardian": GuardianType.GRANDPARENTS,
        "wishes": "",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def setting():
    school = SchoolFactory(level=SchoolLevel.PRIMARY, boarding=False)
    village = VillageFactory(town=school.town)
    official = UserFactory(role="official")
    return school, village, official


def _errors(setting, **overrides):
    school, village, official = setting
    with translation.override("en"):
        form = ChildForm(_form_data(school, village, **overrides), user=official)
        form.is_valid()
        return {field: " ".join(msgs) for field, msgs in form.errors.items()}


def test_a_correct_file_is_accepted(setting):
    assert _errors(setting) == {}


def test_wrong_check_character(setting):
    good = make_id_number(datetime.date(TODAY.year - 9, 5, 20), "M")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    errors = _errors(setting, id_number=wrong)
    assert list(errors) == ["id_number"]
    assert f"should be {good[-1]}, not {wrong[-1]}" in errors["id_number"]


def test_wrong_length(setting):
    errors = _errors(setting, id_number="50023820150520123")
    assert "has 18 characters; this one has 17" in errors["id_number"]


def test_letters_in_the_number(setting):
    errors = _errors(setting, id_number="5002382015052A1234")
    assert "17 digits followed by a digit or X" in errors["id_number"]


def test_impossible_birth_date_in_the_number(setting):
    first17 = "50023820150231123"
    errors = _errors(setting, id_number=first17 + idnumber.check_digit_for(first17))
    assert "(20150231) are not a real date" in errors["id_number"]


def test_unknown_province(setting):
    first17 = "99023820150520123"
    errors = _errors(setting, id_number=first17 + idnumber.check_digit_for(first17))
    assert "(99) are not a province" in errors["id_number"]


def test_birth_date_must_agree_with_the_number(setting):
    dob = datetime.date(TODAY.year - 9, 5, 20)
    errors = _errors(setting, id_number=make_id_number(dob, "M"), date_of_birth="2017-05-21")
    assert set(errors) == {"date_of_birth"}
    assert "does not agree with the identity number" in errors["date_of_birth"]
    assert dob.isoformat() in errors["date_of_birth"]


def test_sex_must_agree_with_the_number(setting):
    dob = datetime.date(TODAY.year - 9, 5, 20)
    number = make_id_number(dob, "F")
    errors = _errors(setting, id_number=number, sex="M")
    assert set(errors) == {"sex"}
    assert "17th digit is even, which is for a girl" in errors["sex"]
    assert f"({number[16]})" not in errors["sex"]  # a sequence digit is never quoted


def test_grade_must_be_taught_at_the_school(setting):
    errors = _errors(setting, grade="7")
    assert set(errors) == {"grade"}
    assert "teaches grades 1 to 6" in errors["grade"]


def test_primary_grade_at_a_middle_school():
    school = SchoolFactory(level=SchoolLevel.MIDDLE)
    setting = (school, VillageFactory(town=school.town), UserFactory(role="official"))
    errors = _errors(setting, grade="3")
    assert "teaches grades 7 to 9" in errors["grade"]


def test_boarding_only_at_a_boarding_school(setting):
    errors = _errors(setting, boarding="on")
    assert set(errors) == {"boarding"}
    assert "is not a boarding school" in errors["boarding"]


def test_boarding_at_a_boarding_school_is_fine():
    school = SchoolFactory(boarding=True)
    setting = (school, VillageFactory(town=school.town), UserFactory(role="official"))
    assert _errors(setting, boarding="on") == {}


def test_at_least_one_parent_away(setting):
    errors = _errors(setting, father_away=None, mother_away=None)
    assert set(errors) == {"father_away"}
    assert "parent working away" in errors["father_away"]


def test_birth_date_in_the_future(setting):
    future = TODAY + datetime.timedelta(days=3)
    errors = _errors(
        setting, date_of_birth=future.isoformat(), id_number=make_id_number(future, "M")
    )
    assert "cannot be in the future" in errors["date_of_birth"]


def test_a_child_of_17_is_refused(setting):
    dob = datetime.date(TODAY.year - 17, 1, 1)
    errors = _errors(setting, date_of_birth=dob.isoformat(), id_number=make_id_number(dob, "M"))
    assert "This child is 17" in errors["date_of_birth"]


def test_a_child_of_16_is_accepted_in_middle_school():
    school = SchoolFactory(level=SchoolLevel.MIDDLE)
    setting = (school, VillageFactory(town=school.town), UserFactory(role="official"))
    dob = TODAY.replace(year=TODAY.year - 17) + datetime.timedelta(days=1)
    errors = _errors(
        setting, date_of_birth=dob.isoformat(), id_number=make_id_number(dob, "M"), grade="9"
    )
    assert errors == {}


def test_mother_cannot_be_guardian_while_away(setting):
    errors = _errors(setting, guardian=GuardianType.MOTHER)
    assert "mother works away" in errors["guardian"]


def test_father_cannot_be_guardian_while_away(setting):
    errors = _errors(setting, guardian=GuardianType.FATHER, mother_away=None)
    assert "father works away" in errors["guardian"]


def test_the_mother_at_home_can_be_guardian(setting):
    assert _errors(setting, guardian=GuardianType.MOTHER, mother_away=None) == {}


def test_remaining_parent_unable_needs_a_parent_at_home(setting):
    errors = _errors(setting, remaining_parent_unable="on")
    assert "leave this box unticked" in errors["remaining_parent_unable"]


def test_identity_number_is_unique(setting):
    existing = ChildFactory()
    errors = _errors(
        setting,
        id_number=existing.id_number,
        date_of_birth=existing.date_of_birth.isoformat(),
        sex=existing.sex,
    )
    assert set(errors) == {"id_number"}
    assert "already exists" in errors["id_number"]


def test_the_number_is_normalised_before_checking(setting):
    dob = datetime.date(TODAY.year - 9, 5, 20)
    number = make_id_number(dob, "M")
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    school, village, official = setting
    form = ChildForm(_form_data(school, village, id_number=spaced), user=official)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == number


def test_messages_are_in_chinese_by_default(setting):
    school, village, official = setting
    with translation.override("zh-hans"):
        form = ChildForm(_form_data(school, village, boarding="on"), user=official)
        assert not form.is_valid()
        assert "不是寄宿制学校" in form.errors["boarding"][0]


def test_every_error_at_once(setting):
    """A clerk fixes everything in one go: all broken fields are reported together."""
    errors = _errors(setting, grade="8", boarding="on", father_away=None, mother_away=None)
    assert {"grade", "boarding", "father_away"} <= set(errors)


# --- The database refuses what the forms refuse -----------------------------------------------


def test_database_refuses_a_child_with_no_parent_away():
    child = ChildFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(father_away=False, mother_away=False)


def test_database_refuses_grade_ten():
    child = ChildFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(grade=10)


# --- Other records ---------------------------------------------------------------------------


def test_health_check_in_the_future_is_refused():
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        services.record_health_check(
            child=child,
            by=None,
            date=TODAY + datetime.timedelta(days=1),
            height_cm=120,
            weight_kg=25,
        )
    assert "future" in exc.value.message_dict["date"][0]


def test_health_check_with_impossible_height_is_refused():
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        services.record_health_check(child=child, by=None, date=TODAY, height_cm=400, weight_kg=25)
    assert "height_cm" in exc.value.message_dict


def test_status_change_needs_a_reason_and_a_new_status():
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        services.change_child_status(child=child, status="active", on=TODAY, reason=" ", by=None)
    assert "already has this status" in exc.value.message_dict["status"][0]
    assert "Say why" in exc.value.message_dict["reason"][0]


def test_status_change_cannot_be_in_the_future():
    child = ChildFactory()
    with pytest.raises(ValidationError) as exc:
        services.change_child_status(
            child=child, status="closed", on=TODAY + datetime.timedelta(days=1), reason="x", by=None
        )
    assert "date" in exc.value.message_dict


def test_parent_details_need_the_parent_marked_away():
    child = ChildFactory(father_away=True, mother_away=False, guardian=GuardianType.MOTHER)
    with pytest.raises(ValidationError) as exc:
        services.save_parent_away(child=child, relation="mother", by=None, name="刘芳")
    assert "does not say this parent works away" in " ".join(exc.value.messages)
