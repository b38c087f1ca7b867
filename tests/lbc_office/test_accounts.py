"""Signing in and out, landing pages per role, throttling, idle sessions, language."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-2026"


def _login(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9",
        **extra,
    )  # fmt: skip


@pytest.mark.parametrize(
    "role, landing_text",
    [
        ("official", "county-overview"),
        ("teacher_a", "my-schools"),
        ("volunteer", "my-children"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_page(personas, role, landing_text):
    client = Client()
    response = _login(client, getattr(personas, role).username)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    if role == "official":  # the second step first (tests/lbc_office/test_two_factor.py)
        from tests.lbc_office.test_two_factor import pass_second_step

        pass_second_step(client, personas.official)
    home = client.get(reverse("home"), follow=True)
    assert home.status_code == 200
    assert f'id="{landing_text}"' in home.content.decode()


def test_viewer_lands_on_reports(personas):
    client = Client()
    _login(client, "viewer")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports")


def test_teacher_home_lists_only_their_schools(personas):
    html = personas.client_for("teacher_a").get(reverse("home")).content.decode()
    assert "甲小学" in html and "乙小学" not in html


def test_wrong_password_is_refused(personas):
    client = Client()
    response = _login(client, "official", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_every_page_but_login_and_healthz_needs_a_login(personas):
    client = Client()
    for url in ["/", "/children/", "/schools/", "/reports/", "/accounts/password/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


def test_login_never_redirects_off_site(personas):
    client = Client()
    response = client.post(
        reverse("login") + "?next=https://evil.example.com/",
        {"username": "official", "password": PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_repeated_failures_lock_the_account_out(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "teacher_a", "wrong")
    locked = _login(client, "teacher_a")  # even the right password is refused now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "15" in locked.content.decode()  # says how long the lock lasts
    # Another user from the same address is not affected.
    assert _login(Client(), "official").status_code == 302


def test_a_success_resets_the_failure_count(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "teacher_a", "wrong")
    assert _login(client, "teacher_a").status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "teacher_a", "wrong")
    assert _login(client, "teacher_a").status_code == 302


def test_sessions_expire_after_30_idle_minutes(personas, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = personas.client_for("official")
    assert client.get(reverse("home")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # A request pushes the expiry 30 minutes ahead...
    assert session.expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # ...and 31 idle minutes later the session is gone: its row has expired, and so has its
    # copy in the cache (kept for the same 30 minutes).
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    key = SessionStore(session.pk).cache_key
    assert cache.get(key) is not None
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):  # Redis (CI)
        raw = cache.make_and_validate_key(key)
        assert 29 * 60 < cache._cache.get_client(raw).ttl(raw) <= 30 * 60
    cache.delete(key)  # as Redis does 30 minutes after the last save
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_idle_expiry_moves_at_most_once_a_minute(personas, settings):
    """Each request no longer rewrites the session: within a minute of the last move it is left
    alone (no UPDATE), after a minute the next request moves the end 30 minutes ahead again."""
    from lbc_office.core.idle_sessions import SEEN

    assert not settings.SESSION_SAVE_EVERY_REQUEST
    client = personas.client_for("teacher_a")
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    early = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=early)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(pk=key).expire_date == early  # seen less than a minute ago
    # The last move was 61 seconds ago: this request moves the end.
    store = client.session
    store[SEEN] -= settings.SESSION_REFRESH_SECONDS + 1
    store.save()
    Session.objects.filter(pk=key).update(expire_date=early)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # A signed-out visitor's stale cookie makes no session row.
    client.post(reverse("logout"))
    before = Session.objects.count()
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    client.get(reverse("login"))
    assert Session.objects.count() == before


def test_logout_ends_the_session(personas):
    client = personas.client_for("official")
    key = client.session.session_key
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_chinese_is_the_default_and_english_is_a_switch(personas):
    client = Client()
    assert "登录" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Sign in" in client.get(reverse("login")).content.decode()


def test_superuser_is_an_official():
    user = User.objects.create_superuser("root", password="x-long-password-1")
    assert user.role == Role.OFFICIAL and user.is_official
