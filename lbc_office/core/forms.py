"""Form helpers every app's views share (ground floor: imports none of our apps).

``save_form`` is the one way a view hands a form to a service; ``form_view`` and
``record_on_file`` are the one "show a form, call the service, redirect with a message" view
every form page is written with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

_REFUSED = object()


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _save(request, form, operation, /, **kwargs):
    """``operation(by=request.user, **kwargs, **cleaned_data)``, or ``_REFUSED`` with the
    reasons on the form."""
    if not form.is_valid():
        return _REFUSED
    try:
        return operation(by=request.user, **kwargs, **form.cleaned_data)
    except ValidationError as exc:
        add_service_error(form, exc)
        return _REFUSED


def save_form(request, form, operation, /, **kwargs):
    """Validate ``form``, then run ``operation(by=request.user, **kwargs, **cleaned_data)``.

    Returns what the operation returned, or None when the form or the service refused (the
    reasons are then on the form, next to the fields they name).
    """
    result = _save(request, form, operation, **kwargs)
    return None if result is _REFUSED else result


def errors_as_messages(request, form) -> None:
    """For an action posted from another page (a button, not a form page): the reasons a form
    or its service refused, as messages shown on the page it returns to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _given(value, result):
    return value(result) if callable(value) else value


def form_view(
    request,
    form,
    operation: Callable[..., Any],
    /,
    *,
    template: str,
    success,
    redirect_to,
    context: dict | None = None,
    **kwargs,
):
    """The form page: on a POST the service runs (``save_form``); when it accepts, a success
    message and a redirect, else the page again with the reasons next to the fields.

    ``success`` (the message) and ``redirect_to`` (anything ``redirect`` takes) may be
    callables of what the service returned, e.g. a count or the saved record.
    """
    if request.method == "POST":
        result = _save(request, form, operation, **kwargs)
        if result is not _REFUSED:
            messages.success(request, _given(success, result))
            return redirect(_given(redirect_to, result))
    return render(request, template, {**(context or {}), "form": form})


def record_on_file(
    request,
    child,
    form,
    operation: Callable[..., Any],
    /,
    *,
    template: str,
    title: str,
    success,
    redirect_to=None,
    context: dict | None = None,
    **kwargs,
):
    """Record something on a child's file: the caller has fetched ``child`` in scope (so the
    page is audited as showing it); back to the file (or ``redirect_to``) with a message."""
    return form_view(
        request,
        form,
        operation,
        template=template,
        success=success,
        redirect_to=child if redirect_to is None else redirect_to,
        context={"child": child, "title": title, **(context or {})},
        **kwargs,
    )


class DateInput(forms.DateInput):
    """The phone's own date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
