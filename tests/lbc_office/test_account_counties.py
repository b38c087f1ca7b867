"""Issue 15: accounts per county. A county official's account screens hold their county's
accounts only (another county's answers 404 on every page); a municipal official's hold every
account, with a county column and filter, and place a new account in a county or the city, or
move one (``accounts.change_county``, audited, municipal only). A teacher is linked only to
schools of their county."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lbc_office.core import accounts
from lbc_office.core.models import AuditEvent, Role, User
from registry import services
from tests.conftest import login, search
from tests.factories import CountyFactory, SchoolFactory, TeacherFactory, TownFactory, UserFactory

pytestmark = pytest.mark.django_db
WUXI, CHENGKOU = "500238", "500229"


@pytest.fixture
def counties(personas):
    """The personas (Wuxi), Chengkou with a school, its official and teacher, and the city."""
    chengkou = CountyFactory(code=CHENGKOU, name="城口县")
    school = SchoolFactory(county=chengkou, town=TownFactory(county=chengkou), name="城口小学")
    return {
        "wuxi": personas.school_a.county,
        "chengkou": chengkou,
        "school": school,
        "ck_official": UserFactory(username="ck_official", county_code=CHENGKOU),
        "ck_teacher": TeacherFactory(
            user__username="ck_teacher", user__county_code=CHENGKOU, schools=[school]
        ).user,
        "city": UserFactory(username="city_official", county_code=""),
    }


def _client(user) -> Client:
    client = login(Client(), user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _pages(pk) -> dict[str, str]:
    names = ["detail", "role", "active", "county", "schools", "agency", "password",
             "second_factor"]  # fmt: skip
    return {name: reverse(f"accounts:{name}", args=[pk]) for name in names}


def test_a_county_officials_list_is_their_countys(personas, counties):
    html = _client(personas.official).get(reverse("accounts:list")).content.decode()
    assert "teacher_a" in html and "ck_teacher" not in html and "ck_official" not in html
    assert "city_official" not in html
    assert 'name="county"' not in html  # no county filter for a county official
    html = _client(counties["ck_official"]).get(reverse("accounts:list")).content.decode()
    assert "ck_teacher" in html and "teacher_a" not in html


def test_another_countys_account_is_404_on_every_page(personas, counties):
    client = _client(personas.official)
    for target in (counties["ck_teacher"], counties["ck_official"], counties["city"]):
        for name, url in _pages(target.pk).items():
            if name == "detail":
                assert client.get(url).status_code == 404, url
            response = client.post(url, {"role": Role.VIEWER, "active": "0", "county_code": ""})
            assert response.status_code == 404, url
    teacher = User.objects.get(pk=counties["ck_teacher"].pk)
    assert teacher.is_active and teacher.role == Role.TEACHER and teacher.county_code == CHENGKOU
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_municipal_officials_list_has_every_county_a_column_and_a_filter(personas, counties):
    client = _client(counties["city"])
    html = client.get(reverse("accounts:list")).content.decode()
    for username in ("teacher_a", "ck_teacher", "ck_official", "city_official"):
        assert username in html
    assert 'name="county"' in html and "城口县 (500229)" in html
    assert html.count('class="badge text-bg-light county"') == User.objects.count()
    html = search(client, reverse("accounts:list"), county=CHENGKOU).content.decode()
    assert "ck_teacher" in html and "teacher_a" not in html
    html = search(client, reverse("accounts:list"), county="city").content.decode()
    assert "city_official" in html and "ck_teacher" not in html and "teacher_a" not in html


def test_the_create_form_offers_the_county_to_a_municipal_official_only(personas, counties):
    form = _client(personas.official).get(reverse("accounts:create")).content.decode()
    assert 'name="county_code"' not in form
    assert counties["school"].name not in form  # another county's school is not offered
    form = _client(counties["city"]).get(reverse("accounts:create")).content.decode()
    assert 'name="county_code"' in form and "城口县 (500229)" in form


def test_a_county_official_creates_in_their_own_county(personas, counties):
    client = _client(personas.official)
    response = client.post(reverse("accounts:create"), {"username": "newviewer", "role": "viewer",
                                                        "county_code": CHENGKOU})  # fmt: skip
    assert response.status_code == 200
    assert User.objects.get(username="newviewer").county_code == WUXI  # the field is not theirs


def test_a_municipal_official_places_the_account(personas, counties):
    client = _client(counties["city"])
    url = reverse("accounts:create")
    client.post(url, {"username": "ck_viewer", "role": "viewer", "county_code": CHENGKOU})
    client.post(url, {"username": "city_viewer", "role": "viewer", "county_code": ""})
    assert User.objects.get(username="ck_viewer").county_code == CHENGKOU
    assert User.objects.get(username="city_viewer").county_code == ""
    # A teacher belongs to a county, and to the schools of that county.
    page = client.post(url, {"username": "t_city", "role": "teacher", "county_code": "",
                             "schools": [counties["school"].pk]})  # fmt: skip
    assert "A teacher or a volunteer belongs to a county." in page.content.decode()
    page = client.post(url, {"username": "t_wrong", "role": "teacher", "county_code": WUXI,
                             "schools": [counties["school"].pk]})  # fmt: skip
    assert "Choose schools of the account&#x27;s county." in page.content.decode()
    assert not User.objects.filter(username__in=["t_city", "t_wrong"]).exists()
    client.post(url, {"username": "t_ck", "role": "teacher", "county_code": CHENGKOU,
                      "schools": [counties["school"].pk]})  # fmt: skip
    teacher = User.objects.get(username="t_ck")
    assert teacher.county_code == CHENGKOU
    assert list(teacher.teacher.schools.all()) == [counties["school"]]


def test_a_teacher_is_linked_only_to_schools_of_their_county(personas, counties):
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        services.set_teacher_schools(
            user=personas.teacher_a, schools=[personas.school_a, counties["school"]],
            by=counties["city"],
        )  # fmt: skip
    assert refusal.value.message_dict == {
        "schools": ["These schools are not in the teacher's county: 城口小学"]
    }
    with pytest.raises(PermissionDenied):  # another county's teacher, by a county official
        services.set_teacher_schools(user=counties["ck_teacher"], schools=[], by=personas.official)
    assert list(personas.teacher_a.teacher.schools.all()) == [personas.school_a]


def test_change_county_is_municipal_audited_and_refused_while_linked(personas, counties):
    viewer = personas.viewer
    with pytest.raises(PermissionDenied):
        accounts.change_county(user=viewer, county_code=CHENGKOU, by=personas.official)
    moved = accounts.change_county(user=viewer, county_code=CHENGKOU, by=counties["city"])
    assert moved.county_code == CHENGKOU
    event = AuditEvent.objects.get(action="change", object_id=str(viewer.pk))
    assert event.detail == "county 500238 -> 500229"
    accounts.change_county(user=viewer, county_code=CHENGKOU, by=counties["city"])  # again
    assert AuditEvent.objects.filter(action="change", object_id=str(viewer.pk)).count() == 1
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Unlink this teacher"):
            accounts.change_county(user=personas.teacher_a, county_code=CHENGKOU,
                                   by=counties["city"])  # fmt: skip
        with pytest.raises(ValidationError, match="belongs to a county"):
            accounts.change_county(user=personas.volunteer, county_code="", by=counties["city"])
    assert User.objects.get(pk=personas.teacher_a.pk).county_code == WUXI
    # Through the page: the old county loses the account, the new county gains it.
    client = _client(counties["city"])
    response = client.post(reverse("accounts:county", args=[viewer.pk]), {"county_code": WUXI})
    assert response.status_code == 302
    assert User.objects.get(pk=viewer.pk).county_code == WUXI
    ck = _client(counties["ck_official"])
    assert ck.get(reverse("accounts:detail", args=[viewer.pk])).status_code == 404
    detail = client.get(reverse("accounts:detail", args=[viewer.pk])).content.decode()
    assert 'name="county_code"' in detail  # the municipal official's move form
    own = _client(personas.official).get(reverse("accounts:detail", args=[viewer.pk]))
    assert own.status_code == 200 and 'name="county_code"' not in own.content.decode()


def test_the_admin_shows_the_county_and_keeps_it(personas, counties):
    client = _client(personas.official)
    page = client.get(reverse("admin:lbc_office_user_change", args=[personas.viewer.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "500238" in html and 'name="county_code"' not in html  # shown, read-only
