"""Sending SMS through a small gateway interface, chosen by ``settings.SMS_BACKEND``.

- ``volunteers.sms.ConsoleBackend`` (the default): logs the message; for development.
- ``volunteers.sms.FileBackend``: appends one JSON line per message to ``SMS_FILE_PATH``
  (mode 0600: it holds phone numbers).
- ``volunteers.sms.HttpBackend``: POSTs ``{"to": …, "message": …}`` as JSON to ``SMS_HTTP_URL``
  with ``Authorization: Bearer SMS_HTTP_TOKEN``; any answer but 2xx is a failure. Most Chinese
  SMS providers (or a small relay in front of them) can take this shape.

A backend raises ``SmsError`` when the message was not accepted; the caller retries later.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class ConsoleBackend:
    def send(self, to: str, message: str) -> None:
        log.info("SMS to %s: %s", _masked(to), message)


class FileBackend:
    def __init__(self, path: str | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, to: str, message: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": to, "message": message}, ensure_ascii=False
        )
        # Phone numbers: readable by the app's own user only (0600), whatever the umask.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file made earlier with wider rights is narrowed too
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line + "\n")


class HttpBackend:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout
        if not self.url:
            raise SmsError("SMS_HTTP_URL is not set")

    def send(self, to: str, message: str) -> None:
        body = json.dumps({"to": to, "message": message}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 — the URL is the operator's setting
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"}
            | ({"Authorization": f"Bearer {self.token}"} if self.token else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsError(f"gateway answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"gateway unreachable: {exc}") from exc


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def _masked(phone: str) -> str:
    """Logs carry no full phone numbers."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"
