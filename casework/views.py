"""The concern screens: the office's list, a concern's page, raising one from the file, and the
page's actions (look at it, add what was done, close, open again).

Officials and teachers (of the child's school, through ``visible_to``) read concerns; a teacher
raises one and adds what they did; looking at, closing and reopening are the office's. Anyone
else finds no concern here: 404 on a concern's page, 403 on the list.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import forms, panels, selectors
from casework.filters import ConcernFilter
from casework.services import concerns as services
from lbc_office.core import audit
from lbc_office.core.audit import shows_personal_data
from lbc_office.core.forms import errors_as_messages, record_on_file, save_form
from registry import access
from registry.selectors import get_child_for_user


@shows_personal_data
def concern_list(request):
    if not access.can_edit_children(request.user):
        raise PermissionDenied
    concern_filter = ConcernFilter(
        request.GET, queryset=selectors.concern_list(request.user), request=request
    )
    rows = concern_filter.qs.order_by("due_at", "pk") if concern_filter.is_valid() else []
    page = Paginator(rows, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, [concern.child_id for concern in page])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/concern_list.html",
        {"filter": concern_filter, "page": page, "query": query.urlencode()},
    )


@shows_personal_data
def concern_detail(request, pk):
    concern = selectors.get_concern_for_user(request, pk)
    official = request.user.is_official
    return render(
        request,
        "casework/concern_detail.html",
        {
            "concern": concern,
            "child": concern.child,
            "history": selectors.concern_history(concern),
            "official": official,
            "triage_form": forms.TriageForm() if official and not concern.triaged_at else None,
            "action_form": forms.ActionForm() if concern.is_open else None,
            "close_form": forms.CloseForm() if official and concern.is_open else None,
            "reopen_form": forms.ReopenForm() if official and not concern.is_open else None,
            "panels": panels.panels_for(request, concern),
        },
    )


@shows_personal_data
def concern_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        forms.ConcernForm(request.POST or None),
        services.raise_concern,
        template="casework/concern_form.html",
        title=_("Raise a protection concern"),
        success=_("The concern was recorded; the office will look at it."),
        redirect_to=lambda concern: concern,
        child=child,
    )


def _act(request, pk, form_class, operation, *, success: str, officials_only: bool):
    """A POST from the concern's page: the service, then back to the page with a message."""
    concern = selectors.get_concern_for_user(request, pk)
    if officials_only and not request.user.is_official:
        raise PermissionDenied
    form = form_class(request.POST)
    if save_form(request, form, operation, concern=concern):
        messages.success(request, success)
    else:
        errors_as_messages(request, form)
    return redirect(concern)


@require_POST
def concern_triage(request, pk):
    return _act(
        request, pk, forms.TriageForm, services.triage,
        success=_("Recorded: the concern has been looked at."), officials_only=True,
    )  # fmt: skip


@require_POST
def concern_action(request, pk):
    return _act(
        request, pk, forms.ActionForm, services.record_action,
        success=_("What was done is on the concern's record."), officials_only=False,
    )  # fmt: skip


@require_POST
def concern_close(request, pk):
    return _act(
        request, pk, forms.CloseForm, services.close_concern,
        success=_("The concern is closed."), officials_only=True,
    )  # fmt: skip


@require_POST
def concern_reopen(request, pk):
    return _act(
        request, pk, forms.ReopenForm, services.reopen_concern,
        success=_("The concern is open again."), officials_only=True,
    )  # fmt: skip
