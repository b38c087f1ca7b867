"""Helpers every API view shares: the audit note, cursor pages, and the one create path."""

from __future__ import annotations

import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from rest_framework import pagination, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from lbc_office.core import audit
from lbc_office.core.idempotency import keys as idempotency
from registry import access
from registry.models import Child

HEADER = "Idempotency-Key"


def shown(request, children=None, **kwargs) -> None:
    """``audit.shown`` on the request the audit middleware sees (DRF wraps it)."""
    audit.shown(getattr(request, "_request", request), children, **kwargs)


def child_for(request, pk) -> Child:
    """The child if the token's user may see it, else 404 (the screens' rule), noted as shown."""
    child = get_object_or_404(
        Child.objects.select_related("school", "village__town").visible_to(request.user), pk=pk
    )
    shown(request, child)
    return child


def require_reader(request) -> None:
    if not access.can_read_children(request.user):
        raise PermissionDenied


def require_staff(request) -> None:
    if not access.can_edit_children(request.user):
        raise PermissionDenied


class Cursor(pagination.CursorPagination):
    ordering = "-id"
    page_size_query_param = None

    def get_page_size(self, request):
        return settings.LBC_PAGE_SIZE


class ChildCursor(Cursor):
    ordering = "id"


def form_errors(form) -> dict:
    return {
        (field if field != "__all__" else "non_field_errors"): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def _with_body(scope: str, data) -> str:
    """The scope and a fingerprint of what was posted: the same key with another body is another
    request (refused), never answered with the first one's record while the second is dropped."""
    posted = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return f"{scope}:{hashlib.sha256(posted.encode()).hexdigest()[:16]}"


def create_with_form(request, *, scope: str, form, operation, serializer_class, **kwargs):
    """Validate with the screen's form, save with the screen's service, answer 201 with the
    record; with an ``Idempotency-Key``, a repeat answers the first answer and stores nothing."""

    def create():
        if not form.is_valid():
            raise ApiValidationError(form_errors(form))
        record = operation(by=request.user, **kwargs, **form.cleaned_data)
        body = serializer_class(record, context={"request": request}).data
        return status.HTTP_201_CREATED, dict(body), record

    key = request.headers.get(HEADER)
    if key is None:
        code, body, _record = create()
        return Response(body, status=code)
    try:
        answer = idempotency.once(
            user=request.user, key=key, scope=_with_body(scope, request.data), create=create
        )
    except idempotency.KeyRefused as exc:
        raise ApiValidationError({HEADER: exc.messages}) from None
    if not answer.replayed:
        return Response(answer.body, status=answer.status)
    # The key keeps no copy of the answer: the record it made, as it is now, for this user.
    model = apps.get_model(answer.object_type)
    record = get_object_or_404(model.objects.all(), pk=answer.object_id)
    body = serializer_class(record, context={"request": request}).data
    response = Response(body, status=answer.status)
    response["Idempotent-Replayed"] = "true"
    return response
