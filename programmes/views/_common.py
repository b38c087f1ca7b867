"""What every view of the app shares: role checks and putting a service's refusal on a form."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from lbc_office.auth import role_required
from lbc_office.models import Role
from registry import access

official_only = role_required(Role.OFFICIAL)


def require_staff(request) -> None:
    """Teachers and officials record contact; volunteers and report viewers do not (403)."""
    if not access.can_edit_children(request.user):
        raise PermissionDenied


def add_service_error(form, exc: ValidationError) -> None:
    """Put a refusal on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def save_form(request, form, operation, **kwargs):
    """Run ``operation`` with the form's data; return its result, or None (errors on the form)."""
    if not form.is_valid():
        return None
    try:
        return operation(by=request.user, **kwargs, **form.cleaned_data)
    except ValidationError as exc:
        add_service_error(form, exc)
        return None
