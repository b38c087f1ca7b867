"""Who may and who may not: the volunteers' pages for every persona, and the volunteer's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import Child
from tests.conftest import ROLES, search
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import CheckinRole
from volunteers.services import care

pytestmark = pytest.mark.django_db


@pytest.fixture
def carer(personas):
    """The volunteer persona looks after school A's child as a surrogate parent."""
    volunteer = VolunteerFactory(user=personas.volunteer, name="刘芳")
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    return volunteer, assignment


def _status(personas, role, url, method="get", data=None):
    response = getattr(personas.client_for(role), method)(url, data or {})
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        return "login"
    return response.status_code


def test_officials_pages(personas, carer):
    volunteer, assignment = carer
    urls = [
        reverse("volunteers:list"),
        reverse("volunteers:create"),
        reverse("volunteers:detail", args=[volunteer.pk]),
        reverse("volunteers:edit", args=[volunteer.pk]),
        reverse("volunteers:without_carer"),
        reverse("volunteers:organisations"),
        reverse("volunteers:organisation_create"),
        reverse("volunteers:organisation_edit", args=[OrganisationFactory().pk]),
        reverse("volunteers:checkin_roles"),
        reverse("volunteers:checkin_role_edit", args=[CheckinRole.objects.first().pk]),
        reverse("volunteers:checkins"),
        reverse("volunteers:assign_for_child", args=[personas.child_a.pk]),
        reverse("volunteers:end_assignment", args=[assignment.pk]),
    ]
    for role in ROLES:
        for url in urls:
            # Pages of the role answer 403 to others; pages about one record answer 404.
            keyed = any(ch.isdigit() for ch in url)
            expected = {"official": 200, "anonymous": "login"}.get(role, 404 if keyed else 403)
            assert _status(personas, role, url) == expected, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_posts_of_officials_pages_are_refused_to_others(personas, carer, role):
    volunteer, assignment = carer
    if role == "official":
        return
    expected = "login" if role == "anonymous" else 404
    end = _status(
        personas, role, reverse("volunteers:end_assignment", args=[assignment.pk]), "post",
        {"ended_on": "2026-11-01", "reason": "x"},
    )  # fmt: skip
    assign = _status(
        personas, role, reverse("volunteers:assign_child", args=[volunteer.pk]), "post",
        {"child": personas.child_b.pk, "role": "surrogate_parent"},
    )  # fmt: skip
    assert end == assign == expected
    assignment.refresh_from_db()
    assert assignment.ended_on is None
    assert not personas.child_b.assignments.exists()


@pytest.mark.parametrize("role", ROLES)
def test_my_children_is_the_volunteers_page(personas, carer, role):
    expected = {"volunteer": 200, "anonymous": "login"}.get(role, 403)
    assert _status(personas, role, reverse("volunteers:my_children")) == expected


@pytest.mark.parametrize("role", ROLES)
def test_inbox_is_for_everyone_signed_in(personas, role):
    expected = "login" if role == "anonymous" else 200
    assert _status(personas, role, reverse("volunteers:inbox")) == expected


def test_a_volunteer_sees_exactly_the_assigned_children(personas, carer):
    client = personas.client_for("volunteer")
    listing = client.get(reverse("registry:child_list"))
    assert [c.name for c in listing.context["page"]] == ["张小明"]
    assert client.get(personas.child_a.get_absolute_url()).status_code == 200
    assert client.get(personas.child_b.get_absolute_url()).status_code == 404
    found = search(client, reverse("registry:child_list"), "李小红")
    assert list(found.context["page"]) == []
    my = client.get(reverse("volunteers:my_children")).content.decode()
    assert "张小明" in my and "李小红" not in my


def test_a_volunteer_never_edits_a_file(personas, carer):
    client = personas.client_for("volunteer")
    assert client.get(reverse("registry:child_edit", args=[personas.child_a.pk])).status_code == 403
    html = client.get(personas.child_a.get_absolute_url()).content.decode()
    assert personas.child_a.id_number not in html  # masked for volunteers too


