"""One-time keys for idempotent creation (ground floor: imports none of our apps).

A client that may send a create twice (a retry after a timeout, a double click) sends a key with
it; ``once()`` runs the create the first time and stores under (user, key) its status and
which record it made — never the answer's body, which would be a second copy of the record's
personal data outside its history, retention and erasure; a repeat with the same key creates
nothing and gives the caller that record back to answer as it is now. The API's
``Idempotency-Key`` header uses it; the forms can pass their own one-time key the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lbc_office.core.idempotency.models import IdempotentRequest

MAX_KEY = 100


class KeyRefused(ValidationError):
    """The key itself is refused (malformed, or already used for another request)."""


@dataclass
class Answer:
    status: int
    body: dict  # the first time: what create() answered; on a replay: empty (see record)
    replayed: bool = False
    object_type: str = ""  # on a replay: the record made the first time ("app.model", key)
    object_id: str = ""


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY and key.isascii() and key.isprintable()


def once(*, user, key: str, scope: str, create: Callable[[], tuple[int, dict, object]]) -> Answer:
    """``create()`` → (status, body, record) the first time for (user, key); the stored answer
    after. Only a successful create is kept (a refusal may be corrected and sent again with the
    same key). The create and the stored answer commit together, or neither does."""
    if not valid_key(key):
        raise KeyRefused(
            _("An Idempotency-Key is 1 to %(max)d printable ASCII characters.") % {"max": MAX_KEY}
        )
    found = _stored(user, key, scope)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            status, body, record = create()
            if 200 <= status < 300:
                IdempotentRequest.objects.create(
                    user=user, key=key, scope=scope, status=status, body={},
                    object_type=record._meta.label_lower if record is not None else "",
                    object_id=str(getattr(record, "pk", "") or ""),
                )  # fmt: skip
    except IntegrityError:
        # The same key sent twice at once: the other request stored first; ours is undone.
        found = _stored(user, key, scope)
        if found is None:
            raise
        return found
    return Answer(status, body)


def stored(*, user, key: str, scope: str) -> Answer | None:
    """The answer kept for (user, key), if a create under it has already succeeded (e.g. a twin
    request that committed while this one was refused because of what the twin made)."""
    return _stored(user, key, scope) if valid_key(key) else None


def _stored(user, key: str, scope: str) -> Answer | None:
    row = IdempotentRequest.objects.filter(user=user, key=key).first()
    if row is None:
        return None
    if row.scope != scope:
        raise KeyRefused(
            _("This Idempotency-Key was already used for another request; send a new key.")
        )
    return Answer(
        row.status, {}, replayed=True, object_type=row.object_type, object_id=row.object_id
    )
