"""How the API answers a refusal (the views import DRF's views; the authentication must not)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler


def handle_exception(exc, context):
    """A service's refusal (Django's ValidationError) answers 400 with the field and reason, as
    the forms show them; everything else as DRF does."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (field if field != "__all__" else "non_field_errors"): [str(m) for m in msgs]
                for field, msgs in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
