"""Identity numbers and non-officials (issue 12, finding 1): the mask, the edit form, the
service, the "already registered" answer, the search and the history.

The site-wide probe (every URL, every non-official role) is tests/test_security_idnumbers.py.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registry import history, idnumber, services
from registry.models import Child
from tests.conftest import search
from tests.factories import VillageFactory, make_id_number

pytestmark = pytest.mark.django_db


# --- The mask ------------------------------------------------------------------------------


def _candidates(masked: str, birth_date, sex: str) -> set[str]:
    """Every valid number agreeing with what a non-official sees of a child: the mask, the
    birth date and the sex (and so the area code the mask shows)."""
    found = set()
    for seq in range(1000):
        if (seq % 2 == 1) != (sex == "M"):
            continue
        first17 = f"{masked[:6]}{birth_date:%Y%m%d}{seq:03d}"
        number = first17 + idnumber.check_digit_for(first17)
        if all(m in ("*", c) for m, c in zip(masked, number, strict=True)):
            found.add(number)
    return found


def test_the_mask_shows_the_area_code_only():
    number = "50023820170315003X"
    assert idnumber.mask(number) == "500238************"
    assert idnumber.mask("ANON00000000000042") == "*" * 18  # an anonymised file's placeholder
    assert idnumber.mask("") == ""


def test_mask_birth_date_and_sex_together_leave_hundreds_of_candidates(personas):
    """The old mask (``500238********0578``) with the page's birth date gave exactly one."""
    child = personas.child_a
    masked = idnumber.shown_to(personas.teacher_a, child.id_number)
    candidates = _candidates(masked, child.date_of_birth, child.sex)
    assert child.id_number in candidates
    assert len(candidates) >= 500


def test_only_officials_see_the_whole_number(personas):
    number = personas.child_a.id_number
    assert idnumber.shown_to(personas.official, number) == number
    for user in (personas.teacher_a, personas.volunteer, personas.viewer, None):
        assert idnumber.shown_to(user, number) == idnumber.mask(number)


# --- The edit form and the service -----------------------------------------------------------


