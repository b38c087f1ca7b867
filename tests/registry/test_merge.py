"""Merging two files: every record tied to the duplicate moves (whatever app it belongs to),
both histories stay, unique rules keep the survivor's record, undo within 30 days restores
exactly, later it is refused; the officials' pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casework.models import Concern
from registry import merging
from registry.models import (
    Child,
    ChildMerge,
    ChildStatus,
    ConsentRecord,
    DuplicatePair,
    ParentAway,
)
from tests.factories import ChildFactory
from tests.programmes.factories import EnrolmentFactory
from tests.test_security import outside  # noqa: F401 — the fixture: a record of every kind

pytestmark = pytest.mark.django_db


def _tied(child) -> dict[tuple[str, int], int]:
    """(model label, key) → the child key, of every record tied to ``child`` that a merge
    moves, found as the merge finds them."""
    found = {}
    for model, field in merging._relations():
        for pk in model._base_manager.filter(**{field.name: child.pk}).values_list("pk", flat=True):
            found[(model._meta.label_lower, pk)] = child.pk
    return found


@pytest.fixture
def pair(personas, outside):  # noqa: F811
    """School B's child with one record of every kind (``outside``, plus a parent away, a
    consent, a protection concern) and a survivor: the same child typed again."""
    duplicate = personas.child_b
    duplicate.wishes = "想妈妈"
    duplicate.save()
    ParentAway.objects.create(child=duplicate, relation="father", name="李父")
    ParentAway.objects.create(child=duplicate, relation="mother", name="李母")
    ConsentRecord.objects.create(
        child=duplicate, county=duplicate.county, date=datetime.date.today(),
        guardian_name="李奶奶", guardian_relation="grandmother", keep_file=True,
    )  # fmt: skip
    Concern.objects.create(
        child=duplicate, county=duplicate.county, kind="neglect", source="school",
        description="x", raised_by=personas.official, due_at=timezone.now(),
    )  # fmt: skip
    survivor = ChildFactory(school=duplicate.school, village=duplicate.village,
                            name=duplicate.name, date_of_birth=duplicate.date_of_birth)  # fmt: skip
    # The survivor already has a father and the programme's enrolment: those of the
    # duplicate collide with a unique rule and stay where they are.
    ParentAway.objects.create(child=survivor, relation="father", name="李父亲")
    EnrolmentFactory(programme=outside["programme"], child=survivor)
    return survivor, duplicate


def test_merge_moves_every_record_and_keeps_both_histories(personas, pair, outside):  # noqa: F811
    survivor, duplicate = pair
    before = _tied(duplicate)
    labels = {label for label, _pk in before}
    apps = {label.split(".")[0] for label in labels}
    assert {"registry", "programmes", "volunteers", "casework"} <= apps, apps
    history_before = Child.history.filter(id=duplicate.pk).count()
    record = merging.merge(survivor=survivor, duplicate=duplicate, by=personas.official)
    kept = {(label, pk) for label, pk, _text in record.kept}
    father = ParentAway.objects.get(child=duplicate, relation="father")
    assert kept == {("registry.parentaway", father.pk),
                    ("programmes.enrolment", outside["enrolment"].pk)}  # fmt: skip
    after = _tied(survivor)
    for key in before:
        assert after.get(key) == survivor.pk or key in kept, key
    assert set(_tied(duplicate)) == kept
    moved = {(label, pk) for label, _field, pk, _county in record.moved}
    assert moved == set(before) - kept
    # Both histories: the duplicate's versions stay (plus its closing), and so do the records'.
    assert Child.history.filter(id=duplicate.pk).count() == history_before + 1
    assert ParentAway.history.filter(child_id=duplicate.pk).count() >= 2
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.status == ChildStatus.CLOSED
    assert survivor.wishes == "想妈妈"  # a blank filled from the duplicate
    assert duplicate.status_changes.order_by("-id").first().to_status == ChildStatus.CLOSED


def test_undo_within_30_days_restores_exactly(personas, pair):
    survivor, duplicate = pair
    before_dup, before_surv = _tied(duplicate), _tied(survivor)
    counties = _counties(before_dup)
    record = merging.merge(survivor=survivor, duplicate=duplicate, by=personas.official)
    merging.undo(record=record, by=personas.official)
    assert _tied(duplicate) == before_dup and _tied(survivor) == before_surv
    assert _counties(before_dup) == counties
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.status == ChildStatus.ACTIVE
    assert survivor.wishes == ""
    with pytest.raises(ValidationError):
        merging.undo(record=record, by=personas.official)  # once


def _counties(tied):
    from django.apps import apps

    counties = {}
    for label, pk in tied:
        model = apps.get_model(label)
        if any(f.name == "county" for f in model._meta.concrete_fields):
            counties[(label, pk)] = model._base_manager.values_list("county_id", flat=True).get(
                pk=pk
            )
    return counties


def test_undo_after_30_days_is_refused(personas, pair):
    survivor, duplicate = pair
    record = merging.merge(survivor=survivor, duplicate=duplicate, by=personas.official)
    ChildMerge.objects.filter(pk=record.pk).update(
        merged_at=timezone.now() - datetime.timedelta(days=31)
    )
    record.refresh_from_db()
    with pytest.raises(ValidationError, match="30"):
        merging.undo(record=record, by=personas.official)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


def test_only_officials_merge_and_a_merged_file_is_listed_no_more(personas, pair):
    survivor, duplicate = pair
    with pytest.raises(ValidationError):
        merging.merge(survivor=survivor, duplicate=duplicate, by=personas.teacher_b)
    merging.merge(survivor=survivor, duplicate=duplicate, by=personas.official)
    with pytest.raises(ValidationError):
        merging.merge(survivor=duplicate, duplicate=survivor, by=personas.official)
    listed = personas.client_for("official").get(reverse("registry:child_list"), {"status": "all"})
    assert duplicate not in list(listed.context["page"])


def test_the_pages_compare_merge_and_undo(personas, pair):
    survivor, duplicate = pair
    client = personas.client_for("official")
    url = reverse("registry:duplicate_compare", args=[survivor.pk, duplicate.pk])
    page = client.get(url)
    assert page.status_code == 200 and duplicate.id_number in page.content.decode()
    response = client.post(url, {"action": "keep_first"})
    record = ChildMerge.objects.get(duplicate=duplicate)
    assert response["Location"] == reverse("registry:child_merge", args=[record.pk])
    assert record.survivor == survivor
    assert client.get(response["Location"]).status_code == 200
    client.post(response["Location"])
    record.refresh_from_db()
    assert record.undone_at is not None
    first, second = sorted((survivor.pk, duplicate.pk))
    DuplicatePair.objects.create(first_id=first, second_id=second, reasons="name_birth_town")
    client.post(url, {"action": "not_duplicate"})
    assert not DuplicatePair.objects.filter(first_id=first, second_id=second).exists()


def test_the_duplicates_page_costs_the_same_for_more_pairs(personas, django_assert_num_queries):
    client = personas.client_for("official")
    client.get(reverse("registry:duplicate_list"))  # the session warmed up

    def add_pair():
        a = ChildFactory(school=personas.school_a)
        b = ChildFactory(school=personas.school_b, name=a.name, date_of_birth=a.date_of_birth,
                         village=a.village)  # fmt: skip
        DuplicatePair.objects.create(first=a, second=b, reasons="name_birth_town")

    add_pair()
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("registry:duplicate_list"))
    assert len(response.context["page"]) == 1
    for _ in range(3):
        add_pair()
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("registry:duplicate_list"))
    assert len(response.context["page"]) == 4


QUERIES = 6  # the session: from the cache, saved at most once a minute; the VIEW event: one
