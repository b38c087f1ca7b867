"""The API's resources: the screens' scope per role, masked numbers, one-time keys, the forms'
messages in both languages, the report rule, the schema and the rate limit."""

import datetime

import pytest
from django.utils import timezone
from openapi_spec_validator import validate

from lbc_office.core.models import AuditEvent
from programmes.models import HomeVisit
from registry.idnumber import mask
from tests.api.conftest import api_client
from tests.factories import FamilyRoomFactory
from tests.programmes.factories import FamilyCallFactory, HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
VISIT = {"date": TODAY.isoformat(), "met": "grandparents", "education": "按时写作业"}


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world(personas):
    for child in (personas.child_a, personas.child_b):
        HomeVisitFactory(child=child)
        FamilyCallFactory(child=child, room=FamilyRoomFactory(school=child.school))
    AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory(user=personas.volunteer))
    return personas


@pytest.mark.parametrize(
    "role, sees",
    [("official", {"a", "b"}), ("teacher_a", {"a"}), ("teacher_b", {"b"}), ("volunteer", {"a"})],
)
def test_each_role_reads_exactly_its_scope(world, role, sees):
    p = world
    client = api_client(getattr(p, role))
    child = {"a": p.child_a, "b": p.child_b}
    assert _ids(client.get("/api/v1/children/")) == {child[k].pk for k in sees}
    for key, record in child.items():
        status = client.get(f"/api/v1/children/{record.pk}/").status_code
        assert status == (200 if key in sees else 404)
        for part in ("home-visits", "family-calls", "assignments"):
            status = client.get(f"/api/v1/children/{record.pk}/{part}/").status_code
            if key not in sees:
                assert status == 404, (part, status)
            elif role == "volunteer" and part != "assignments":
                assert status == 403  # as on the screens: contact records are for staff
            else:
                assert status == 200


def test_a_report_viewer_reaches_only_the_rounded_reports(world):
    client = api_client(world.viewer)
    assert client.get("/api/v1/children/").status_code == 403
    assert client.get(f"/api/v1/children/{world.child_a.pk}/").status_code == 404
    body = client.get("/api/v1/reports/status/").json()
    assert body["suppressed"] is True
    total = [r for r in body["rows"] if r["level"] == "total"][0]
    assert total["children"] == "<5"
    official = api_client(world.official).get("/api/v1/reports/status/").json()
    assert [r for r in official["rows"] if r["level"] == "total"][0]["children"] == 2
    assert len(client.get("/api/v1/reports/").json()) >= 5


def test_identity_numbers_are_masked_for_everyone_but_officials(world):
    number = world.child_a.id_number
    teacher = api_client(world.teacher_a).get(f"/api/v1/children/{world.child_a.pk}/").json()
    assert teacher["id_number"] == mask(number) != number
    official = api_client(world.official).get(f"/api/v1/children/{world.child_a.pk}/").json()
    assert official["id_number"] == number


def test_a_non_official_searches_only_by_a_whole_number(world):
    client = api_client(world.teacher_a)
    number = world.child_a.id_number
    assert _ids(client.get("/api/v1/children/", {"q": number[-4:]})) == set()
    assert _ids(client.get("/api/v1/children/", {"q": number})) == {world.child_a.pk}
    official = api_client(world.official)
    assert _ids(official.get("/api/v1/children/", {"q": number[-4:]})) == {world.child_a.pk}


def test_reads_are_audited_like_the_screens(world):
    client = api_client(world.teacher_a)
    client.get("/api/v1/children/")
    client.get(f"/api/v1/children/{world.child_a.pk}/")
    events = list(AuditEvent.objects.filter(action="view").order_by("id"))
    assert [e.detail.split(" ")[0] for e in events] == ["api:child_list", "api:child_detail"]
    assert events[1].child_id == world.child_a.pk and events[0].user == world.teacher_a


def test_a_teacher_posts_a_home_visit_once_per_key(world):
    client = api_client(world.teacher_a)
    url = f"/api/v1/children/{world.child_a.pk}/home-visits/"
    first = client.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert HomeVisit.objects.filter(child=world.child_a).count() == 2  # the world's + one
    visit = HomeVisit.objects.get(pk=first.json()["id"])
    assert visit.visitor == world.teacher_a
    assert AuditEvent.objects.filter(action="create", object_type="programmes.homevisit").count()
    # another key is another visit; another child's file is out of scope
    assert client.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    other = f"/api/v1/children/{world.child_b.pk}/home-visits/"
    assert client.post(other, VISIT, format="json").status_code == 404


