"""The register's screens do what they say: create, edit, record, and ignore what they must."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import Child, ChildStatus, FamilyRoom, School, Town, Village
from tests.conftest import search
from tests.factories import ChildFactory, VillageFactory, make_id_number

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _child_form(child_school, village, **overrides):
    dob = datetime.date(TODAY.year - 8, 9, 1)
    data = {
        "name": "刘小燕",
        "id_number": make_id_number(dob, "F"),
        "sex": "F",
        "date_of_birth": dob.isoformat(),
        "school": child_school.pk,
        "grade": "2",
        "village": village.pk,
        "father_away": "on",
        "guardian": "mother",
        "wishes": "想让爸爸过年回家",
    }
    data.update(overrides)
    return data


def test_teacher_opens_a_file_at_their_school(personas):
    village = VillageFactory(town=personas.school_a.town)
    client = personas.client_for("teacher_a")
    response = client.post(
        reverse("registry:child_create"), _child_form(personas.school_a, village)
    )
    child = Child.objects.get(name="刘小燕")
    assert response.status_code == 302
    assert response["Location"] == child.get_absolute_url()
    assert child.created_by == personas.teacher_a
    assert child.wishes == "想让爸爸过年回家"


def test_teacher_cannot_open_a_file_at_another_school(personas):
    village = VillageFactory(town=personas.school_b.town)
    client = personas.client_for("teacher_a")
    response = client.post(
        reverse("registry:child_create"), _child_form(personas.school_b, village)
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not Child.objects.filter(name="刘小燕").exists()


def test_the_edit_form_never_moves_a_child_to_another_school(personas):
    """A school changes only by a transfer (registry.transfers): the edit form has no school
    field, and a school smuggled into the POST is ignored, by a teacher or an official."""
    child = personas.child_a
    client = personas.client_for("teacher_a")
    data = _child_form(
        personas.school_b,
        child.village,
        name=child.name,
        id_number=child.id_number,
        sex=child.sex,
        date_of_birth=child.date_of_birth.isoformat(),
        grade=str(child.grade),
        mother_away="on",
        guardian="grandparents",
    )
    response = client.post(reverse("registry:child_edit", args=[child.pk]), data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.school == personas.school_a
    official = personas.client_for("official")
    assert (
        "school"
        not in official.get(reverse("registry:child_edit", args=[child.pk])).context["form"].fields
    )
    official.post(reverse("registry:child_edit", args=[child.pk]), data)
    child.refresh_from_db()
    assert child.school == personas.school_a


def test_extra_fields_in_a_post_are_ignored(personas):
    """Mass assignment: status, county, author and timestamps cannot be smuggled in."""
    child = personas.child_a
    client = personas.client_for("official")
    data = _child_form(
        child.school,
        child.village,
        name="张小明",
        id_number=child.id_number,
        sex=child.sex,
        date_of_birth=child.date_of_birth.isoformat(),
        grade=str(child.grade),
        mother_away="on",
        guardian="grandparents",
        status="closed",
        county="999",
        created_by=personas.teacher_b.pk,
        is_staff="on",
        role="official",
    )
    response = client.post(reverse("registry:child_edit", args=[child.pk]), data)
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == ChildStatus.ACTIVE
    assert child.created_by_id != personas.teacher_b.pk
    assert child.updated_by == personas.official


def test_edit_shows_field_errors_and_saves_nothing(personas):
    child = personas.child_a
    client = personas.client_for("official")
    data = _child_form(
        child.school,
        child.village,
        name="改了名字",
        id_number=child.id_number,
        sex=child.sex,
        date_of_birth=child.date_of_birth.isoformat(),
        grade="8",
    )
    response = client.post(reverse("registry:child_edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert "grade" in response.context["form"].errors
    child.refresh_from_db()
    assert child.name == "张小明"


def test_status_change_through_the_screen(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    response = client.post(
        reverse("registry:child_status", args=[child.pk]),
        {"status": "moved_with_parents", "date": TODAY.isoformat(), "reason": "随父母去东莞读书"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == ChildStatus.MOVED_WITH_PARENTS
    page = client.get(child.get_absolute_url()).content.decode()
    assert "随父母去东莞读书" in page


def test_health_check_parent_and_guardian_through_the_screens(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    client.post(
        reverse("registry:health_check_add", args=[child.pk]),
        {"date": TODAY.isoformat(), "height_cm": "131.5", "weight_kg": "27.2", "notes": "视力正常"},
    )
    client.post(
        reverse("registry:parent_away_edit", args=[child.pk, "mother"]),
        {"name": "李芳", "phone": "13812345678", "work_city": "东莞", "work_province": "广东"},
    )
    client.post(
        reverse("registry:guardian_add", args=[child.pk]),
        {"name": "张奶奶", "relation": "grandmother", "birth_year": "1958", "schooling": "none"},
    )
    page = client.get(child.get_absolute_url()).content.decode()
    for text in ["131.5", "视力正常", "李芳", "13812345678", "东莞", "张奶奶"]:
        assert text in page
    # Saving the mother again updates the same record rather than adding a second one.
    client.post(
        reverse("registry:parent_away_edit", args=[child.pk, "mother"]),
        {"name": "李芳", "work_city": "深圳", "work_province": "广东"},
    )
    assert child.parents_away.get().work_city == "深圳"


def test_unknown_parent_relation_is_404(personas):
    client = personas.client_for("official")
    url = reverse("registry:parent_away_edit", args=[personas.child_a.pk, "uncle"])
    assert client.get(url).status_code == 404


# --- Search and filters -------------------------------------------------------------------


def _names(client, q="", **params):
    response = search(client, reverse("registry:child_list"), q, **params)
    assert response.status_code == 200
    return {c.name for c in response.context["page"]}


def test_search_by_part_of_a_name_whole_number_start_or_last_four(personas):
    client = personas.client_for("official")
    number = personas.child_a.id_number
    assert _names(client, q="小明") == {"张小明"}
    assert _names(client, q=number) == {"张小明"}
    assert _names(client, q=number.lower()) == {"张小明"}
    assert "张小明" in _names(client, q=number[:10])
    assert "张小明" in _names(client, q=number[-4:])


def test_filters(personas):
    school = personas.school_a
    ChildFactory(school=school, name="住校生", boarding=False, poor=True, grade=5)
    ChildFactory(school=school, name="只有父亲", mother_away=False, guardian="mother")
    alone = ChildFactory(school=school, name="独居", guardian="none")
    client = personas.client_for("official")
    assert _names(client, poor="yes") == {"住校生"}
    assert _names(client, grade="5") == {"住校生"}
    assert "只有父亲" not in _names(client, both_parents_away="yes")
    assert _names(client, both_parents_away="no") == {"只有父亲"}
    assert _names(client, guardian="none") == {"独居"}
    assert _names(client, school=personas.school_b.pk) == {"李小红"}
    assert _names(client, town=school.town.pk, q="独") == {"独居"}
    client.post(
        reverse("registry:child_status", args=[alone.pk]),
        {"status": "closed", "date": TODAY.isoformat(), "reason": "重复档案"},
    )
    assert "独居" not in _names(client)  # the list opens on active children
    assert _names(client, status="closed") == {"独居"}
    assert "独居" in _names(client, status="all")


def test_list_shows_the_count_and_pages(personas, settings):
    settings.LBC_PAGE_SIZE = 2
    ChildFactory.create_batch(3, school=personas.school_a)
    client = personas.client_for("official")
    first = client.get(reverse("registry:child_list"))
    assert first.context["page"].count == 5
    assert "5 children" in first.content.decode() or "5 名" in first.content.decode()
    response = client.get(
        reverse("registry:child_list"), {"after": first.context["page"].next_cursor}
    )
    assert len(response.context["page"]) == 2
    assert response.context["page"].has_previous and response.context["page"].has_next
    assert not set(response.context["page"]) & set(first.context["page"])


# --- Schools, family rooms, towns, villages (officials) -------------------------------------


def test_official_manages_schools_rooms_towns_and_villages(personas):
    client = personas.client_for("official")
    town = personas.school_a.town
    client.post(
        reverse("registry:town_create"),
        {"county": town.county.pk, "name": "红池坝镇", "kind": "town"},
    )
    new_town = Town.objects.get(name="红池坝镇")
    client.post(
        reverse("registry:village_add", args=[new_town.pk]), {"name": "红池村", "kind": "village"}
    )
    assert Village.objects.filter(town=new_town, name="红池村").exists()
    response = client.post(
        reverse("registry:school_create"),
        {"code": "5002380999", "name": "红池坝小学", "town": new_town.pk, "level": "primary",
         "boarding": "on", "canteen": "on", "active": "on"},
    )  # fmt: skip
    school = School.objects.get(code="5002380999")
    assert response["Location"] == reverse("registry:school_detail", args=[school.pk])
    assert school.county == new_town.county and school.created_by == personas.official
    client.post(
        reverse("registry:family_room_add", args=[school.pk]), {"kind": "phone", "active": "on"}
    )
    assert FamilyRoom.objects.filter(school=school, kind="phone").count() == 1
    listing = client.get(reverse("registry:school_list")).content.decode()
    assert "红池坝小学" in listing


def test_duplicate_village_name_in_a_town_is_refused_with_a_message(personas):
    client = personas.client_for("official")
    village = personas.child_a.village
    response = client.post(
        reverse("registry:village_add", args=[village.town.pk]),
        {"name": village.name, "kind": "village"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Village.objects.filter(town=village.town, name=village.name).count() == 1


def test_search_puts_the_closest_names_first(personas):
    for name in ["欧阳小明", "小明华", "小明"]:
        ChildFactory(school=personas.school_a, name=name)
    client = personas.client_for("official")
    response = search(client, reverse("registry:child_list"), "小明")
    names = [c.name for c in response.context["page"]]
    # the exact name, then names starting with it, then the others by name
    assert names[0] == "小明"
    assert names[1] == "小明华"
    assert set(names[2:]) == {"张小明", "欧阳小明"}


def test_the_filter_panel_opens_only_when_a_filter_is_set(personas):
    client = personas.client_for("official")
    url = reverse("registry:child_list")
    assert not search(client, url, "小明", status="active").context["filters_open"]
    assert search(client, url, "小明", grade="3").context["filters_open"]
    assert search(client, url, "", status="closed").context["filters_open"]
