"""Issue 12, finding 5: the admin shows no second-factor secret and changes accounts only
through the audited services."""

from __future__ import annotations

import base64

import pytest
from django.contrib import admin
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.core.models import AuditEvent, Role, User
from registry.models import Teacher
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _secrets(device: TOTPDevice) -> list[str]:
    b32 = base64.b32encode(device.bin_key).decode()
    return [device.key, device.key.upper(), b32, b32.rstrip("="), b32.lower()]


def test_the_admin_never_shows_a_totp_key(personas):
    other = UserFactory(username="official2", role=Role.OFFICIAL)
    device = TOTPDevice.objects.create(user=other, name="phone", confirmed=True)
    pending = TOTPDevice.objects.create(user=personas.viewer, name="new", confirmed=False)
    client = personas.client_for("official")
    pages = [
        "/admin/",
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{pending.pk}/change/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
        "/admin/lbc_office/user/",
        f"/admin/lbc_office/user/{other.pk}/change/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        html = response.content.decode(errors="replace")
        for secret in _secrets(device) + _secrets(pending):
            assert secret not in html, url
    # No device model of any plugin is in the admin: nothing to read, change or delete there.
    assert not [m for m in admin.site._registry if issubclass(m, Device)]
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/delete/").status_code == 404
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def _change(client, user, **data):
    form = {
        "username": user.username,  # read-only now; today's admin required it
        "full_name": user.full_name, "phone": user.phone, "email": user.email,
        "role": user.role, "is_active": "on" if user.is_active else "",
        **data,
    }  # fmt: skip
    return client.post(f"/admin/lbc_office/user/{user.pk}/change/", form)


def test_an_admin_role_change_is_audited(personas):
    client = personas.client_for("official")
    response = _change(client, personas.viewer, role=Role.OFFICIAL)
    assert response.status_code == 302
    assert User.objects.get(pk=personas.viewer.pk).role == Role.OFFICIAL
    events = AuditEvent.objects.filter(object_id=str(personas.viewer.pk))
    assert [(e.user, e.action, e.detail) for e in events] == [
        (personas.official, "change", "role viewer -> official")
    ]


def test_an_admin_deactivation_and_details_are_audited(personas):
    client = personas.client_for("official")
    assert _change(client, personas.viewer, is_active="", phone="13900000000").status_code == 302
    details = sorted(e.detail for e in AuditEvent.objects.filter(object_id=str(personas.viewer.pk)))
    assert details == ["deactivated", "details: phone"]
    assert not User.objects.get(pk=personas.viewer.pk).is_active


def test_the_admin_refuses_what_the_services_refuse(personas):
    client = personas.client_for("official")
    response = _change(client, personas.official, role=Role.VIEWER)  # one's own role
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = _change(client, personas.teacher_a, role=Role.VIEWER)  # still has schools
    assert response.status_code == 200
    assert User.objects.get(pk=personas.official.pk).role == Role.OFFICIAL
    assert User.objects.get(pk=personas.teacher_a.pk).role == Role.TEACHER
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_admin_password_change_is_audited_and_temporary(personas):
    client = personas.client_for("official")
    response = client.post(
        f"/admin/lbc_office/user/{personas.teacher_a.pk}/password/",
        {"password1": "Temp-pass-2026-x", "password2": "Temp-pass-2026-x"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=personas.teacher_a.pk)
    assert user.check_password("Temp-pass-2026-x") and user.must_change_password
    events = AuditEvent.objects.filter(object_id=str(user.pk))
    assert [(e.user, e.detail) for e in events] == [(personas.official, "temporary password set")]
    assert "Temp-pass" not in events[0].detail


def test_an_admin_added_account_is_audited(personas):
    client = personas.client_for("official")
    response = client.post(
        "/admin/lbc_office/user/add/",
        {"username": "added", "full_name": "新人", "role": Role.VIEWER,
         "password1": "Temp-pass-2026-y", "password2": "Temp-pass-2026-y"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="added")
    assert user.role == Role.VIEWER and user.must_change_password
    events = AuditEvent.objects.filter(object_id=str(user.pk), object_type="lbc_office.user")
    assert [(e.user, e.action) for e in events] == [(personas.official, "create")]


def test_the_teacher_admin_is_read_only(personas):
    client = personas.client_for("official")
    teacher = Teacher.objects.get(user=personas.teacher_a)
    assert client.get("/admin/registry/teacher/").status_code == 200
    response = client.post(
        f"/admin/registry/teacher/{teacher.pk}/change/",
        {"user": personas.teacher_a.pk, "schools": [personas.school_b.pk]},
    )
    assert response.status_code == 403
    assert client.get("/admin/registry/teacher/add/").status_code == 403
    assert list(teacher.schools.all()) == [personas.school_a]