def test_ending_the_assignment_removes_access_on_the_next_request(personas, carer):
    volunteer, assignment = carer
    client = personas.client_for("volunteer")
    url = personas.child_a.get_absolute_url()
    checkin_url = reverse("volunteers:my_checkin", args=[assignment.pk])
    assert client.get(url).status_code == 200
    assert client.get(checkin_url).status_code == 200
    care.end_assignment(assignment=assignment, by=personas.official, reason="孩子随父母外出")
    assert client.get(url).status_code == 404
    assert client.get(checkin_url).status_code == 404
    assert not Child.objects.visible_to(personas.volunteer).exists()


def test_two_roles_for_one_child_do_not_repeat_it(personas, carer):
    volunteer, _assignment = carer
    volunteer.may_be_foster_sibling = True
    volunteer.save()
    AssignmentFactory(child=personas.child_a, volunteer=volunteer, role="foster_sibling")
    assert Child.objects.visible_to(personas.volunteer).count() == 1


def test_a_volunteer_cannot_open_another_volunteers_checkin(personas, carer):
    other = AssignmentFactory(child=personas.child_b, volunteer=VolunteerFactory())
    client = personas.client_for("volunteer")
    assert client.get(reverse("volunteers:my_checkin", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("role", ["official", "teacher_a", "viewer"])
def test_only_volunteers_open_the_checkin_form(personas, carer, role):
    _volunteer, assignment = carer
    url = reverse("volunteers:my_checkin", args=[assignment.pk])
    assert personas.client_for(role).get(url).status_code == 404


# --- Officials assign and end through the screens ---------------------------------------------


def test_official_assigns_from_the_childs_file(personas):
    volunteer = VolunteerFactory(name="王秀英", may_be_foster_mother=True, capacity=1)
    client = personas.client_for("official")
    child = personas.child_a
    url = reverse("volunteers:assign_for_child", args=[child.pk])
    page = client.get(url).content.decode()
    assert "王秀英" in page
    response = client.post(
        url, {"role": "foster_mother", "volunteer": volunteer.pk, "started_on": "2026-11-01"}
    )
    assert response.status_code == 302
    assignment = child.assignments.get()
    assert (assignment.volunteer, assignment.role) == (volunteer, "foster_mother")
    # The file shows the carer and offers no second foster mother.
    assert "王秀英" in client.get(child.get_absolute_url()).content.decode()
    again = client.post(
        url, {"role": "foster_mother", "volunteer": volunteer.pk, "started_on": "2026-11-01"}
    )
    assert again.status_code == 200 and again.context["form"].errors
    assert child.assignments.count() == 1


def test_official_assigns_from_the_volunteers_page(personas):
    volunteer = VolunteerFactory(may_be_foster_sibling=True, may_be_surrogate_parent=False)
    client = personas.client_for("official")
    page = search(client, reverse("volunteers:detail", args=[volunteer.pk]), "小明")
    assert [c.name for c in page.context["candidates"]] == ["张小明"]
    client.post(
        reverse("volunteers:assign_child", args=[volunteer.pk]),
        {"child": personas.child_a.pk, "role": "foster_sibling"},
    )
    assert personas.child_a.assignments.get().volunteer == volunteer
    # Once the child has that kind of carer, the search no longer offers it.
    page = search(client, reverse("volunteers:detail", args=[volunteer.pk]), "小明")
    assert page.context["candidates"] == []


def test_children_without_a_carer(personas, carer):
    client = personas.client_for("official")
    page = client.get(reverse("volunteers:without_carer"), {"role": "surrogate_parent"})
    assert [c.name for c in page.context["page"]] == ["李小红"]
    counts = page.context["counts"]
    assert counts["surrogate_parent"]["with"] == 1 and counts["surrogate_parent"]["without"] == 1
    assert counts["foster_mother"]["without"] == 2


def test_official_ends_an_assignment(personas, carer):
    _volunteer, assignment = carer
    client = personas.client_for("official")
    response = client.post(
        reverse("volunteers:end_assignment", args=[assignment.pk]),
        {"ended_on": assignment.started_on.isoformat(), "reason": "父母回乡"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == assignment.started_on and assignment.end_reason == "父母回乡"
    # An ended assignment has no end page any more.
    again = client.get(reverse("volunteers:end_assignment", args=[assignment.pk]))
    assert again.status_code == 404
