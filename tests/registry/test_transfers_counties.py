"""Issue 15: a child moving to another county of the city is one action of the sending county's
official (``transfers.transfer_to_county``): the file changes county, the sending county's
carers end through closure, the status history and both counties' transfer records say so,
and access moves: the old county loses the file, the new county gains it. A transfer between
schools never crosses a county."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from registry import timeline, transfers
from registry.models import Child, ChildStatus, SchoolTransfer
from tests.conftest import login
from tests.factories import (
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.volunteers.factories import AssignmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def chengkou(personas):
    county = CountyFactory(code="500229", name="城口县")
    town = TownFactory(county=county, name="葛城街道")
    school = SchoolFactory(county=county, town=town, name="城口小学", code="C001")
    return {
        "county": county,
        "school": school,
        "village": VillageFactory(town=town, name="龙王村"),
        "official": UserFactory(username="ck_official", county_code="500229"),
        "teacher": TeacherFactory(
            user__username="ck_teacher", user__county_code="500229", schools=[school]
        ).user,
    }


def _move(personas, chengkou, **overrides):
    data = {
        "child": personas.child_a, "to_school": chengkou["school"],
        "village": chengkou["village"], "on": TODAY, "reason": "随父母回城口",
        "by": personas.official,
    }  # fmt: skip
    return transfers.transfer_to_county(**{**data, **overrides})


def test_a_move_to_another_county_is_one_action_and_access_follows(personas, chengkou):
    from django.test import Client

    child = personas.child_a
    assignment = AssignmentFactory(child=child)
    ck_teacher = login(Client(), chengkou["teacher"])
    assert ck_teacher.get(child.get_absolute_url()).status_code == 404
    assert not Child.objects.visible_to(chengkou["official"]).filter(pk=child.pk).exists()

    out = _move(personas, chengkou)

    child.refresh_from_db()
    assert (child.county, child.school, child.village) == (
        chengkou["county"], chengkou["school"], chengkou["village"]
    )  # fmt: skip
    assert child.status == ChildStatus.ACTIVE and child.id_number == personas.child_a.id_number
    assignment.refresh_from_db()
    assert assignment.ended_on == TODAY  # the sending county's carer ended through closure
    changes = list(child.status_changes.order_by("created_at", "id"))
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("active", "transferred"), ("transferred", "active")
    ]  # fmt: skip
    assert changes[0].ended and "城口县 城口小学" in changes[0].reason
    records = list(SchoolTransfer.objects.filter(child=child).order_by("id"))
    assert records[0] == out
    assert [(t.kind, t.county.code, t.from_school, t.to_school) for t in records] == [
        ("out", "500238", personas.school_a, None),
        ("in", "500229", None, chengkou["school"]),
    ]
    titles = " ".join(str(e.title) for e in timeline.page(child).events)
    assert "城口小学" in titles
    # Access: the old county and school lose the file, the new ones gain it.
    assert not Child.objects.visible_to(personas.official).filter(pk=child.pk).exists()
    assert Child.objects.visible_to(chengkou["official"]).filter(pk=child.pk).exists()
    assert personas.client_for("teacher_a").get(child.get_absolute_url()).status_code == 404
    assert personas.client_for("official").get(child.get_absolute_url()).status_code == 404
    assert ck_teacher.get(child.get_absolute_url()).status_code == 200


def test_only_the_sending_countys_official_moves_the_child(personas, chengkou):
    city = UserFactory(username="city", county_code="")
    for by in (chengkou["official"], city, personas.teacher_a):
        with pytest.raises(PermissionDenied):
            _move(personas, chengkou, by=by)
    personas.child_a.refresh_from_db()
    assert personas.child_a.county.code == "500238"
    assert not SchoolTransfer.objects.exists()


def test_the_move_needs_a_village_of_the_new_county_and_another_county(personas, chengkou):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            _move(personas, chengkou, village=personas.child_a.village)
        assert refusal.value.message_dict == {
            "village": ["Choose the child's village in the county of the new school."]
        }
        with pytest.raises(ValidationError) as refusal:
            _move(personas, chengkou, to_school=personas.school_b)
        assert list(refusal.value.message_dict) == ["to_school"]
        # A transfer between schools never crosses a county.
        with pytest.raises(ValidationError) as refusal:
            transfers.transfer_school(
                child=personas.child_a, to_school=chengkou["school"], on=TODAY, reason="搬家",
                by=personas.official,
            )  # fmt: skip
        assert "transfer to another county" in refusal.value.message_dict["to_school"][0]
    personas.child_a.refresh_from_db()
    assert personas.child_a.school == personas.school_a
    assert not SchoolTransfer.objects.exists()


def test_the_transfer_form_offers_the_other_counties_and_moves_the_file(personas, chengkou):
    from django.urls import reverse

    child = personas.child_a
    client = personas.client_for("official")
    url = reverse("registry:child_transfer", args=[child.pk])
    html = client.get(url).content.decode()
    assert "城口小学（城口县）" in html and "城口县 葛城街道 龙王村" in html
    data = {"date": TODAY.isoformat(), "reason": "随父母回城口", "to_school": chengkou["school"].pk}
    refused = client.post(url, data)  # no village of the new county
    assert refused.status_code == 200 and "village" in refused.context["form"].errors
    response = client.post(url, {**data, "village": chengkou["village"].pk})
    assert response.status_code == 302 and response["Location"] == reverse("registry:child_list")
    child.refresh_from_db()
    assert child.county == chengkou["county"] and child.school == chengkou["school"]
