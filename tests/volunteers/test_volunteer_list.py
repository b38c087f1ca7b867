"""The volunteers list's filters (volunteers/filters.py): each narrows the list, a value the
form does not offer is ignored, and the page's query count does not depend on them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import TownFactory
from tests.volunteers.factories import VolunteerFactory
from volunteers.models import CarerRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteers(personas):
    town = TownFactory(name="甲镇", county=personas.school_a.county)
    return {
        "mother": VolunteerFactory(name="王阿姨", may_be_foster_mother=True, town=town),
        "surrogate": VolunteerFactory(name="李叔叔", phone="13912345678"),
        "unvetted": VolunteerFactory(name="张老师", vetted_on=None, vetted_by=None),
    }


def listed(client, **params) -> list[str]:
    response = client.get(reverse("volunteers:list"), params)
    assert response.status_code == 200
    return sorted(v.name for v in response.context["page"])


def test_each_filter_narrows_the_list(personas, volunteers):
    client = personas.client_for("official")
    everyone = sorted(v.name for v in volunteers.values())
    assert listed(client) == everyone
    assert listed(client, role=CarerRole.FOSTER_MOTHER) == ["王阿姨"]
    assert listed(client, town=str(volunteers["mother"].town_id)) == ["王阿姨"]
    assert listed(client, town="999999999") == []
    assert listed(client, vetting="none") == ["张老师"]
    assert listed(client, q="李") == ["李叔叔"]
    assert listed(client, q=" 2345678 ") == ["李叔叔"]  # a phone number, spaces trimmed
    assert listed(client, role=CarerRole.FOSTER_MOTHER, q="李") == []


def test_values_not_offered_are_ignored(personas, volunteers):
    client = personas.client_for("official")
    everyone = sorted(v.name for v in volunteers.values())
    for params in [
        {"role": "king"},
        {"town": "甲镇"},
        {"town": "1 OR 1=1"},
        {"vetting": "soon"},
        {"q": "   "},
    ]:
        assert listed(client, **params) == everyone, params


def test_the_query_count_does_not_depend_on_the_filters(
    personas, volunteers, django_assert_max_num_queries
):
    client = personas.client_for("official")
    client.get(reverse("volunteers:list"))  # the session settles
    counts = []
    town = str(volunteers["mother"].town_id)
    for params in [{}, {"role": "foster_mother", "town": town, "vetting": "", "q": "王"}]:
        with django_assert_max_num_queries(50) as ctx:
            client.get(reverse("volunteers:list"), params)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
