"""Issue 12, finding 5: every change of who may see what goes through one audited service.

Each service checks who asks, refuses bad input, and writes exactly one audit event naming who
did it and to which account — never the password.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core import accounts
from lbc_office.core.models import AuditEvent, Role, User
from registry import services as registry_services
from registry.models import Teacher
from tests.factories import SchoolFactory, UserFactory
from tests.volunteers.factories import VolunteerFactory
from volunteers.services import logins

pytestmark = pytest.mark.django_db


def _events(user=None):
    qs = AuditEvent.objects.order_by("id")
    if user is not None:
        qs = qs.filter(object_type="lbc_office.user", object_id=str(user.pk))
    return list(qs)


def _one_new_event(before: int) -> AuditEvent:
    events = list(AuditEvent.objects.order_by("id"))[before:]
    assert len(events) == 1, [(e.action, e.object_type, e.detail) for e in events]
    return events[0]


# --- create ------------------------------------------------------------------------------------


def test_create_account_writes_one_event_and_a_temporary_password(personas):
    before = AuditEvent.objects.count()
    user, password = accounts.create_account(
        by=personas.official, username="newviewer", role=Role.VIEWER, full_name="王五"
    )
    event = _one_new_event(before)
    assert (event.user, event.action) == (personas.official, AuditEvent.Action.CREATE)
    assert (event.object_type, event.object_id) == ("lbc_office.user", str(user.pk))
    assert password not in event.detail and "viewer" in event.detail
    assert user.check_password(password) and user.must_change_password
    assert user.role == Role.VIEWER and user.is_active


@pytest.mark.parametrize("by", ["teacher_a", "volunteer", "viewer", None])
def test_only_an_official_creates_an_account(personas, by):
    with pytest.raises(PermissionDenied):
        accounts.create_account(
            by=getattr(personas, by) if by else None, username="x1", role=Role.OFFICIAL
        )
    assert not User.objects.filter(username="x1").exists()
    assert not AuditEvent.objects.exists()


BAD = [("official", Role.VIEWER), ("OFFICIAL", Role.VIEWER), ("ok-name", "root"), ("", "viewer")]


@pytest.mark.parametrize("username, role", BAD)
def test_create_account_refuses_bad_input(personas, username, role):
    count = User.objects.count()
    with pytest.raises(ValidationError):
        accounts.create_account(by=personas.official, username=username, role=role)
    assert User.objects.count() == count and not AuditEvent.objects.exists()


def test_a_deactivated_official_can_do_nothing(personas):
    other = UserFactory(username="official2", role=Role.OFFICIAL)
    User.objects.filter(pk=other.pk).update(is_active=False)
    other.refresh_from_db()
    with pytest.raises(PermissionDenied):
        accounts.change_role(user=personas.viewer, role=Role.TEACHER, by=other)


# --- role --------------------------------------------------------------------------------------


def test_change_role_writes_one_event(personas):
    before = AuditEvent.objects.count()
    accounts.change_role(user=personas.viewer, role=Role.OFFICIAL, by=personas.official)
    event = _one_new_event(before)
    assert event.user == personas.official and event.object_id == str(personas.viewer.pk)
    assert event.detail == "role viewer -> official"
    personas.viewer.refresh_from_db()
    assert personas.viewer.role == Role.OFFICIAL
    # The same role again: nothing changes, nothing is recorded (a double POST is harmless).
    accounts.change_role(user=personas.viewer, role=Role.OFFICIAL, by=personas.official)
    assert AuditEvent.objects.count() == before + 1


def test_change_role_refuses_bad_input(personas):
    cases = [
        (personas.viewer, "root"),  # no such role
        (personas.official, Role.VIEWER),  # one's own role
        (personas.teacher_a, Role.VOLUNTEER),  # still linked to a school
    ]
    for user, role in cases:
        with pytest.raises(ValidationError):
            accounts.change_role(user=user, role=role, by=personas.official)
    VolunteerFactory(user=personas.volunteer)
    with pytest.raises(ValidationError):  # still linked to a volunteer record
        accounts.change_role(user=personas.volunteer, role=Role.TEACHER, by=personas.official)
    with pytest.raises(PermissionDenied):
        accounts.change_role(user=personas.viewer, role=Role.OFFICIAL, by=personas.teacher_a)
    assert not AuditEvent.objects.exists()
    assert User.objects.get(pk=personas.viewer.pk).role == Role.VIEWER


def test_an_official_is_demoted_only_by_another_official(personas):
    second = UserFactory(username="official2", role=Role.OFFICIAL)
    accounts.change_role(user=personas.official, role=Role.VIEWER, by=second)
    with pytest.raises(ValidationError):  # the one left cannot leave: the county keeps one
        accounts.set_active(user=second, active=False, by=second)
    with pytest.raises(ValidationError):
        accounts.change_role(user=second, role=Role.VIEWER, by=second)


# --- active flag -------------------------------------------------------------------------------


def test_deactivate_writes_one_event_and_twice_is_harmless(personas):
    before = AuditEvent.objects.count()
    accounts.set_active(user=personas.teacher_a, active=False, by=personas.official)
    accounts.set_active(user=personas.teacher_a, active=False, by=personas.official)
    event = _one_new_event(before)
    assert event.detail == "deactivated" and event.object_id == str(personas.teacher_a.pk)
    assert not User.objects.get(pk=personas.teacher_a.pk).is_active
    accounts.set_active(user=personas.teacher_a, active=True, by=personas.official)
    assert AuditEvent.objects.count() == before + 2
    assert User.objects.get(pk=personas.teacher_a.pk).is_active


def test_nobody_deactivates_themselves(personas):
    with pytest.raises(ValidationError):
        accounts.set_active(user=personas.official, active=False, by=personas.official)
    with pytest.raises(PermissionDenied):
        accounts.set_active(user=personas.official, active=False, by=personas.teacher_a)
    assert User.objects.get(pk=personas.official.pk).is_active
    assert not AuditEvent.objects.exists()


def test_a_deactivated_user_loses_access_on_the_next_request(personas):
    client = personas.client_for("teacher_a")
    assert client.get(personas.child_a.get_absolute_url()).status_code == 200
    accounts.set_active(user=personas.teacher_a, active=False, by=personas.official)
    response = client.get(personas.child_a.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- passwords ---------------------------------------------------------------------------------


def test_temporary_password_writes_one_event_and_must_be_changed(personas):
    client = personas.client_for("teacher_a")
    before = AuditEvent.objects.count()
    user, password = accounts.set_password(user=personas.teacher_a, by=personas.official)
    event = _one_new_event(before)
    assert event.user == personas.official and event.object_id == str(user.pk)
    assert password not in event.detail
    # The open session ended with the old password.
    assert client.get("/children/").status_code == 302
    # Signing in with the temporary password leads only to the password page.
    fresh = Client()
    fresh.post(reverse("login"), {"username": "teacher_a", "password": password})
    for url in ["/", "/children/", personas.child_a.get_absolute_url()]:
        response = fresh.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), (
            url
        )
    assert fresh.get(reverse("password_change")).status_code == 200
    response = fresh.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "a-new-own-pass-77",
         "new_password2": "a-new-own-pass-77"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).must_change_password
    assert fresh.get("/children/").status_code == 200
    # (the children page then writes its own VIEW event: the change is the last CHANGE)
    own = AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE).order_by("id").last()
    assert own.user == user and own.detail == "own password changed"


def test_only_an_official_sets_a_password(personas):
    with pytest.raises(PermissionDenied):
        accounts.set_password(user=personas.teacher_b, by=personas.teacher_a)
    assert not AuditEvent.objects.exists()


# --- second factor -----------------------------------------------------------------------------


def test_second_factor_reset_removes_every_device_in_one_event(personas):
    other = UserFactory(username="official2", role=Role.OFFICIAL)
    TOTPDevice.objects.create(user=other, name="a", confirmed=True)
    TOTPDevice.objects.create(user=other, name="b", confirmed=False)
    TOTPDevice.objects.create(user=other, name="c", confirmed=True)
    TOTPDevice.objects.create(user=personas.official, name="mine", confirmed=True)
    before = AuditEvent.objects.count()
    assert accounts.reset_second_factor(user=other, by=personas.official) == 3
    event = _one_new_event(before)
    assert event.user == personas.official and event.object_id == str(other.pk)
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert TOTPDevice.objects.filter(user=personas.official).exists()  # only theirs
    # Again: nothing left, nothing recorded.
    assert accounts.reset_second_factor(user=other, by=personas.official) == 0
    assert AuditEvent.objects.count() == before + 1


def test_second_factor_reset_refuses_others_and_oneself(personas):
    TOTPDevice.objects.create(user=personas.official, name="mine", confirmed=True)
    with pytest.raises(ValidationError):
        accounts.reset_second_factor(user=personas.official, by=personas.official)
    with pytest.raises(PermissionDenied):
        accounts.reset_second_factor(user=personas.official, by=personas.teacher_a)
    assert TOTPDevice.objects.filter(user=personas.official).exists()
    assert not AuditEvent.objects.exists()


# --- teacher ↔ school --------------------------------------------------------------------------


def test_linking_a_teacher_to_schools_writes_one_event(personas):
    school_c = SchoolFactory(name="丙小学", code="C001", town=personas.school_a.town)
    before = AuditEvent.objects.count()
    registry_services.set_teacher_schools(
        user=personas.teacher_a, schools=[personas.school_b, school_c], by=personas.official
    )
    event = _one_new_event(before)
    assert event.user == personas.official and event.object_type == "registry.teacher"
    assert f"-school:{personas.school_a.pk}" in event.detail
    assert f"+school:{personas.school_b.pk}" in event.detail
    teacher = Teacher.objects.get(user=personas.teacher_a)
    assert set(teacher.schools.all()) == {personas.school_b, school_c}
    # The same schools again: harmless.
    registry_services.set_teacher_schools(
        user=personas.teacher_a, schools=[school_c, personas.school_b], by=personas.official
    )
    assert AuditEvent.objects.count() == before + 1
    # The teacher's scope follows on the next request.
    client = personas.client_for("teacher_a")
    assert client.get(personas.child_a.get_absolute_url()).status_code == 404
    assert client.get(personas.child_b.get_absolute_url()).status_code == 200


def test_linking_refuses_bad_input(personas):
    closed = SchoolFactory(name="旧小学", code="Z001", town=personas.school_a.town, active=False)
    with pytest.raises(ValidationError):  # not a teacher
        registry_services.set_teacher_schools(
            user=personas.viewer, schools=[personas.school_a], by=personas.official
        )
    with pytest.raises(ValidationError):  # a school that no longer teaches
        registry_services.set_teacher_schools(
            user=personas.teacher_a, schools=[closed], by=personas.official
        )
    with pytest.raises(PermissionDenied):  # a teacher cannot widen their own scope
        registry_services.set_teacher_schools(
            user=personas.teacher_a, schools=[personas.school_b], by=personas.teacher_a
        )
    assert not AuditEvent.objects.exists()
    assert list(Teacher.objects.get(user=personas.teacher_a).schools.all()) == [personas.school_a]


def test_create_teacher_links_schools_in_one_transaction(personas):
    user, password = registry_services.create_teacher(
        by=personas.official, username="teacher_c", schools=[personas.school_b]
    )
    assert user.role == Role.TEACHER and user.must_change_password
    assert list(user.teacher.schools.all()) == [personas.school_b]
    assert [e.object_type for e in _events()] == ["lbc_office.user", "registry.teacher"]
    with pytest.raises(ValidationError):  # no school: no account either
        registry_services.create_teacher(by=personas.official, username="teacher_d", schools=[])
    assert not User.objects.filter(username="teacher_d").exists()


# --- a volunteer's login -----------------------------------------------------------------------


def test_a_volunteers_login_is_linked_to_their_record(personas):
    volunteer = VolunteerFactory()
    user, password = logins.create_volunteer_login(
        by=personas.official, volunteer=volunteer, username="vol-login"
    )
    volunteer.refresh_from_db()
    assert volunteer.user == user and user.role == Role.VOLUNTEER
    assert user.full_name == volunteer.name and user.must_change_password
    assert [e.object_type for e in _events()] == ["lbc_office.user", "volunteers.volunteer"]
    with pytest.raises(ValidationError):  # already has one
        logins.create_volunteer_login(by=personas.official, volunteer=volunteer, username="v2")
    assert not User.objects.filter(username="v2").exists()
