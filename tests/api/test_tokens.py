"""API tokens: made, used, revoked, expired; hashed at rest; malformed ones answer 401."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.api import services
from lbc_office.api.models import ApiToken
from lbc_office.core.models import AuditEvent
from tests.api.conftest import api_client, token_for

pytestmark = pytest.mark.django_db
CHILDREN = "/api/v1/children/"


def test_a_token_is_shown_once_and_stored_hashed(personas):
    secret = token_for(personas.teacher_a)
    token = ApiToken.objects.get()
    assert secret.startswith("lbc_") and len(secret) > 40
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert secret not in stored
    assert AuditEvent.objects.filter(action="create", object_type="api.apitoken").count() == 1


def test_a_token_acts_as_its_user_and_notes_its_use(personas):
    client = api_client(personas.teacher_a)
    response = client.get(CHILDREN)
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [personas.child_a.pk]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("how", ["revoked", "expired", "malformed", "unknown", "inactive"])
def test_a_token_that_is_no_longer_good_answers_401(personas, how):
    secret = token_for(personas.teacher_a)
    token = ApiToken.objects.get()
    if how == "revoked":
        services.revoke_token(token=token, by=personas.teacher_a)
    elif how == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif how == "malformed":
        secret = "not a token ∑"
    elif how == "unknown":
        secret = secret[:-4] + "AAAA"
    elif how == "inactive":
        personas.teacher_a.is_active = False
        personas.teacher_a.save()
    client = api_client(secret=secret)
    if how == "malformed":
        client.credentials(HTTP_AUTHORIZATION="Bearer a b c")
    response = client.get(CHILDREN)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_token_answers_401(personas):
    assert api_client().get(CHILDREN).status_code == 401


def test_revoking_is_audited_and_only_for_the_owner_or_an_official(personas):
    token_for(personas.teacher_a)
    token = ApiToken.objects.get()
    with pytest.raises(ValidationError):
        services.revoke_token(token=token, by=personas.teacher_b)
    services.revoke_token(token=token, by=personas.official)
    assert AuditEvent.objects.filter(action="change", detail="api token revoked").count() == 1


def test_an_officials_token_needs_the_second_factor(personas):
    TOTPDevice.objects.filter(user=personas.official).delete()
    with pytest.raises(ValidationError):
        services.issue_token(user=personas.official, by=personas.official, name="x")
    TOTPDevice.objects.create(user=personas.official, name="a", confirmed=True)
    assert services.issue_token(user=personas.official, by=personas.official, name="x").secret


def test_only_an_official_makes_a_token_for_someone_else(personas):
    with pytest.raises(ValidationError):
        services.issue_token(user=personas.teacher_b, by=personas.teacher_a, name="x")
    services.issue_token(user=personas.teacher_b, by=personas.official, name="service")


def test_the_command_prints_a_token_that_works(personas, capsys):
    call_command("issue_api_token", "teacher_a", "--days", "3")
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert (token.expires_at - timezone.now()).days in (2, 3)
    assert api_client(secret=secret).get(CHILDREN).status_code == 200


def test_the_screen_makes_shows_once_and_revokes(personas):
    client = personas.client_for("teacher_a")
    response = client.post(reverse("api_tokens"), {"name": "教育局", "days": "30"})
    secret = response.context["issued"].secret
    assert secret in response.content.decode()
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    token = ApiToken.objects.get()
    client.post(reverse("revoke_api_token", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_client(secret=secret).get(CHILDREN).status_code == 401


@pytest.mark.parametrize("how", ["revoked", "expired", "malformed", "none"])
def test_every_api_route_refuses_a_bad_token(personas, how):
    """The battery's walk, for tokens: every route under /api/v1/ answers 401 (never data)."""
    from tests.test_security import OUT_OF_SCOPE, _patterns

    secret = token_for(personas.official)
    if how == "revoked":
        services.revoke_token(token=ApiToken.objects.get(), by=personas.official)
    elif how == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(days=1))
    client = api_client(secret=None if how == "none" else secret)
    if how == "malformed":
        client.credentials(HTTP_AUTHORIZATION="Bearer lbc_\x7f")
    records = {"child": personas.child_a, "school": personas.school_a}
    wrong = {}
    for name, route, _pattern in _patterns():
        if not route.startswith("api/"):
            continue
        keys = OUT_OF_SCOPE[name](records) if name in OUT_OF_SCOPE else {}
        url = reverse(name, kwargs=keys)
        for method in (client.get, client.post):
            status = method(url).status_code
            if status != 401:
                wrong[f"{method.__name__} {url}"] = status
    assert wrong == {}
