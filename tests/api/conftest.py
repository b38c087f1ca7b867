import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from lbc_office.api import services


def token_for(user, days=None) -> str:
    if user.is_official:
        TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
    return services.issue_token(user=user, by=user, name="test", days=days).secret


def api_client(user=None, *, secret=None, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    secret = secret or (token_for(user) if user is not None else None)
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle(settings, tmp_path):
    # The rate counts live in the cache: a fresh one per test.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": str(tmp_path),
        }
    }
    from django.core.cache import cache

    cache.clear()
