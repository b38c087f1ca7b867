"""Issue 12, finding 5: the officials' account screens, usable without the admin.

Officials only (403 on the list and the new-account page, 404 on an account's pages for every
other role: tests/test_security.py walks the keyed ones too); every change a POST to one
audited service; a double POST harmless.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.models import AuditEvent, Role, User
from tests.conftest import search
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db
OTHERS = ["teacher_a", "teacher_b", "volunteer", "viewer"]


def _keyed(pk):
    return {
        "detail": reverse("accounts:detail", args=[pk]),
        "role": reverse("accounts:role", args=[pk]),
        "active": reverse("accounts:active", args=[pk]),
        "schools": reverse("accounts:schools", args=[pk]),
        "password": reverse("accounts:password", args=[pk]),
        "second_factor": reverse("accounts:second_factor", args=[pk]),
    }


@pytest.mark.parametrize("role", OTHERS)
def test_every_other_role_is_refused_everywhere(personas, role):
    client = personas.client_for(role)
    target = getattr(personas, role)  # even their own account
    for url in [reverse("accounts:list"), reverse("accounts:create")]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"username": "x", "role": Role.OFFICIAL}).status_code == 403
    for pk in (target.pk, personas.official.pk):
        for name, url in _keyed(pk).items():
            assert client.get(url).status_code == 404, url
            response = client.post(url, {"role": Role.OFFICIAL, "active": "1"})
            assert response.status_code == 404, url
    assert User.objects.get(pk=target.pk).role == getattr(personas, role).role
    assert not User.objects.filter(username="x").exists()
    assert not AuditEvent.objects.filter(action__in=["create", "change"]).exists()


def test_anonymous_is_sent_to_sign_in(personas):
    client = Client()
    for url in [reverse("accounts:list"), *_keyed(personas.viewer.pk).values()]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_changes_are_post_only(personas):
    client = personas.client_for("official")
    urls = _keyed(personas.viewer.pk)
    urls.pop("detail")
    for url in urls.values():
        assert client.get(url).status_code == 405, url
    assert User.objects.get(pk=personas.viewer.pk).is_active


def test_the_list_filters_and_searches(personas):
    client = personas.client_for("official")
    html = client.get(reverse("accounts:list"), {"role": "teacher"}).content.decode()
    assert "teacher_a" in html and "teacher_b" in html and ">viewer<" not in html
    html = search(client, reverse("accounts:list"), q="teacher_b").content.decode()
    assert "teacher_b" in html and "teacher_a" not in html
    User.objects.filter(pk=personas.viewer.pk).update(is_active=False)
    html = client.get(reverse("accounts:list"), {"active": "0"}).content.decode()
    assert "viewer" in html and "teacher_a" not in html


def test_the_navigation_links_officials_to_it(personas):
    link = f'href="{reverse("accounts:list")}"'
    assert link in personas.client_for("official").get("/children/").content.decode()
    assert link not in personas.client_for("teacher_a").get("/children/").content.decode()


def _password_on(response) -> str:
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]
    return re.search(r'id="temporary-password">([^<]+)<', response.content.decode()).group(1)


def test_an_official_creates_a_teacher_linked_to_schools(personas):
    client = personas.client_for("official")
    assert client.get(reverse("accounts:create") + "?role=teacher").status_code == 200
    data = {"username": "teacher_c", "full_name": "赵老师", "role": "teacher",
            "schools": [personas.school_a.pk, personas.school_b.pk]}  # fmt: skip
    response = client.post(reverse("accounts:create"), data)
    assert response.status_code == 200
    password = _password_on(response)
    user = User.objects.get(username="teacher_c")
    assert user.role == Role.TEACHER and user.check_password(password)
    assert set(user.teacher.schools.all()) == {personas.school_a, personas.school_b}
    assert AuditEvent.objects.filter(user=personas.official, action="create").count() == 2
    # A double POST creates nothing more.
    again = client.post(reverse("accounts:create"), data)
    assert again.status_code == 200 and "temporary-password" not in again.content.decode()
    assert User.objects.filter(username="teacher_c").count() == 1
    assert AuditEvent.objects.filter(user=personas.official, action="create").count() == 2
    # The teacher signs in with it, must choose a password, then sees their schools' children.
    teacher = Client()
    teacher.post(reverse("login"), {"username": "teacher_c", "password": password})
    assert teacher.get(personas.child_b.get_absolute_url())["Location"] == reverse(
        "password_change"
    )


def test_a_teacher_needs_a_school(personas):
    client = personas.client_for("official")
    response = client.post(reverse("accounts:create"), {"username": "t9", "role": "teacher"})
    assert response.status_code == 200 and not User.objects.filter(username="t9").exists()


def test_an_official_creates_a_volunteers_login(personas):
    volunteer = VolunteerFactory(name="刘阿姨")
    client = personas.client_for("official")
    response = client.post(
        reverse("accounts:create"),
        {"username": "liu", "role": "volunteer", "volunteer": volunteer.pk},
    )
    _password_on(response)
    volunteer.refresh_from_db()
    assert volunteer.user.username == "liu" and volunteer.user.role == Role.VOLUNTEER


def test_deactivate_reactivate_and_double_post(personas):
    client = personas.client_for("official")
    teacher = personas.client_for("teacher_a")
    url = reverse("accounts:active", args=[personas.teacher_a.pk])
    for _ in range(2):
        response = client.post(url, {"active": "0"})
        assert response.status_code == 302
    assert not User.objects.get(pk=personas.teacher_a.pk).is_active
    events = AuditEvent.objects.filter(object_id=str(personas.teacher_a.pk))
    assert [e.detail for e in events] == ["deactivated"]
    # The teacher's open session is refused on its next request.
    assert teacher.get("/children/").status_code == 302
    client.post(url, {"active": "1"})
    assert User.objects.get(pk=personas.teacher_a.pk).is_active


def test_change_role_and_refusal_as_a_message(personas):
    client = personas.client_for("official")
    url = reverse("accounts:role", args=[personas.viewer.pk])
    client.post(url, {"role": "teacher"})
    client.post(url, {"role": "teacher"})
    assert User.objects.get(pk=personas.viewer.pk).role == Role.TEACHER
    assert AuditEvent.objects.filter(object_id=str(personas.viewer.pk)).count() == 1
    # Refused by the service (own role): nothing changes.
    client.post(reverse("accounts:role", args=[personas.official.pk]), {"role": "viewer"})
    assert User.objects.get(pk=personas.official.pk).role == Role.OFFICIAL


def test_link_and_unlink_schools(personas):
    client = personas.client_for("official")
    url = reverse("accounts:schools", args=[personas.teacher_a.pk])
    page = client.get(reverse("accounts:detail", args=[personas.teacher_a.pk]))
    assert page.status_code == 200 and "乙小学" in page.content.decode()
    client.post(url, {"schools": [personas.school_b.pk]})
    client.post(url, {"schools": [personas.school_b.pk]})
    assert list(personas.teacher_a.teacher.schools.all()) == [personas.school_b]
    assert AuditEvent.objects.filter(object_type="registry.teacher").count() == 1
    client.post(url, {})  # unlink every school
    assert not personas.teacher_a.teacher.schools.exists()


def test_reset_password_and_second_factor(personas):
    client = personas.client_for("official")
    response = client.post(reverse("accounts:password", args=[personas.viewer.pk]))
    password = _password_on(response)
    user = User.objects.get(pk=personas.viewer.pk)
    assert user.check_password(password) and user.must_change_password
    # An official cannot give themselves a "temporary" password here.
    client.post(reverse("accounts:password", args=[personas.official.pk]))
    assert not User.objects.get(pk=personas.official.pk).must_change_password
    TOTPDevice.objects.create(user=personas.viewer, name="x", confirmed=True)
    url = reverse("accounts:second_factor", args=[personas.viewer.pk])
    for _ in range(2):
        assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.viewer).exists()
    events = AuditEvent.objects.filter(object_id=str(personas.viewer.pk)).order_by("id")
    assert [e.detail for e in events] == [
        "temporary password set", "second factor reset (1 devices)",
    ]  # fmt: skip


def test_the_account_page_shows_no_secret(personas):
    device = TOTPDevice.objects.create(user=personas.viewer, name="x", confirmed=True)
    html = (
        personas.client_for("official")
        .get(reverse("accounts:detail", args=[personas.viewer.pk]))
        .content.decode()
    )
    assert device.key not in html and personas.viewer.password not in html


def test_an_officials_page_links_to_a_new_enrolment_code_after_a_reset(personas):
    """After a second-factor reset another official hands over an enrolment code (finding 4):
    the account page leads there, and only for an official without an authenticator."""
    from tests.factories import UserFactory

    other = UserFactory(role=Role.OFFICIAL, username="other-official")
    device = TOTPDevice.objects.create(user=other, name="x", confirmed=True)
    client = personas.client_for("official")
    link = reverse("issue_enrolment_code", args=[other.pk])
    assert link not in client.get(reverse("accounts:detail", args=[other.pk])).content.decode()
    client.post(reverse("accounts:second_factor", args=[other.pk]))
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert link in client.get(reverse("accounts:detail", args=[other.pk])).content.decode()
    # Nobody issues a code for themselves, and a teacher never needs one.
    own = client.get(reverse("accounts:detail", args=[personas.official.pk])).content.decode()
    assert reverse("issue_enrolment_code", args=[personas.official.pk]) not in own
    teacher = client.get(reverse("accounts:detail", args=[personas.teacher_a.pk])).content.decode()
    assert reverse("issue_enrolment_code", args=[personas.teacher_a.pk]) not in teacher


def test_the_list_ignores_filter_values_it_does_not_offer(personas):
    client = personas.client_for("official")
    everyone = list(client.get(reverse("accounts:list")).context["page"])
    assert len(everyone) > 1
    for params in [{"role": "king"}, {"active": "maybe"}, {"q": "teacher_b"}]:  # q: POST only
        assert list(client.get(reverse("accounts:list"), params).context["page"]) == everyone