@pytest.mark.parametrize(
    "language, message",
    [("en", "A home visit cannot be dated in the future."), ("zh-hans", None)],
)
def test_validation_errors_name_the_field_in_the_requests_language(world, language, message):
    client = api_client(world.teacher_a, language=language)
    url = f"/api/v1/children/{world.child_a.pk}/home-visits/"
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {**VISIT, "date": tomorrow}, format="json")
    assert response.status_code == 400
    errors = response.json()["date"]
    if message:
        assert errors == [message]
    else:
        # the catalogue already has this model message in Chinese
        assert errors and errors[0] != "A home visit cannot be dated in the future."
    missing = client.post(url, {"date": TODAY.isoformat()}, format="json").json()
    assert "met" in missing
    assert HomeVisit.objects.filter(child=world.child_a).count() == 1


def test_a_family_call_in_a_room_of_another_school_is_refused(world):
    client = api_client(world.teacher_a)
    room = FamilyRoomFactory(school=world.school_b)
    url = f"/api/v1/children/{world.child_a.pk}/family-calls/"
    data = {"room": room.pk, "at": timezone.now().isoformat(), "with_whom": "mother", "minutes": 5}
    assert "room" in client.post(url, data, format="json").json()
    mine = world.child_a.school.family_rooms.first()
    assert client.post(url, {**data, "room": mine.pk}, format="json").status_code == 201


def test_a_volunteer_submits_this_months_check_in(world):
    client = api_client(world.volunteer)
    assignment = world.child_a.assignments.get()
    response = client.post(
        "/api/v1/checkins/",
        {"assignment": assignment.pk, "contact": "visit", "notes": "去家里看了"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "done"
    assert _ids(client.get("/api/v1/checkins/")) == {response.json()["id"]}
    teacher = api_client(world.teacher_a)
    assert teacher.post("/api/v1/checkins/", {"assignment": assignment.pk}).status_code == 403


def test_the_schema_is_valid_openapi_3(world):
    response = api_client(world.official).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert any(path.endswith("/home-visits/") for path in schema["paths"])
    assert "post" in next(v for k, v in schema["paths"].items() if k.endswith("/home-visits/"))


def test_the_docs_use_local_assets_and_nothing_inline(world):
    import re

    client = world.client_for("official")
    html = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # no CDN
    assert any(s.startswith("/static/drf_spectacular_sidecar/") for s in sources)
    assert "<style" not in html and "<script>" not in html  # the CSP allows neither
    from django.contrib.staticfiles import finders

    for source in sources:  # each a file we ship (the page's own start-up script: a view)
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/").split("?")[0]), source
        else:
            assert client.get(source).status_code == 200, source


def test_the_rate_limit_is_per_token(world, settings):
    settings.API_RATE = "3/min"
    client = api_client(world.teacher_a)
    statuses = [client.get("/api/v1/children/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_client(world.teacher_a).get("/api/v1/children/").status_code == 200


def test_the_sites_own_javascript_uses_the_session_with_csrf(world):
    from django.test import Client

    from tests.conftest import login

    client = login(Client(enforce_csrf_checks=True), world.teacher_a)
    assert _ids(client.get("/api/v1/children/")) == {world.child_a.pk}
    url = f"/api/v1/children/{world.child_a.pk}/home-visits/"
    assert client.post(url, VISIT, content_type="application/json").status_code == 403
    client.get("/")  # the page sets the CSRF cookie the script sends back
    token = client.cookies["csrftoken"].value
    response = client.post(url, VISIT, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_a_bad_idempotency_key_is_refused_and_a_refusal_is_not_kept(world):
    client = api_client(world.teacher_a)
    url = f"/api/v1/children/{world.child_a.pk}/home-visits/"
    long_key = "x" * 101
    response = client.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY=long_key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    refused = client.post(url, {"date": TODAY.isoformat()}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 400
    stored = client.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="k")  # corrected
    assert stored.status_code == 201
    other = f"/api/v1/children/{world.child_a.pk}/family-calls/"
    reused = client.post(other, {}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert reused.status_code == 400 and "Idempotency-Key" in reused.json()
    # another user's same key is their own
    official = api_client(world.official)
    assert official.post(url, VISIT, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert HomeVisit.objects.filter(child=world.child_a).count() == 3
