"""/reports/: Table 1 from the register; viewers get aggregates only, small cells hidden."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ChildFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def _rows(response):
    return {line["row"]["level"]: line["cells"] for line in response.context["status_table"]}


def test_table_one_counts_active_children_by_level(personas):
    middle = SchoolFactory(level="middle", boarding=True)
    ChildFactory.create_batch(6, school=middle, grade=8, boarding=True, poor=True)
    ChildFactory(school=middle, grade=7, mother_away=False, guardian="mother")
    closed = ChildFactory(school=middle, grade=7, status="closed")
    assert closed.status == "closed"
    rows = _rows(personas.client_for("official").get(reverse("reports")))
    # children, both away, grandparents, relatives, boarding, poor
    assert rows["primary"] == [2, 2, 2, 0, 0, 0]  # the personas' two pupils
    assert rows["middle"] == [7, 6, 6, 0, 6, 6]
    assert rows["total"] == [9, 8, 8, 0, 6, 6]


def test_viewers_see_small_counts_as_under_five_and_no_names(personas):
    response = personas.client_for("viewer").get(reverse("reports"))
    rows = _rows(response)
    assert rows["primary"] == ["<5", "<5", "<5", 0, 0, 0]
    html = response.content.decode()
    for child in (personas.child_a, personas.child_b):
        assert child.name not in html
        assert child.id_number[-4:] not in html


def test_report_query_count_does_not_grow(personas, django_assert_max_num_queries):
    ChildFactory.create_batch(50, school=personas.school_a)
    client = personas.client_for("official")
    # session, user, second-factor device, one aggregate query, the session's save (3)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("reports")).status_code == 200