def _file_data(child, **overrides):
    data = {
        "name": child.name,
        "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat(),
        "school": child.school_id,
        "grade": str(child.grade),
        "village": child.village_id,
        "father_away": "on" if child.father_away else "",
        "mother_away": "on" if child.mother_away else "",
        "guardian": child.guardian,
        "wishes": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_teachers_edit_form_neither_shows_nor_takes_the_number(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    url = reverse("registry:child_edit", args=[child.pk])
    html = client.get(url).content.decode()
    assert child.id_number not in html and 'name="id_number"' not in html
    assert idnumber.mask(child.id_number) in html  # shown, masked, as on the file
    other = make_id_number(child.date_of_birth, child.sex)
    response = client.post(url, _file_data(child, id_number=other, notes="改了"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.notes == "改了" and child.id_number != other  # the rest is saved


def test_an_officials_edit_form_changes_the_number(personas):
    child = personas.child_a
    client = personas.client_for("official")
    url = reverse("registry:child_edit", args=[child.pk])
    assert child.id_number in client.get(url).content.decode()
    other = make_id_number(child.date_of_birth, child.sex)
    assert client.post(url, _file_data(child, id_number=other)).status_code == 302
    child.refresh_from_db()
    assert child.id_number == other


def test_the_service_lets_only_officials_change_a_number(personas):
    child = personas.child_a
    other = make_id_number(child.date_of_birth, child.sex)
    for user in (personas.teacher_a, personas.volunteer, None):
        with pytest.raises(ValidationError) as refused:
            services.update_child(child=child, by=user, id_number=other)
        assert "id_number" in refused.value.error_dict
    child.refresh_from_db()
    assert child.id_number != other
    # The same number, as a whole form sends it back, is no change.
    services.update_child(child=child, by=personas.teacher_a, id_number=child.id_number)
    services.update_child(child=child, by=personas.official, id_number=other)
    child.refresh_from_db()
    assert child.id_number == other


# --- "Already registered" --------------------------------------------------------------------


def _create_errors(client, personas, number):
    village = VillageFactory(town=personas.school_a.town)
    data = _file_data(personas.child_a, name="新同学", village=village.pk, id_number=number)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        response = client.post(reverse("registry:child_create"), data)
        assert response.status_code == 200  # refused, with the form again
        return [str(e) for e in response.context["form"].errors.get("id_number", [])]


def test_a_teacher_is_not_told_which_numbers_are_registered(personas):
    """In scope or not, the same neutral answer (that sends them to the office); an official
    gets the precise one."""
    teacher = personas.client_for("teacher_a")
    outside = _create_errors(teacher, personas, personas.child_b.id_number)
    inside = _create_errors(teacher, personas, personas.child_a.id_number)
    assert outside == inside
    assert "already" not in " ".join(outside) and "office" in " ".join(outside)
    official = _create_errors(personas.client_for("official"), personas, personas.child_b.id_number)
    assert "already exists" in " ".join(official)
    assert Child.objects.count() == 2


def test_the_service_gives_the_neutral_answer_to_any_caller(personas):
    fields = {
        "name": "新同学", "sex": "F", "date_of_birth": personas.child_b.date_of_birth,
        "school": personas.school_a, "grade": 3, "village": personas.child_a.village,
        "father_away": True, "mother_away": True, "guardian": "grandparents",
        "id_number": personas.child_b.id_number,
    }  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.create_child(by=personas.teacher_a, **fields)
    assert [e.code for e in refused.value.error_dict["id_number"]] == ["ask_the_office"]


# --- Search ----------------------------------------------------------------------------------


def _names(client, q):
    response = search(client, reverse("registry:child_list"), q)
    assert response.status_code == 200
    return {c.name for c in response.context["page"]}


def test_a_teacher_searches_by_the_whole_number_only(personas):
    """Part of a number would let a teacher rebuild the hidden digits one by one."""
    number = personas.child_a.id_number
    teacher = personas.client_for("teacher_a")
    assert _names(teacher, number) == {"张小明"}
    assert _names(teacher, " ".join([number[:6], number[6:14], number[14:]])) == {"张小明"}
    for part in (number[-4:], number[:15], number[:17], number[6:], number[14:17]):
        assert _names(teacher, part) == set(), part
    assert _names(teacher, personas.child_b.id_number) == set()  # outside the scope


def test_a_teacher_is_told_why_part_of_a_number_finds_nothing(personas):
    """An empty list with no reason would look like "no such child"; nor is a lookup spent."""
    from lbc_office.core.models import AuditEvent

    teacher = personas.client_for("teacher_a")
    response = search(teacher, reverse("registry:child_list"), personas.child_a.id_number[-4:])
    assert list(response.context["page"]) == []
    assert "18" in response.context["filter"].id_number_refused  # "… 18 characters; this has 4"
    assert b'id="id-number-refused"' in response.content
    assert not AuditEvent.objects.filter(object_type=idnumber.LOOKUP).exists()
    # A whole number gets no such message.
    response = search(teacher, reverse("registry:child_list"), personas.child_a.id_number)
    assert response.context["filter"].id_number_refused == ""


def test_an_official_still_searches_by_part_of_a_number(personas):
    number = personas.child_a.id_number
    official = personas.client_for("official")
    assert "张小明" in _names(official, number[-4:])
    assert "张小明" in _names(official, number[:15])


# --- History ---------------------------------------------------------------------------------


def test_the_history_shows_old_numbers_whole_to_officials_only(personas):
    child = personas.child_a
    old = child.id_number
    new = make_id_number(child.date_of_birth, child.sex)
    services.update_child(child=child, by=personas.official, id_number=new)

    def shown(user):
        return [
            (c.old, c.new)
            for v in history.page(child, 1, user=user)
            for c in v.changes
            if "identity" in c.field
        ]

    with translation.override("en"):
        assert shown(personas.official) == [(old, new)]
        assert shown(personas.teacher_a) == [(idnumber.mask(old), idnumber.mask(new))]
        assert shown(None) == [(idnumber.mask(old), idnumber.mask(new))]


# --- Lookups by number are limited for non-officials ----------------------------------------


def test_a_non_officials_lookups_by_number_are_counted_and_limited(personas, settings):
    """500 candidates stay 500: past the day's allowance, a number confirms nothing."""
    from lbc_office.core.models import AuditEvent

    settings.LBC_ID_LOOKUPS_PER_DAY = 2
    number = personas.child_a.id_number
    teacher = personas.client_for("teacher_a")
    assert _names(teacher, number) == {"张小明"}
    assert _create_errors(teacher, personas, personas.child_b.id_number)  # "ask the office"
    events = AuditEvent.objects.filter(user=personas.teacher_a, object_type=idnumber.LOOKUP)
    assert sorted(events.values_list("detail", flat=True)) == ["already registered", "search"]
    assert not any(number in e.detail for e in events)  # the event holds no number
    # The allowance is spent: the search finds nothing, a new number is not registered either.
    response = search(teacher, reverse("registry:child_list"), number)
    assert list(response.context["page"]) == [] and response.context["filter"].id_lookups_refused
    fresh = make_id_number(personas.child_a.date_of_birth, "M")
    errors = _create_errors(teacher, personas, fresh)
    assert errors and not Child.objects.filter(id_number=fresh).exists()
    # Names still work, and officials are not limited.
    assert _names(teacher, "小明") == {"张小明"}
    official = personas.client_for("official")
    for _ in range(3):
        assert _names(official, number) == {"张小明"}


def test_a_files_own_number_failing_a_check_is_not_quoted_to_a_teacher(personas):
    """A stored number that fails its check (an old import) answers a teacher's save with a
    neutral line, not a crash nor the check's message (which names the right check character)."""
    child = personas.child_a
    wrong = child.id_number[:17] + ("0" if child.id_number[-1] != "0" else "1")
    Child.objects.filter(pk=child.pk).update(id_number=wrong)
    child.refresh_from_db()
    client = personas.client_for("teacher_a")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        response = client.post(
            reverse("registry:child_edit", args=[child.pk]), _file_data(child, notes="x")
        )
        assert response.status_code == 200
        errors = " ".join(str(e) for e in response.context["form"].non_field_errors())
    assert "county office" in errors and "last character" not in errors
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.update_child(child=child, by=personas.teacher_a, notes="y")
    assert [e.code for e in refused.value.error_dict["id_number"]] == ["ask_the_office"]
