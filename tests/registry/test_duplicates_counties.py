"""Issue 15: suspected duplicates per county. ``find_duplicates --county`` finds (and replaces)
only the pairs of two of that county's files; an official's list shows only the pairs whose two
files are both of their county; the new file's warning never names another county's child."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry import duplicate_views, duplicates
from registry.models import DuplicatePair
from tests.factories import (
    ChildFactory,
    CountyFactory,
    SchoolFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.registry.test_duplicates import BORN, _number, _retyped

pytestmark = pytest.mark.django_db


def _twins(county, area: str, name: str):
    """Two files of one child in ``county``: the same name, birth date and village, the number
    retyped with one wrong digit."""
    school = SchoolFactory(county=county, town=TownFactory(county=county))
    village = VillageFactory(town=school.town)
    first = ChildFactory(school=school, village=village, name=name, date_of_birth=BORN, sex="M",
                         id_number=_number(BORN, "111", area=area))  # fmt: skip
    second = ChildFactory(school=school, village=village, name=name, date_of_birth=BORN,
                          sex="M", id_number=_retyped(first.id_number, 15, "5"))  # fmt: skip
    return first, second


@pytest.fixture
def two():
    wuxi = CountyFactory(code="500238", name="巫溪县")
    chengkou = CountyFactory(code="500229", name="城口县")
    return {
        "wuxi": _twins(wuxi, "500238", "王小明"),
        "chengkou": _twins(chengkou, "500229", "李小红"),
        "wx_official": UserFactory(username="wx", county_code="500238"),
        "ck_official": UserFactory(username="ck", county_code="500229"),
        "chengkou_county": chengkou,
    }


def _pair(files) -> tuple[int, int]:
    return tuple(sorted(c.pk for c in files))


def test_find_duplicates_per_county_keeps_the_other_countys_pairs(two):
    call_command("find_duplicates", stdout=StringIO(), stderr=StringIO())
    assert DuplicatePair.objects.count() == 2
    assert set(duplicates.find_pairs(two["chengkou_county"])) == {_pair(two["chengkou"])}
    out = StringIO()
    DuplicatePair.objects.all().delete()
    call_command("find_duplicates", "--county", "500229", stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2 and "李小红" in lines[1] and "王小明" not in out.getvalue()
    stored = {(p.first_id, p.second_id) for p in DuplicatePair.objects.all()}
    assert stored == {_pair(two["chengkou"])}
    call_command("find_duplicates", stdout=StringIO(), stderr=StringIO())  # every county
    call_command("find_duplicates", "--county", "500229", stdout=StringIO(), stderr=StringIO())
    stored = {(p.first_id, p.second_id) for p in DuplicatePair.objects.all()}
    assert stored == {_pair(two["wuxi"]), _pair(two["chengkou"])}  # Wuxi's kept
    with pytest.raises(CommandError, match="no county has the code 999999"):
        call_command("find_duplicates", "--county", "999999", stdout=StringIO())


def test_an_officials_list_shows_their_countys_pairs_only(two):
    from django.test import Client

    from tests.conftest import login

    call_command("find_duplicates", stdout=StringIO(), stderr=StringIO())
    for official, ours, theirs in [
        (two["wx_official"], "王小明", "李小红"),
        (two["ck_official"], "李小红", "王小明"),
    ]:
        page = login(Client(), official).get(reverse("registry:duplicate_list"))
        html = page.content.decode()
        assert page.status_code == 200 and ours in html and theirs not in html, official


def test_the_new_files_warning_never_names_another_countys_child(two):
    theirs = two["chengkou"][0]
    data = {
        "id_number": _retyped(theirs.id_number, 16, "7" if theirs.id_number[16] != "7" else "3"),
        "name": theirs.name, "date_of_birth": BORN, "village": theirs.village,
        "school": theirs.school,
    }  # fmt: skip
    assert duplicate_views.shown_candidates(two["wx_official"], data) == []
    found = duplicate_views.shown_candidates(two["ck_official"], data)
    assert theirs in [c.child for c in found]
