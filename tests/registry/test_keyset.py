"""The children list pages by cursor (registry/keyset.py), counts up to a limit, and offers only
the towns a user can choose (issue 15, a city's speed)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lbc_office.core.models import Role
from registry import filters, keyset
from registry.models import Child, Town
from tests.conftest import login, search
from tests.factories import ChildFactory, CountyFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "registry:child_list"


def _walk(client, first_url, params=None):
    """Every page of the list by its "next" links; the children in the order shown."""
    response = client.get(first_url, params or {})
    shown = [c.pk for c in response.context["page"]]
    pages = [response.context["page"]]
    while response.context["page"].has_next:
        response = client.get(first_url, {**(params or {}), "after": pages[-1].next_cursor})
        pages.append(response.context["page"])
        shown += [c.pk for c in pages[-1]]
    return shown, pages


def test_next_then_previous_returns_to_the_same_page(personas, settings):
    settings.LBC_PAGE_SIZE = 3
    ChildFactory.create_batch(8, school=personas.school_a)
    client = personas.client_for("official")
    url = reverse(URL)
    shown, pages = _walk(client, url)
    expected = list(
        Child.objects.filter(status="active").order_by("name", "id").values_list("pk", flat=True)
    )
    assert shown == expected  # 10 children (8 + the personas' two) in (name, id) order
    assert len(pages) == 4 and not pages[0].has_previous and not pages[-1].has_next
    back = client.get(url, {"after": pages[2].previous_cursor}).context["page"]
    assert [c.pk for c in back] == [c.pk for c in pages[1]]
    # Back from page 2: fewer than a page before it is the first page, without "previous".
    first = client.get(url, {"after": pages[1].previous_cursor}).context["page"]
    assert [c.pk for c in first] == [c.pk for c in pages[0]] and not first.has_previous


def test_children_added_between_two_pages_neither_repeat_nor_skip_a_child(personas, settings):
    settings.LBC_PAGE_SIZE = 4
    for name in ["丁一", "丁二", "王一", "王二", "王三", "周一", "周二", "周三"]:
        ChildFactory(school=personas.school_a, name=name)
    existing = set(Child.objects.filter(status="active").values_list("pk", flat=True))
    client = personas.client_for("official")
    url = reverse(URL)
    first = client.get(url).context["page"]
    # New children sorting before, inside and after what page 1 showed, even with its last
    # child's very name (the id decides between them).
    last_name = first.rows[-1].name
    for name in ["丁", last_name, last_name, "王二二", "一", "龙"]:
        ChildFactory(school=personas.school_a, name=name)
    shown = [c.pk for c in first]
    cursor = first.next_cursor
    while cursor:
        page = client.get(url, {"after": cursor}).context["page"]
        shown += [c.pk for c in page]
        cursor = page.next_cursor
    assert len(shown) == len(set(shown)), "a child was shown twice"
    assert existing <= set(shown), "a child that existed was skipped"


def test_a_search_pages_in_its_own_order(personas, settings):
    settings.LBC_PAGE_SIZE = 2
    for name in ["小明", "小明华", "欧阳小明", "王小明", "李小明", "小明亮"]:
        ChildFactory(school=personas.school_a, name=name)
    client = personas.client_for("official")
    first = search(client, reverse(URL), "小明")
    location = first.request["QUERY_STRING"]
    page, names = first.context["page"], [c.name for c in first.context["page"]]
    while page.has_next:
        page = client.get(f"{reverse(URL)}?{location}&after={page.next_cursor}").context["page"]
        names += [c.name for c in page]
    assert names[0] == "小明" and set(names[1:3]) == {"小明亮", "小明华"}
    assert sorted(names) == sorted(
        ["小明", "小明华", "欧阳小明", "王小明", "李小明", "小明亮", "张小明"]
    )
    assert len(names) == 7


def test_one_character_finds_names_starting_with_it(personas):
    for name in ["王芳", "王", "汪王"]:
        ChildFactory(school=personas.school_a, name=name)
    client = personas.client_for("official")
    names = [c.name for c in search(client, reverse(URL), "王").context["page"]]
    assert names == ["王", "王芳"]  # a surname: the exact name first, 汪王 is not a 王


def test_two_characters_are_found_anywhere_in_a_name_and_case_counts(personas):
    ChildFactory(school=personas.school_a, name="阿依古丽")
    client = personas.client_for("official")
    assert [c.name for c in search(client, reverse(URL), "古丽").context["page"]] == ["阿依古丽"]
    assert [c.name for c in search(client, reverse(URL), "依古丽").context["page"]] == ["阿依古丽"]
    assert not list(search(client, reverse(URL), "丽阿").context["page"])


def test_the_count_stops_at_its_limit(personas, monkeypatch, settings):
    settings.LBC_PAGE_SIZE = 2
    monkeypatch.setattr(keyset, "COUNT_LIMIT", 4)
    ChildFactory.create_batch(5, school=personas.school_a)
    client = personas.client_for("official")
    response = client.get(reverse(URL))
    assert response.context["page"].more_than_limit
    assert (
        'id="result-count">超过 4 名儿童' in response.content.decode()
        or "More than 4" in response.content.decode()
    )
    assert client.get(reverse(URL), {"school": personas.school_b.pk}).context["page"].count == 1


@pytest.mark.parametrize("cursor", ["x", "bm90IGpzb24", "WyJuIiwxXQ", "WyJ6IiwiYSIsMV0"])
def test_a_cursor_not_ours_gives_the_first_page(personas, cursor):
    client = personas.client_for("official")
    response = client.get(reverse(URL), {"after": cursor})
    assert response.status_code == 200
    assert not response.context["page"].has_previous


def test_a_teacher_chooses_among_the_towns_of_their_children_only(personas):
    elsewhere = TownFactory(county=personas.school_a.county)
    client = personas.client_for("teacher_a")
    form = client.get(reverse(URL)).context["filter"].form
    towns = set(form.fields["town"].queryset)
    assert personas.child_a.village.town in towns and elsewhere not in towns
    assert "county" not in form.fields


def test_a_county_official_chooses_among_their_countys_towns(personas):
    theirs = TownFactory(county=CountyFactory(code="500229", name="城口县"))
    form = personas.client_for("official").get(reverse(URL)).context["filter"].form
    towns = set(form.fields["town"].queryset)
    assert personas.child_a.village.town in towns and theirs not in towns
    assert "county" not in form.fields


def test_a_city_official_picks_a_county_before_a_town(personas, monkeypatch):
    monkeypatch.setattr(filters, "TOWN_CHOICES_LIMIT", 1)
    TownFactory(county=personas.school_a.county)
    town = personas.child_a.village.town
    client = login(Client(), UserFactory(username="city", role=Role.OFFICIAL, county_code=""))
    form = client.get(reverse(URL)).context["filter"].form
    assert "county" in form.fields and not list(form.fields["town"].queryset)
    county = town.county
    response = search(client, reverse(URL), "", county=county.code)
    assert set(response.context["filter"].form.fields["town"].queryset) == set(
        Town.objects.filter(county=county)
    )
    assert {c.county_id for c in response.context["page"]} == {county.pk}
    # A report's link names a town without a county: it stays valid.
    linked = client.get(reverse(URL), {"town": town.pk}).context["filter"]
    assert not linked.errors and personas.child_a in list(linked.qs)
