"""Form helpers every app's views share (ground floor: imports none of our apps).

``save_form`` is the one way a view hands a form to a service; ``form_view`` and
``record_on_file`` are the one "show a form, call the service, redirect with a message" view
every form page is written with.

**One-time keys (a double tap stores once).** Every form page carries a hidden ``once_key``, a
uuid4 made on the server when the page is shown (``{% once_key %}`` in ``_form_errors.html``,
which every form template includes). A POST that brings one runs its service through
``lbc_office.core.idempotency.keys.once`` under the scope ``form:<URL name>:<URL arguments>``
(e.g. ``form:programmes:visit_add:12``): the first POST saves; a repeat of the same key saves
nothing and answers as the first did — the same redirect and the same success message (the
message is rebuilt from the record the first POST made; for a form that saves several records at
once and counts them, a plain "already saved"). A refused POST keeps no key, and the page comes
back with the SAME key, so the corrected form saves once however often it is sent. A key already
used for another form is refused above the form, and the page gets a new key. A POST without a
key (an old page, a test, a script) saves as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lbc_office.core import places
from lbc_office.core.form_renderer import list_choices
from lbc_office.core.idempotency import keys

_REFUSED = object()
ONCE_FIELD = "once_key"


@dataclass
class Replayed:
    """A repeat of a POST already saved under its one-time key: nothing was saved now.
    ``record`` is what the first POST made, as it is now (None when it made no single record)."""

    record: Any = None

    def __bool__(self) -> bool:  # a repeat is a success for the view that asks "was it saved?"
        return True


def new_once_key() -> str:
    return str(uuid.uuid4())


def once_key_for(request, form=None) -> str:
    """The key a form page carries: the one set on the form (a new one after a refusal of the
    key itself), else the one the refused POST brought back, else a new one (a GET)."""
    key = getattr(form, "once_key", None)
    if key is None and request is not None and request.method == "POST":
        key = request.POST.get(ONCE_FIELD, "")
    return key if key and keys.valid_key(key) else new_once_key()


def once_scope(request) -> str:
    """What a form's key is held for: the URL's name and arguments (the same form of the same
    record), e.g. ``form:programmes:visit_add:12``."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return f"form:{request.path}"[: keys.MAX_KEY]
    args = [str(v) for v in (*match.args, *match.kwargs.values())]
    return ":".join(["form", match.view_name, *args])[: keys.MAX_KEY]


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _save(request, form, operation, /, **kwargs):
    """``operation(by=request.user, **kwargs, **cleaned_data)``, or ``_REFUSED`` with the
    reasons on the form, or ``Replayed`` for a repeat of a POST saved under its one-time key."""
    key = request.POST.get(ONCE_FIELD, "")
    user = getattr(request, "user", None)
    if not key or not getattr(user, "is_authenticated", False):
        return _run(request, form, operation, **kwargs)
    made = []

    def create():
        result = _run(request, form, operation, **kwargs)
        if result is _REFUSED:
            return 400, {}, None
        made.append(result)
        return 200, {}, result if isinstance(result, models.Model) else None

    try:
        answer = keys.once(user=user, key=key, scope=once_scope(request), create=create)
    except keys.KeyRefused:
        form.once_key = new_once_key()
        form.add_error(None, _("This form was already used for something else; save it again."))
        return _REFUSED
    if not made and not answer.replayed:
        # Refused: if a twin POST with this key was saved meanwhile, this answers as it did.
        answer = keys.stored(user=user, key=key, scope=once_scope(request)) or answer
    if answer.replayed:
        return Replayed(_stored_record(answer))
    return made[0] if made else _REFUSED


def _stored_record(answer):
    if not answer.object_type:
        return None
    model = apps.get_model(answer.object_type)
    return model._default_manager.filter(pk=answer.object_id).first()


def _run(request, form, operation, /, **kwargs):
    places.limit_choices(form, request.user)
    list_choices(form)
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
    if isinstance(result, Replayed):
        return result.record or result
    return None if result is _REFUSED else result


def errors_as_messages(request, form) -> None:
    """For an action posted from another page (a button, not a form page): the reasons a form
    or its service refused, as messages shown on the page it returns to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _given(value, result):
    return value(result) if callable(value) else value


def _answer(request, result, success, redirect_to):
    """The success message and the redirect; for a repeat, the same as the first POST's."""
    if isinstance(result, Replayed):
        if result.record is None and (callable(success) or callable(redirect_to)):
            # Several records were saved and counted: the count is not kept.
            messages.success(request, _("This was already saved."))
            return redirect(request.get_full_path() if callable(redirect_to) else redirect_to)
        result = result.record
    messages.success(request, _given(success, result))
    return redirect(_given(redirect_to, result))


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
    places.limit_choices(form, request.user)  # the choices of the user's county only
    list_choices(form)  # each select's records in one plain query
    if request.method == "POST":
        result = _save(request, form, operation, **kwargs)
        if result is not _REFUSED:
            return _answer(request, result, success, redirect_to)
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
