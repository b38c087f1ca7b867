"""Form helpers every app's views share (ground floor: imports none of our apps)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def save_form(request, form, operation, **kwargs):
    """Validate ``form``, then run ``operation(by=request.user, **kwargs, **cleaned_data)``.

    Returns what the operation returned, or None when the form or the service refused (the
    reasons are then on the form, next to the fields they name).
    """
    if not form.is_valid():
        return None
    try:
        return operation(by=request.user, **kwargs, **form.cleaned_data)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None


class DateInput(forms.DateInput):
    """The phone's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
