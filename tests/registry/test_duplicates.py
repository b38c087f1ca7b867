"""Suspected duplicates: the rules, their recall on planted pairs (in SQL and in Python), no
false pair among clearly different children, the new file's warning by role, the import's
warning line."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from registry import duplicates, merging
from registry.idnumber import check_digit_for
from registry.importing import check_file
from registry.models import Child, DuplicatePair, DuplicateReason, NotDuplicate
from tests.factories import ChildFactory, SchoolFactory, VillageFactory

pytestmark = pytest.mark.django_db
R = DuplicateReason
TODAY = timezone.localdate()
BORN = datetime.date(TODAY.year - 9, 7, 3)


def _number(born: datetime.date, seq: str, area: str = "500238") -> str:
    body = f"{area}{born:%Y%m%d}{seq}"
    return body + check_digit_for(body)


def _retyped(number: str, position: int, digit: str | None = None, swap: bool = False) -> str:
    body = number[:17]
    if swap:
        body = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
    else:
        body = body[:position] + digit + body[position + 1 :]
    return body + check_digit_for(body)


def test_the_rules():
    number = _number(BORN, "123")
    assert duplicates.id_relation(number, _retyped(number, 15, "9")) == R.ID_ONE_CHARACTER
    assert duplicates.id_relation(number, _retyped(number, 14, swap=True)) == R.ID_SWAPPED
    far_swap = number[:14] + "321" + check_digit_for(number[:14] + "321")
    assert duplicates.id_relation(number, far_swap) is None  # not neighbours: not counted
    assert duplicates.id_relation(number, _number(BORN, "456")) is None
    assert duplicates.birth_typo(BORN, BORN.replace(day=4))
    assert duplicates.birth_typo(BORN, BORN.replace(month=3, day=7))  # day and month swapped
    assert not duplicates.birth_typo(BORN, BORN.replace(month=9, day=28))


@pytest.fixture
def planted():
    """Children with a planted twin of each kind, and children clearly different from all."""
    school = SchoolFactory()
    village = VillageFactory(town=school.town)
    other_village = VillageFactory(town=school.town)
    originals = {
        kind: ChildFactory(school=school, village=village, name=f"原{n}", date_of_birth=BORN,
                           id_number=_number(BORN, seq), sex="M")
        for n, (kind, seq) in enumerate(
            [("one", "111"), ("swap", "233"), ("town", "355"), ("typo", "477")], start=1
        )
    }  # fmt: skip
    twins = {
        "one": ChildFactory(school=school, village=village, name="原1", date_of_birth=BORN,
                            sex="M", id_number=_retyped(originals["one"].id_number, 15, "5")),
        "swap": ChildFactory(school=SchoolFactory(town=school.town), village=village, name="原二",
                             date_of_birth=BORN, sex="M",
                             id_number=_retyped(originals["swap"].id_number, 14, swap=True)),
        "town": ChildFactory(school=SchoolFactory(), village=other_village, name="原3",
                             date_of_birth=BORN, sex="M", id_number=_number(BORN, "951")),
        "typo": ChildFactory(school=SchoolFactory(), village=village, name="原4", sex="M",
                             date_of_birth=BORN.replace(day=8),
                             id_number=_number(BORN.replace(day=8), "971")),
    }  # fmt: skip
    # Clearly different: other names, villages and schools, numbers far apart — though born
    # the same day in the same county (numbers alike but for the sequence).
    different = [
        ChildFactory(name=f"别{n}", date_of_birth=BORN, sex="M", id_number=_number(BORN, seq))
        for n, seq in enumerate(["135", "257", "379", "593", "715"])
    ]
    return originals, twins, different


EXPECTED = {"one": R.ID_ONE_CHARACTER, "swap": R.ID_SWAPPED, "town": R.NAME_BIRTH_TOWN,
            "typo": R.NAME_BIRTH_TYPO_VILLAGE}  # fmt: skip


def _check_recall(pairs, originals, twins, different):
    for kind, reason in EXPECTED.items():
        pair = tuple(sorted((originals[kind].pk, twins[kind].pk)))
        assert reason in pairs.get(pair, []), kind
    different_keys = {c.pk for c in different}
    assert not [p for p in pairs if different_keys & set(p)]  # no false pair
    assert len(pairs) == 4


def test_recall_on_planted_pairs_in_sql(planted):
    _check_recall(duplicates.find_pairs(), *planted)


def test_recall_on_planted_pairs_in_python(planted):
    pairs = duplicates._python_pairs(duplicates.register_records(Child.objects.all()))
    _check_recall({p: sorted(r) for p, r in pairs.items()}, *planted)


def test_merged_and_answered_pairs_are_not_suspected(planted, personas):
    originals, twins, _ = planted
    merging.mark_not_duplicate(first=twins["one"], second=originals["one"], by=personas.official)
    merging.merge(survivor=originals["town"], duplicate=twins["town"], by=personas.official)
    pairs = duplicates.find_pairs()
    assert tuple(sorted((originals["one"].pk, twins["one"].pk))) not in pairs
    assert tuple(sorted((originals["town"].pk, twins["town"].pk))) not in pairs
    assert len(pairs) == 2


def test_the_command_prints_and_stores_the_pairs(planted):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("find_duplicates", stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "first,first_name,second,second_name,reasons"
    assert len(lines) == 5 and any("id_swapped" in line for line in lines)
    assert DuplicatePair.objects.count() == 4


# --- The new file's warning -------------------------------------------------------------------


def _one_wrong(number: str) -> str:
    """The number with its 16th digit wrong (never the same digit: that would be the same
    number, refused as taken rather than warned of)."""
    return _retyped(number, 15, "8" if number[15] == "7" else "7")


def _form(child, **overrides):
    data = {
        "name": child.name, "id_number": _one_wrong(child.id_number), "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat(), "school": child.school_id,
        "grade": str(child.grade), "village": child.village_id, "father_away": "on",
        "mother_away": "on", "guardian": "grandparents",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_an_official_is_warned_with_the_candidates_and_saves_after_confirming(personas):
    child = personas.child_b
    client = personas.client_for("official")
    response = client.post(reverse("registry:child_create"), _form(child))
    assert response.status_code == 200
    (candidate,) = response.context["candidates"]
    assert candidate.child == child
    page = response.content.decode()
    assert child.id_number in page and child.get_absolute_url() in page
    assert Child.objects.filter(name=child.name).count() == 1  # not saved yet
    response = client.post(reverse("registry:child_create"), _form(child, confirm_duplicate="on"))
    assert response.status_code == 302
    new = Child.objects.filter(name=child.name).exclude(pk=child.pk).get()
    assert DuplicatePair.objects.filter(first=child, second=new).exists()  # for the office


def test_a_teacher_sees_no_child_outside_their_scope(personas):
    outside = personas.child_b  # school B: not teacher A's
    data = _form(outside, school=personas.school_a.pk)
    response = personas.client_for("teacher_a").post(reverse("registry:child_create"), data)
    assert response.status_code == 302  # saved without a warning: nothing to tell
    new = Child.objects.filter(name=outside.name).exclude(pk=outside.pk).get()
    assert DuplicatePair.objects.filter(first=outside, second=new).exists()  # the office knows
    page = personas.client_for("teacher_a").get(reverse("registry:child_create")).content
    assert "检查" in page.decode() or "duplicate" in page.decode()  # the same note for all


def test_a_teacher_is_warned_of_a_child_in_scope_by_name_only(personas):
    mine = personas.child_a
    client = personas.client_for("teacher_a")
    response = client.post(reverse("registry:child_create"), _form(mine))
    (candidate,) = response.context["candidates"]
    assert candidate.child == mine and candidate.reasons == [R.NAME_BIRTH_TOWN]
    assert mine.id_number not in response.content.decode()  # masked
    assert candidate.shown_id_number == mine.id_number[:6] + "*" * 12
    # The same number typo under another name: never shown (an oracle on hidden digits).
    response = client.post(reverse("registry:child_create"), _form(mine, name="另一个"))
    assert response.status_code == 302


def test_no_warning_for_a_clearly_different_child(personas):
    child = personas.child_a
    born = datetime.date(TODAY.year - 7, 11, 20)
    data = _form(child, name="新同学", date_of_birth=born.isoformat(), grade="1",
                 id_number=_number(born, "643", area="500101"))  # fmt: skip
    response = personas.client_for("official").post(reverse("registry:child_create"), data)
    assert response.status_code == 302
    assert not DuplicatePair.objects.exists()


def test_not_a_duplicate_is_remembered(personas):
    a, b = personas.child_a, ChildFactory(school=personas.school_a, name="张小明",
                                          date_of_birth=personas.child_a.date_of_birth)  # fmt: skip
    merging.mark_not_duplicate(first=b, second=a, by=personas.official)
    merging.mark_not_duplicate(first=a, second=b, by=personas.official)  # safe to repeat
    assert NotDuplicate.objects.count() == 1
    assert duplicates.find_pairs() == {}


# --- The import's warning line ----------------------------------------------------------------


def test_an_import_row_that_may_be_a_duplicate_is_a_warning_line(personas):
    child = personas.child_a
    near = _retyped(child.id_number, 16, "9" if child.id_number[16] != "9" else "7")
    born = child.date_of_birth.isoformat()
    header = "姓名,身份证号,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护类型\n"
    town, tail = child.village.town.name, "是,是,祖辈\n"
    rows = (
        f"{child.name},{near},男,{born},A001,3,{town},{child.village.name},{tail}"
        f"李四,{_number(BORN, '555')},男,{BORN.isoformat()},A001,3,{town},新村,{tail}"
        f"李四,{_number(BORN, '557')},男,{BORN.isoformat()},A001,3,{town},新村,{tail}"
    )
    report = check_file("children", (header + rows).encode(), by=personas.official)
    assert report.ok, report.errors  # warnings never stop an import
    lines = [str(w) for w in report.warnings]
    assert lines[0].startswith("line 2: 身份证号: ")
    assert child.name in lines[0] and child.id_number in lines[0]  # an official's whole number
    assert lines[1].startswith("line 4: 身份证号: ") and "3" in lines[1]  # the row above
    assert len(lines) == 2
