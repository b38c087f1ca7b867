"""Counties as tenants (issue 15): the security battery against a county official of another
county, and the municipal official who reads the city.

Every record of the battery's ``outside`` fixture belongs to the test county (500238). An
official of a neighbouring county (500229) must get 404 on every keyed URL that names one of
them, exactly as an out-of-scope record answers, and see none of them on any list page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from lbc_office.core.models import Role
from tests.conftest import login, search
from tests.factories import (
    AgencyFactory,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    TownFactory,
    UserFactory,
    partner_of,
)
from tests.test_security import OUT_OF_SCOPE, _answer, _patterns
from tests.test_security import outside as outside  # noqa: F401 — the battery's records
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

# What every county's officials share: the six check-in roles every county's volunteers tick,
# and an SMS reply from a phone no volunteer has (its county is unknown; the sender masked).
SHARED = {"volunteers:checkin_role_edit", "volunteers:sms_handled"}


NEIGHBOUR = {"county_code": "500229"}


def _neighbour(role: str):
    """An account of the neighbouring county in ``role``, with what that role works from
    there: a school, a volunteer record, an organisation."""
    county = CountyFactory(code="500229", name="城口县")
    if role == "teacher":
        town = TownFactory(county=county, name="城口镇")
        return TeacherFactory(
            user__username="chengkou", user__county_code="500229",
            schools=[SchoolFactory(town=town, name="城口小学")],
        ).user  # fmt: skip
    if role == "volunteer":
        user = UserFactory(username="chengkou", role=Role.VOLUNTEER, **NEIGHBOUR)
        VolunteerFactory(user=user, county=county, town=TownFactory(county=county))
        return user
    if role == "partner":
        agency = AgencyFactory(county=county, name="城口县妇联")
        return partner_of(agency, username="chengkou", **NEIGHBOUR)
    return UserFactory(username="chengkou", role=role, **NEIGHBOUR)


@pytest.fixture
def neighbour(client):
    return login(client, _neighbour(Role.OFFICIAL))


@pytest.fixture
def city(client):
    return login(client, UserFactory(username="city", role=Role.OFFICIAL, county_code=""))


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_another_countys_records_answer_404_to_every_role(personas, outside, client, role):
    login(client, _neighbour(role))
    wrong = {}
    for name, keys in OUT_OF_SCOPE.items():
        if name in SHARED and role == Role.OFFICIAL:
            continue
        url = reverse(name, kwargs=keys(outside))
        response = _answer(client, url)
        if response.status_code != 404:
            wrong[url] = response.status_code
    assert not wrong, "\n".join(f"{url} {code}" for url, code in sorted(wrong.items()))


def _list_pages():
    """Every page without a key in its URL (lists, forms, reports) that answers a GET."""
    for name, route, pattern in _patterns():
        if pattern.pattern.converters or route.startswith(("admin/", "api/")) or not name:
            continue
        try:
            yield reverse(name)
        except Exception:  # noqa: BLE001 — a pattern that needs arguments we cannot give
            continue


def test_no_list_page_shows_another_countys_records(personas, outside, neighbour):
    # Names that belong to the test county only: its children, schools and organisations.
    marks = {
        personas.child_a.name, personas.child_b.name, personas.school_a.name,
        personas.school_b.name, outside["volunteer"].name, outside["organisation"].name,
        outside["agency"].name, outside["programme"].name,
    }  # fmt: skip
    seen = {}
    pages = list(_list_pages())
    assert len(pages) > 30  # the walk found the site's pages
    for url in pages:
        response = neighbour.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        found = sorted(m for m in marks if m in body)
        if found:
            seen[url] = found
    assert not seen, "\n".join(f"{url} {found}" for url, found in sorted(seen.items()))


def test_the_api_lists_no_record_of_another_county(personas, outside, neighbour):
    for url in ("/api/v1/children/", "/api/v1/schools/", "/api/v1/carers/", "/api/v1/towns/"):
        response = neighbour.get(url)
        assert response.status_code == 200, url
        assert response.json()["results"] == [], url


def test_a_municipal_official_reads_every_county_and_changes_nothing(personas, outside, city):
    child = outside["child"]
    assert city.get(reverse("registry:child_detail", args=[child.pk])).status_code == 200
    assert city.get(reverse("registry:school_detail", args=[child.school_id])).status_code == 200
    # A write anywhere but their own sign-in and the accounts is refused, whatever the view.
    response = city.post(reverse("registry:child_edit", args=[child.pk]), {"name": "改"})
    assert response.status_code == 403
    child.refresh_from_db()
    assert child.name != "改"
    response = city.post("/api/v1/children/", {}, content_type="application/json")
    assert response.status_code == 403
    # A search is not a write: it finds children of any county.
    found = search(city, reverse("registry:child_list"), child.name)
    assert found.status_code == 200 and child.name in found.content.decode()
    # The pages do not offer what would be refused (the stylesheet hides it for the city).
    page = city.get(reverse("registry:child_detail", args=[child.pk])).content.decode()
    assert 'class="reads-only"' in page


def test_a_county_official_still_reads_and_writes_their_county(personas, outside):
    client = personas.client_for("official")
    child = outside["child"]
    assert client.get(reverse("registry:child_detail", args=[child.pk])).status_code == 200
    assert (
        client.get(reverse("volunteers:detail", args=[outside["volunteer"].pk])).status_code == 200
    )


def test_a_volunteer_of_another_county_is_not_assigned(personas):
    from django.core.exceptions import ValidationError

    from volunteers.services import care

    neighbour = VolunteerFactory(county=CountyFactory(code="500229", name="城口县"))
    with pytest.raises(ValidationError) as refused:
        care.assign_volunteer(
            child=personas.child_a, volunteer=neighbour, role="surrogate_parent",
            by=personas.official,
        )  # fmt: skip
    assert "volunteer" in refused.value.message_dict
    assert not personas.child_a.assignments.exists()


def test_a_countys_notices_go_to_its_own_officials(personas):
    from volunteers.services.notify import officials

    CountyFactory(code="500229", name="城口县")
    theirs = UserFactory(username="chengkou", role=Role.OFFICIAL, county_code="500229")
    city = UserFactory(username="city", role=Role.OFFICIAL, county_code="")
    ours = {r.user.pk for r in officials("500238")}
    assert personas.official.pk in ours and theirs.pk not in ours and city.pk not in ours
    # A county with no official left: the city's officials hear of it.
    theirs.is_active = False
    theirs.save()
    assert {r.user.pk for r in officials("500229")} == {city.pk}


def test_a_volunteers_sms_reply_is_their_countys_only(personas, neighbour):
    from volunteers.models import InboundSms

    ours = InboundSms.objects.create(
        message_id="ours", sender="13800000001", text="1 2", status="attention",
        volunteer=VolunteerFactory(),
    )  # fmt: skip
    unknown = InboundSms.objects.create(
        message_id="unknown", sender="13800000002", text="?", status="attention"
    )
    page = neighbour.get(reverse("volunteers:sms_list")).content.decode()
    assert ours.sender_masked not in page and unknown.sender_masked in page
    url = reverse("volunteers:sms_handled", args=[ours.pk])
    assert neighbour.post(url).status_code == 404


@pytest.mark.parametrize("n", [10, 200])
def test_a_municipal_officials_list_costs_the_same_whatever_the_size(
    personas, city, django_assert_num_queries, n
):
    """The city's list: the county official's (tests/registry/test_queries.py) and the question
    whether the city's towns are so many that the town filter waits for a county."""
    from tests.registry.test_queries import LIST_QUERIES, _fill_school

    _fill_school(personas.school_a, n)
    posted = city.post(reverse("registry:child_list"), {"q": "王", "grade": "3"})
    with django_assert_num_queries(LIST_QUERIES["official"] + 1):
        response = city.get(posted["Location"])
    assert response.status_code == 200
