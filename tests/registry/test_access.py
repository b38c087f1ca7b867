"""Who may and who may not, for every view of the register and every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import Child, ChildStatus, Guardian, HealthCheck, ParentAway, StatusChange
from tests.conftest import ROLES, search

pytestmark = pytest.mark.django_db


def _status(personas, role, url, method="get", data=None):
    client = personas.client_for(role)
    response = getattr(client, method)(url, data or {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        return "login"
    return response.status_code


# --- Pages about one child: in scope → 200, out of scope → 404 (never 403 with a hint) -------

CHILD_PAGES = [
    "registry:child_detail",
    "registry:child_edit",
    "registry:child_status",
    "registry:health_check_add",
    "registry:guardian_add",
]
# What each persona gets on school A's child's pages.
EXPECTED_CHILD_A = {
    "official": 200,
    "teacher_a": 200,
    "teacher_b": 404,
    "volunteer": 404,
    "viewer": 404,
    "partner": 404,
    "anonymous": "login",
}


@pytest.mark.parametrize("name", CHILD_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_child_pages_answer_only_within_scope(personas, name, role):
    url = reverse(name, args=[personas.child_a.pk])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


@pytest.mark.parametrize("role", ROLES)
def test_parent_page_answers_only_within_scope(personas, role):
    url = reverse("registry:parent_away_edit", args=[personas.child_a.pk, "father"])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


@pytest.mark.parametrize("role", ROLES)
def test_guardian_page_answers_only_within_scope(personas, role):
    guardian = Guardian.objects.create(
        child=personas.child_a, name="王奶奶", relation="grandmother"
    )
    url = reverse("registry:guardian_edit", args=[personas.child_a.pk, guardian.pk])
    assert _status(personas, role, url) == EXPECTED_CHILD_A[role]


def test_a_guardian_of_another_child_is_not_found_through_this_child(personas):
    other = Guardian.objects.create(child=personas.child_b, name="李爷爷", relation="grandfather")
    client = personas.client_for("official")
    url = reverse("registry:guardian_edit", args=[personas.child_a.pk, other.pk])
    assert client.get(url).status_code == 404


def test_unknown_child_is_404_for_everyone(personas):
    for role in ["official", "teacher_a", "viewer"]:
        assert personas.client_for(role).get("/children/999999/").status_code == 404


@pytest.mark.parametrize("role", ["teacher_b", "volunteer", "viewer"])
def test_out_of_scope_writes_are_refused_and_change_nothing(personas, role):
    child = personas.child_a
    client = personas.client_for(role)
    edit = client.post(reverse("registry:child_edit", args=[child.pk]), {"name": "改名"})
    status = client.post(
        reverse("registry:child_status", args=[child.pk]),
        {"status": "closed", "date": "2026-01-01", "reason": "x"},
    )
    health = client.post(
        reverse("registry:health_check_add", args=[child.pk]),
        {"date": "2026-01-01", "height_cm": "120", "weight_kg": "25"},
    )
    assert (edit.status_code, status.status_code, health.status_code) == (404, 404, 404)
    child.refresh_from_db()
    assert child.name == "张小明"
    assert child.status == ChildStatus.ACTIVE
    assert not HealthCheck.objects.filter(child=child).exists()


# --- The children list --------------------------------------------------------------------


EXPECTED_LIST = {
    "official": ({"张小明", "李小红"}, 200),
    "teacher_a": ({"张小明"}, 200),
    "teacher_b": ({"李小红"}, 200),
    "volunteer": (set(), 200),
}


@pytest.mark.parametrize("role", list(EXPECTED_LIST))
def test_list_shows_exactly_the_children_in_scope(personas, role):
    names, status = EXPECTED_LIST[role]
    response = personas.client_for(role).get(reverse("registry:child_list"))
    assert response.status_code == status
    shown = {child.name for child in response.context["page"]}
    assert shown == names


def test_viewer_cannot_open_the_list(personas):
    assert personas.client_for("viewer").get(reverse("registry:child_list")).status_code == 403


def test_anonymous_is_sent_to_login(personas):
    assert _status(personas, "anonymous", reverse("registry:child_list")) == "login"


def test_teacher_search_never_reaches_another_school(personas):
    client = personas.client_for("teacher_a")
    by_name = search(client, reverse("registry:child_list"), "李小红")
    by_id = search(client, reverse("registry:child_list"), personas.child_b.id_number)
    assert list(by_name.context["page"]) == []
    assert list(by_id.context["page"]) == []


@pytest.mark.parametrize("role", ["official", "teacher_a", "teacher_b", "volunteer", "viewer"])
def test_querysets_scope_every_record_type(personas, role):
    child = personas.child_a
    HealthCheck.objects.create(child=child, date="2026-01-05", height_cm=120, weight_kg=25)
    Guardian.objects.create(child=child, name="张奶奶", relation="grandmother")
    ParentAway.objects.create(child=child, relation="father", name="张强")
    StatusChange.objects.create(
        child=child, from_status="active", to_status="closed", date="2026-01-05", reason="x"
    )
    user = getattr(personas, role)
    visible = set(Child.objects.visible_to(user).values_list("name", flat=True))
    expected = {
        "official": {"张小明", "李小红"},
        "teacher_a": {"张小明"},
        "teacher_b": {"李小红"},
    }.get(role, set())
    assert visible == expected
    sees_a = "张小明" in expected
    for model in (HealthCheck, Guardian, ParentAway, StatusChange):
        assert model.objects.visible_to(user).count() == (1 if sees_a else 0), model.__name__


def test_inactive_official_sees_nothing(personas):
    personas.official.is_active = False
    personas.official.save()
    assert not Child.objects.visible_to(personas.official).exists()


# --- Identity numbers are masked for everyone but officials ---------------------------------


def test_official_sees_the_whole_identity_number(personas):
    html = personas.client_for("official").get(personas.child_a.get_absolute_url()).content
    assert personas.child_a.id_number in html.decode()


@pytest.mark.parametrize("url_name", ["registry:child_detail", "registry:child_list"])
def test_teacher_sees_the_identity_number_masked(personas, url_name):
    child = personas.child_a
    url = reverse(url_name, args=[child.pk] if url_name.endswith("detail") else [])
    html = personas.client_for("teacher_a").get(url).content.decode()
    assert child.id_number not in html
    assert "500238************" in html  # the area code only (registry.idnumber.mask)


# --- Officials' pages: schools, towns, reports, admin ---------------------------------------

OFFICIAL_PAGES = [
    "registry:school_list",
    "registry:school_create",
    "registry:town_list",
    "registry:town_create",
]


@pytest.mark.parametrize("name", OFFICIAL_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_register_management_is_for_officials(personas, name, role):
    expected = {"official": 200, "anonymous": "login"}.get(role, 403)
    assert _status(personas, role, reverse(name)) == expected


@pytest.mark.parametrize("role", ROLES)
def test_school_pages_are_for_officials(personas, role):
    # A page about one record answers 404 to a role that may not see it, like a child's file.
    expected = {"official": 200, "anonymous": "login"}.get(role, 404)
    school = personas.school_a
    for url in [
        reverse("registry:school_detail", args=[school.pk]),
        reverse("registry:school_edit", args=[school.pk]),
        reverse("registry:family_room_add", args=[school.pk]),
        reverse("registry:town_edit", args=[school.town.pk]),
        reverse("registry:village_add", args=[school.town.pk]),
    ]:
        assert _status(personas, role, url) == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_reports_are_for_officials_and_viewers(personas, role):
    expected = {"official": 200, "viewer": 200, "anonymous": "login"}.get(role, 403)
    assert _status(personas, role, reverse("reports")) == expected


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_officials_only(personas, role):
    client = personas.client_for(role)
    response = client.get("/admin/")
    if role == "official":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    # Not even a list page is reachable by another role.
    listing = client.get("/admin/registry/child/")
    assert (listing.status_code == 200) == (role == "official")
