"""Finding 10: the lock-out and the audit log see the client's real address, and only that.

The app reads ``X-Forwarded-For`` only when ``TRUSTED_PROXY_COUNT`` says a proxy of ours is in
front; the lock-out counts per username and address, and per address across usernames.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from lbc_office.core.models import AuditEvent
from tests.lbc_office.test_accounts import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"
A, B = "203.0.113.7", "198.51.100.20"


def _sign_in(username, password=PASSWORD, *, remote, forwarded=None, client=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = client or Client()
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def direct(settings):
    """Reached directly, as on a laptop, but with TLS headers trusted as in production."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def test_a_forged_forwarded_for_is_neither_recorded_nor_counted(personas, direct):
    _sign_in("teacher_a", "wrong", remote="10.0.0.9", forwarded="6.6.6.6")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.ip == "10.0.0.9"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.9"}
    # Changing the forged header on every try does not escape the lock-out.
    for n in range(direct.AXES_FAILURE_LIMIT):
        _sign_in("teacher_a", "wrong", remote="10.0.0.9", forwarded=f"6.6.6.{n}")
    assert _sign_in("teacher_a", remote="10.0.0.9", forwarded="7.7.7.7").status_code == 429


def test_behind_the_proxy_the_hop_it_added_is_the_address(personas, behind_nginx):
    # The client wrote "6.6.6.6"; nginx appended the address it saw, A.
    _sign_in("teacher_a", "wrong", remote=PROXY, forwarded=f"6.6.6.6, {A}")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == A
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [A]
    # A successful sign-in is recorded from the same address.
    _sign_in("teacher_a", remote=PROXY, forwarded=B)
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).ip == B


def test_behind_two_proxies_the_outer_ones_hop_counts(personas, behind_nginx):
    behind_nginx.TRUSTED_PROXY_COUNT = 2
    _sign_in("teacher_a", "wrong", remote=PROXY, forwarded=f"6.6.6.6, {A}, 10.1.1.1")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == A


def test_a_header_that_is_no_address_falls_back_to_the_connection(personas, behind_nginx):
    _sign_in("teacher_a", "wrong", remote=PROXY, forwarded="<script>")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED).ip == PROXY


def test_failing_as_someone_from_one_address_does_not_lock_them_out_elsewhere(
    personas, behind_nginx
):
    for _ in range(behind_nginx.AXES_FAILURE_LIMIT):
        _sign_in("teacher_a", "wrong", remote=PROXY, forwarded=A)
    assert _sign_in("teacher_a", remote=PROXY, forwarded=A).status_code == 429
    # The real teacher, at school (address B), still signs in.
    assert _sign_in("teacher_a", remote=PROXY, forwarded=B).status_code == 302


def test_one_password_across_many_usernames_is_throttled(personas, behind_nginx):
    limit = behind_nginx.AXES_ADDRESS_FAILURE_LIMIT
    assert limit > behind_nginx.AXES_FAILURE_LIMIT
    for n in range(limit - 1):
        response = _sign_in(f"user{n}", "Summer2026!", remote=PROXY, forwarded=A)
        assert response.status_code == 200  # each name is tried once: no pair is locked
    assert _sign_in("user-last", "Summer2026!", remote=PROXY, forwarded=A).status_code == 429
    # The address is locked out, for every name, even with a right password...
    assert _sign_in("teacher_a", remote=PROXY, forwarded=A).status_code == 429
    assert _sign_in("user999", "Summer2026!", remote=PROXY, forwarded=A).status_code == 429
    # ...and everyone elsewhere is not.
    assert _sign_in("teacher_a", remote=PROXY, forwarded=B).status_code == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_addresss_failures(
    personas, behind_nginx
):
    limit = behind_nginx.AXES_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        _sign_in(f"user{n}", "Summer2026!", remote=PROXY, forwarded=A)
    # The sprayer holds a teacher's account and signs in with it between tries.
    assert _sign_in("teacher_a", remote=PROXY, forwarded=A).status_code == 302
    _sign_in("user-last", "Summer2026!", remote=PROXY, forwarded=A)
    assert _sign_in("teacher_b", remote=PROXY, forwarded=A).status_code == 429


def test_check_deploy_warns_behind_a_tls_proxy_without_a_proxy_count(settings):
    from lbc_office.core.lockout import check_proxy_address

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    assert [w.id for w in check_proxy_address()] == ["lbc_office.W010"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert check_proxy_address() == []
