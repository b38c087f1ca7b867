"""Transfers (registry.transfers): one action with date and reason, on the timeline and in the
status history; access follows the school at once; out of the county closes the file with a
hand-over summary; in starts a file pre-filled from one."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from registry import timeline
from registry.models import Child, ChildStatus, SchoolTransfer
from tests.factories import VillageFactory
from tests.volunteers.factories import AssignmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _transfer(client, child, **data):
    return client.post(
        reverse("registry:child_transfer", args=[child.pk]),
        {"date": TODAY.isoformat(), "reason": "随奶奶搬到镇上", **data},
    )


def test_a_transfer_moves_access_to_the_new_schools_teachers(personas):
    child = personas.child_a
    teacher_a, teacher_b = personas.client_for("teacher_a"), personas.client_for("teacher_b")
    assert teacher_a.get(child.get_absolute_url()).status_code == 200
    assert teacher_b.get(child.get_absolute_url()).status_code == 404

    response = _transfer(personas.client_for("official"), child, to_school=personas.school_b.pk)
    assert response.status_code == 302

    assert teacher_a.get(child.get_absolute_url()).status_code == 404
    page = teacher_b.get(child.get_absolute_url())
    assert page.status_code == 200
    transfer = SchoolTransfer.objects.get(child=child)
    assert (transfer.kind, transfer.from_school, transfer.to_school) == (
        "schools", personas.school_a, personas.school_b,
    )  # fmt: skip
    assert transfer.created_by == personas.official
    html = page.content.decode()
    assert 'id="transfers"' in html and "随奶奶搬到镇上" in html  # the status history section
    titles = [e.title for e in timeline.page(child).events]
    assert any("甲小学 → 乙小学" in t for t in titles)


def test_only_officials_transfer(personas):
    child = personas.child_a
    for role in ("teacher_a", "volunteer", "viewer"):
        response = _transfer(personas.client_for(role), child, to_school=personas.school_b.pk)
        assert response.status_code == 404, role
    assert personas.client_for("teacher_a").get(reverse("registry:transfer_in")).status_code == 403
    assert not SchoolTransfer.objects.exists()


def test_a_transfer_out_closes_the_file_through_closure(personas):
    child = personas.child_a
    assignment = AssignmentFactory(child=child)
    response = _transfer(personas.client_for("official"), child, elsewhere="重庆市城口县 城口小学")
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.status == ChildStatus.TRANSFERRED
    assignment.refresh_from_db()
    assert assignment.ended_on == TODAY
    transfer = SchoolTransfer.objects.get(child=child)
    assert transfer.kind == "out" and transfer.elsewhere == "重庆市城口县 城口小学"
    assert child.status_changes.get().ended  # what closing ended, on the status change


def test_a_transfer_out_needs_the_place(personas):
    response = _transfer(personas.client_for("official"), personas.child_a, elsewhere="")
    assert response.status_code == 200
    assert "elsewhere" in response.context["form"].errors
    personas.child_a.refresh_from_db()
    assert personas.child_a.status == ChildStatus.ACTIVE


def _handover_json(client, child) -> dict:
    url = reverse("registry:handover_summary", args=[child.pk]) + "?format=json"
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_handover_summary_has_the_least_needed_and_no_number_for_non_officials(personas):
    child = personas.child_a
    child.guardians.create(name="张奶奶", relation="grandmother", phone="13800001111")
    AssignmentFactory(child=child)
    _transfer(personas.client_for("official"), child, elsewhere="城口县")
    official = _handover_json(personas.client_for("official"), child)
    assert official["child"]["id_number"] == child.id_number
    assert official["child"]["name"] == child.name
    assert official["guardians"][0]["name"] == "张奶奶"
    assert official["school_history"][0]["from"] == "甲小学"
    assert official["open_concerns"] == 0
    assert any("1" in label for label in official["ended_on_closing"])
    teacher = personas.client_for("teacher_a")
    summary = _handover_json(teacher, child)
    assert "id_number" not in summary["child"]
    page = teacher.get(reverse("registry:handover_summary", args=[child.pk])).content.decode()
    assert child.id_number not in page and child.id_number[-4:] not in page


def test_a_transfer_in_starts_from_the_summary(personas):
    source = personas.child_a
    _transfer(personas.client_for("official"), source, elsewhere="城口县")
    text = json.dumps(_handover_json(personas.client_for("official"), source), ensure_ascii=False)
    # As if in the receiving county: the number is free again there.
    Child.objects.filter(pk=source.pk).update(id_number="110101201001010011")
    client = personas.client_for("official")
    url = reverse("registry:transfer_in")
    first = client.post(url, {"summary": text})
    assert first.status_code == 200
    form = first.context["form"]
    assert form.initial["name"] == source.name and form.initial["id_number"]
    assert "巫溪县" in form.initial["notes"]

    village = VillageFactory(town=personas.school_b.town)
    data = {k: v for k, v in form.initial.items() if not isinstance(v, bool) or v}
    data.update({"summary": text, "school": personas.school_b.pk, "village": village.pk,
                 "grade": str(source.grade)})  # fmt: skip
    for key in ("father_away", "mother_away", "boarding", "poor"):
        if data.get(key):
            data[key] = "on"
    second = client.post(url, data)
    assert second.status_code == 302, second.context["form"].errors
    child = Child.objects.exclude(pk=source.pk).get(name=source.name)
    transfer = SchoolTransfer.objects.get(child=child)
    assert transfer.kind == "in" and "巫溪县" in transfer.elsewhere
    assert "巫溪县" in child.notes


def test_a_summary_that_is_not_one_is_refused(personas):
    client = personas.client_for("official")
    response = client.post(reverse("registry:transfer_in"), {"summary": '{"x": 1}'})
    assert response.status_code == 200
    assert response.context["form"].errors
