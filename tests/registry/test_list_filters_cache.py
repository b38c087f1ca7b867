"""The children list's filter panel is kept for a minute per account, language and choice
(registry.views._filter_panel_key): a second page asks no question about towns or schools, and
no one is ever shown another account's choices or another page's selection."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ChildFactory, TownFactory, VillageFactory

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


def _choice_queries(client, url, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    asked = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(('SELECT "registry_town"', 'SELECT "registry_school"'))
    ]
    return response.content.decode(), len(asked)


@pytest.fixture
def two_towns(personas):
    """Teacher B's child lives in a town of its own. (No cache.clear(): the cache is shared with
    the other test processes; the keys name the account and when it was made.)"""
    far = VillageFactory(town=TownFactory(county=personas.school_a.county, name="远镇"))
    ChildFactory(school=personas.school_b, village=far, name="王远")
    return far.town


def test_the_second_page_asks_nothing_about_towns_or_schools(personas, two_towns):
    client = personas.client_for("teacher_a")
    url = reverse("registry:child_list")
    first, asked_first = _choice_queries(client, url)
    again, asked_again = _choice_queries(client, url)
    assert asked_first == 2 and asked_again == 0  # the towns and the schools, then none
    assert _options(first, "town") == _options(again, "town")
    assert _options(again, "school").keys() == {"", str(personas.school_a.pk)}


def test_another_account_gets_its_own_choices(personas, two_towns):
    url = reverse("registry:child_list")
    a, _ = _choice_queries(personas.client_for("teacher_a"), url)
    b, _ = _choice_queries(personas.client_for("teacher_b"), url)
    assert str(two_towns.pk) not in _options(a, "town")  # teacher A has no child there
    assert str(two_towns.pk) in _options(b, "town")
    assert str(personas.school_b.pk) in _options(b, "school")
    assert str(personas.school_b.pk) not in _options(a, "school")


def test_a_choice_is_drawn_as_chosen_after_the_panel_was_kept(personas, two_towns):
    client = personas.client_for("teacher_b")
    url = reverse("registry:child_list")
    plain, _ = _choice_queries(client, url)
    assert _selected(plain, "town") == ""
    chosen, _ = _choice_queries(client, url, town=two_towns.pk)
    assert _selected(chosen, "town") == str(two_towns.pk)
    grade, _ = _choice_queries(client, url, grade="3")
    assert _selected(grade, "town") == "" and _selected(grade, "grade") == "3"


def test_the_panel_follows_the_language(personas, two_towns):
    client = personas.client_for("teacher_a")
    url = reverse("registry:child_list")
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english, _ = _choice_queries(client, url)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    chinese, _ = _choice_queries(client, url)
    assert "All towns" in english and "All towns" not in chinese
