"""Issue 17, item 2: every admin save goes through the app's audited service (author stamped,
history kept, one audit row), and the admins that cannot call a service refuse to write."""

from __future__ import annotations

import pytest

from lbc_office.core.models import AuditEvent
from programmes.models import HomeVisit
from registry.models import County, FamilyRoom, School, Town
from tests.programmes.factories import HomeVisitFactory
from tests.volunteers.factories import OrganisationFactory, VolunteerFactory
from volunteers.models import CheckinRole, Organisation, Volunteer

pytestmark = pytest.mark.django_db


def _field_data(form, prefix: str = "") -> dict:
    """What the browser would send back for ``form`` as the page showed it."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = f"{prefix}{name}"
        if value is True:
            data[key] = "on"
        elif value in (False, None):
            continue
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)
    return data


def _page_data(response) -> dict:
    """The admin page's main form and every inline, as shown (management forms included)."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form, f"{formset.prefix}-"))
        for form in formset.forms:
            data.update(_field_data(form, f"{form.prefix}-"))
    return data


def _save(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {**_page_data(page), **changes})
    assert response.status_code == 302, response.context and response.context.get("errors")
    return response


def _events(obj, action: str):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def test_a_town_changed_in_the_admin_is_audited_and_stamped(personas):
    town = personas.child_a.school.town
    client = personas.client_for("official")
    _save(client, f"/admin/registry/town/{town.pk}/change/", name="新名镇")
    town.refresh_from_db()
    assert town.name == "新名镇" and town.updated_by == personas.official
    assert [e.user for e in _events(town, "change")] == [personas.official]


def test_a_county_added_in_the_admin_goes_through_the_service(personas):
    client = personas.client_for("official")
    client.post("/admin/registry/county/add/", {"code": "500229", "name": "城口县"})
    county = County.objects.get(code="500229")
    assert county.created_by == personas.official
    assert _events(county, "create").get().user == personas.official


def test_family_rooms_edited_inline_get_their_author_and_audit_row(personas):
    school = personas.child_a.school
    room = FamilyRoom.objects.create(school=school, kind=FamilyRoom.Kind.PHONE, label="旧")
    client = personas.client_for("official")
    url = f"/admin/registry/school/{school.pk}/change/"
    page = client.get(url)
    data = _page_data(page)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data[f"{prefix}-0-label"] = "一楼电话"
    # and a new room in the empty row the page offers
    data[f"{prefix}-TOTAL_FORMS"] = "2"
    data.update({f"{prefix}-1-kind": FamilyRoom.Kind.CHAT_ROOM, f"{prefix}-1-label": "聊天室",
                 f"{prefix}-1-active": "on", f"{prefix}-1-school": str(school.pk)})  # fmt: skip
    assert client.post(url, data).status_code == 302
    room.refresh_from_db()
    added = FamilyRoom.objects.get(label="聊天室")
    assert room.label == "一楼电话" and room.updated_by == personas.official
    assert added.created_by == personas.official and added.updated_by == personas.official
    assert _events(room, "change").get().user == personas.official
    assert _events(added, "create").get().user == personas.official
    assert room.history.first().history_user == personas.official
    # the school itself was saved through its service too
    assert _events(school, "change").get().user == personas.official
    assert School.objects.get(pk=school.pk).updated_by == personas.official


def test_organisations_and_checkin_roles_changed_in_the_admin_are_audited(personas):
    organisation = OrganisationFactory()
    role = CheckinRole.objects.order_by("pk").first()
    client = personas.client_for("official")
    _save(client, f"/admin/volunteers/organisation/{organisation.pk}/change/", phone="023123")
    _save(client, f"/admin/volunteers/checkinrole/{role.pk}/change/", name_en="Homework")
    organisation.refresh_from_db()
    role.refresh_from_db()
    assert organisation.phone == "023123" and organisation.updated_by == personas.official
    assert role.name_en == "Homework"
    assert _events(organisation, "change").get().user == personas.official
    assert _events(role, "change").get().user == personas.official


@pytest.mark.parametrize(
    "url",
    [
        "/admin/registry/town/{town}/delete/",
        "/admin/volunteers/organisation/{organisation}/delete/",
    ],
)
def test_nothing_is_deleted_in_the_admin(personas, url):
    organisation = OrganisationFactory()
    town = personas.child_a.school.town
    client = personas.client_for("official")
    target = url.format(town=town.pk, organisation=organisation.pk)
    assert client.post(target, {"post": "yes"}).status_code == 403
    assert Town.objects.filter(pk=town.pk).exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_records_without_an_admin_service_are_read_only(personas):
    visit = HomeVisitFactory(child=personas.child_a, visitor=personas.teacher_a)
    volunteer = VolunteerFactory(name="刘芳")
    client = personas.client_for("official")
    before = AuditEvent.objects.filter(action__in=["create", "change"]).count()
    for url, data in [
        (f"/admin/programmes/homevisit/{visit.pk}/change/", {"guardian_situation": "改"}),
        (f"/admin/volunteers/volunteer/{volunteer.pk}/change/", {"name": "改"}),
        (f"/admin/registry/child/{personas.child_a.pk}/change/", {"name": "改"}),
        ("/admin/registry/teacher/add/", {"user": str(personas.viewer.pk)}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert HomeVisit.objects.get(pk=visit.pk).guardian_situation == visit.guardian_situation
    assert Volunteer.objects.get(pk=volunteer.pk).name == "刘芳"
    assert AuditEvent.objects.filter(action__in=["create", "change"]).count() == before
