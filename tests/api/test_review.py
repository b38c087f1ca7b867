"""Review of the API as an attacker (issue 16, second look): what a token or a one-time key
still let through after the first round of tests."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from lbc_office.api import services
from lbc_office.core import accounts
from lbc_office.core.models import Role
from programmes.models import HomeVisit
from tests.api.conftest import api_client, token_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CHILDREN = "/api/v1/children/"


def test_a_token_stops_while_its_user_must_change_a_temporary_password(personas):
    """An official who resets a teacher's password (e.g. after a suspected compromise) must not
    leave the teacher's tokens working: the screens admit the person to nothing but the
    password page until they choose their own, and the API follows the same rule."""
    secret = token_for(personas.teacher_a)
    assert api_client(secret=secret).get(CHILDREN).status_code == 200
    accounts.set_password(user=personas.teacher_a, by=personas.official)
    assert api_client(secret=secret).get(CHILDREN).status_code == 401


def test_an_officials_token_stops_when_the_second_factor_is_gone(personas):
    """A token acts as an official only while that official has an authenticator: a reset
    second factor (lost phone, suspected compromise) ends what the token can do, as it does
    for the screens."""
    secret = token_for(personas.official)
    assert api_client(secret=secret).get(CHILDREN).status_code == 200
    other = UserFactory(username="official2", role=Role.OFFICIAL)
    accounts.reset_second_factor(user=personas.official, by=other)
    assert api_client(secret=secret).get(CHILDREN).status_code == 401


def test_a_token_made_before_a_promotion_does_not_act_as_an_official_without_the_factor(
    personas,
):
    """A teacher's token, its user later made an official: no second factor, no official's
    powers through the API."""
    secret = token_for(personas.volunteer)
    accounts.change_role(user=personas.volunteer, role=Role.OFFICIAL, by=personas.official)
    assert api_client(secret=secret).get(CHILDREN).status_code == 401


def test_an_official_cannot_make_a_token_to_act_as_another_official(personas):
    """The token's secret is shown to whoever makes it: a token for another official would
    let one official act (and be audited) as another, past that official's second factor."""
    other = UserFactory(username="official2", role=Role.OFFICIAL)
    TOTPDevice.objects.create(user=other, name="a", confirmed=True)
    with pytest.raises(ValidationError):
        services.issue_token(user=other, by=personas.official, name="x")


def test_a_key_reused_with_another_body_is_refused_not_answered_with_the_first(personas):
    """A client that reuses a key for a different record must hear so, not get the first
    record's answer while its second record is silently dropped (docs/API.md: the same key
    for another request answers 400)."""
    client = api_client(personas.teacher_a)
    url = f"/api/v1/children/{personas.child_a.pk}/home-visits/"
    first = {"date": "2026-01-05", "met": "grandparents", "education": "按时写作业"}
    second = {**first, "date": "2026-01-06"}
    assert client.post(url, first, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    again = client.post(url, first, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    other = client.post(url, second, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert other.status_code == 400 and "Idempotency-Key" in other.json()
    assert HomeVisit.objects.filter(child=personas.child_a).count() == 1


def test_a_one_time_key_keeps_no_copy_of_the_record_at_rest(personas):
    """The stored answer was a second copy of what the child said, the guardian's situation, a
    call's notes, outside every record's history, retention's anonymisation and erasure. The
    key keeps only which record it made; a replay answers that record as it is now, for the
    user as they are now."""
    from lbc_office.core.idempotency.models import IdempotentRequest

    client = api_client(personas.teacher_a)
    url = f"/api/v1/children/{personas.child_a.pk}/home-visits/"
    visit = {"date": "2026-01-05", "met": "grandparents", "education": "按时写作业"}
    visit["child_said"] = "想妈妈了秘密"
    first = client.post(url, visit, format="json", HTTP_IDEMPOTENCY_KEY="k9")
    assert first.status_code == 201
    row = IdempotentRequest.objects.get()
    assert "秘密" not in str(row.body) and row.object_id == str(first.json()["id"])
    HomeVisit.objects.update(child_said="已匿名")  # e.g. retention's anonymisation
    again = client.post(url, visit, format="json", HTTP_IDEMPOTENCY_KEY="k9")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and again.json()["child_said"] == "已匿名"
    assert HomeVisit.objects.count() == 1


def test_a_user_cannot_multiply_the_rate_limit_with_endless_tokens(personas, settings):
    """The rate limit is per token: with no cap on tokens, one account makes a thousand and
    gets a thousand times the rate (and fills the table). A user holds at most
    ``API_TOKEN_MAX_LIVE`` live tokens."""
    settings.API_TOKEN_MAX_LIVE = 3
    for n in range(3):
        services.issue_token(user=personas.teacher_a, by=personas.teacher_a, name=str(n))
    with pytest.raises(ValidationError):
        services.issue_token(user=personas.teacher_a, by=personas.teacher_a, name="4")
    services.revoke_token(token=personas.teacher_a.api_tokens.first(), by=personas.teacher_a)
    assert services.issue_token(user=personas.teacher_a, by=personas.teacher_a, name="5")
