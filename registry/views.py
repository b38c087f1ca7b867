"""Views of the register: thin — fetch within scope, form, service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import form_view, record_on_file
from lbc_office.core.models import Role
from registry import (
    access,
    consent,
    duplicate_views,
    file_sections,
    history,
    keyset,
    search_box,
    selectors,
    services,
)
from registry.filters import ChildFilter, search_kind
from registry.forms import (
    ChildForm,
    ConsentForm,
    ConsentOverrideForm,
    GuardianForm,
    HealthCheckForm,
    ParentAwayForm,
    StatusChangeForm,
)
from registry.models import (
    ChildStatus,
    Guardian,
    ParentAway,
)
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)
shows_personal_data = audit.shows_personal_data


def _require_reader(request):
    if not access.can_read_children(request.user):
        raise PermissionDenied


# --- Children ---------------------------------------------------------------------------------


@shows_personal_data
def child_list(request):
    _require_reader(request)
    if response := search_box.search_redirect(request):
        return response
    child_filter = ChildFilter(
        search_box.search_data(request),
        queryset=selectors.children_for_list(request.user),
        user=request.user,
    )
    # Keyset pages ("next"/"previous" by cursor): no OFFSET, no exact count of a city's register.
    page = keyset.page(child_filter.qs, request.GET.get("after"), settings.LBC_PAGE_SIZE)
    audit.shown(request, page, search=search_kind(child_filter.data.get("q")))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("after", None)
    return render(
        request,
        "registry/child_list.html",
        {
            "filter": child_filter,
            "page": page,
            "query": query.urlencode(),
            "filters_open": _filters_set(request.GET),
            "filter_panel_key": _filter_panel_key(request.user, child_filter),
            "can_edit": access.can_edit_children(request.user),
            "can_export": request.user.is_official,
        },
    )


def _filter_panel_key(user, child_filter) -> str:
    """What the filter panel's selects depend on, for the page's fragment cache (a minute): whose
    choices (the account's key and when it was made: a database made again reuses keys), the
    language, what is chosen and whether it was understood. Drawing the selects (a teacher's
    towns and schools, a county's) was a third of the list page's time."""
    data = child_filter.data
    chosen = sorted(
        (k, v)
        for k in data
        if k not in {"q", "after", "page"}
        for v in (data.getlist(k) if hasattr(data, "getlist") else [data[k]])
    )
    return repr(
        (user.pk, user.date_joined.timestamp(), get_language(), chosen, bool(child_filter.errors))
    )


def _filters_set(params) -> bool:
    """The filter panel opens by itself only when a filter is set: not for a search (its token),
    a page number, or the status the list opens on anyway."""
    return any(
        value
        for key, value in params.items()
        if key not in {"q", "s", "page"} and not (key == "status" and value == ChildStatus.ACTIVE)
    )


@shows_personal_data
def child_detail(request, pk):
    child = get_child_for_user(request, pk, queryset=selectors.personal_file_queryset())
    timeline_page = request.GET.get("timeline", "1")
    timeline_page = int(timeline_page) if timeline_page.isdigit() else 1
    return render(
        request,
        "registry/child_detail.html",
        {
            "child": child,
            "file": selectors.personal_file(child, timeline_page=min(timeline_page, 1000)),
            "can_edit": access.can_edit_children(request.user),
            "actions": file_sections.actions_for(request.user, child),
            "sections": file_sections.sections_for(request, child),
        },
    )


@shows_personal_data
@official_only
def child_history(request, pk):
    """Every version of the file and of its records, with before and after (officials)."""
    child = get_child_for_user(request, pk)
    versions = history.page(child, request.GET.get("page"), user=request.user)
    return render(
        request, "registry/child_history.html", {"child": child, "page": versions, "query": ""}
    )


@shows_personal_data  # when it warns of suspected duplicates (registry.duplicate_views)
def child_create(request):
    if not access.can_edit_children(request.user):
        raise PermissionDenied
    form = ChildForm(request.POST or None, user=request.user)
    if warning := duplicate_views.create_warning(request, form, {"child": None}):
        return warning
    return form_view(
        request,
        form,
        duplicate_views.create_child,
        template="registry/child_form.html",
        context={"child": None},
        success=lambda child: _("The personal file of %(name)s was created.") % {"name": child},
        redirect_to=lambda child: child,
    )


@shows_personal_data
def child_edit(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return form_view(
        request,
        ChildForm(request.POST or None, instance=child, user=request.user),
        services.update_child,
        template="registry/child_form.html",
        context={"child": child},
        success=_("The personal file was saved."),
        redirect_to=child,
        child=child,
    )


@shows_personal_data
def child_status(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    closing = services.closing_change(child) if child.status != ChildStatus.ACTIVE else None

    @transaction.atomic
    def change(*, date, restore=False, **data):
        done = services.change_child_status(on=date, **data)
        if restore and done.to_status == ChildStatus.ACTIVE:
            services.restore_closed(child=child, by=data["by"])
        return done

    return record_on_file(
        request,
        child,
        StatusChangeForm(request.POST or None, child=child, user=request.user, closing=closing),
        change,
        template="registry/child_status_form.html",
        title="",
        context={"closing": closing},
        success=_("The status was changed."),
        child=child,
    )


@official_only
@require_POST
def child_restore(request, pk):
    """Give back what closing the file ended, once the file is active again (officials)."""
    child = get_child_for_user(request, pk, edit=True)
    try:
        change = services.restore_closed(child=child, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        restored = " · ".join(e["label"] for e in change.restored) or _(
            "Nothing could be restored."
        )
        messages.success(request, _("Restored: %(what)s") % {"what": restored})
    return redirect(child)


@shows_personal_data
def health_check_add(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        HealthCheckForm(request.POST or None),
        services.record_health_check,
        template="registry/record_form.html",
        title=_("Record a health check"),
        success=_("The health check was recorded."),
        child=child,
    )


@shows_personal_data
def parent_away_edit(request, pk, relation):
    child = get_child_for_user(request, pk, edit=True)
    if relation not in ParentAway.Relation.values:
        raise Http404
    parent = child.parents_away.filter(relation=relation).first()
    return record_on_file(
        request,
        child,
        ParentAwayForm(request.POST or None, instance=parent),
        services.save_parent_away,
        template="registry/record_form.html",
        title=ParentAway.Relation(relation).label,
        success=_("Saved."),
        child=child,
        relation=relation,
    )


@shows_personal_data
def guardian_edit(request, pk, guardian_pk=None):
    child = get_child_for_user(request, pk, edit=True)
    guardian = (
        get_object_or_404(child.guardians, pk=guardian_pk) if guardian_pk else Guardian(child=child)
    )
    return record_on_file(
        request,
        child,
        GuardianForm(request.POST or None, instance=guardian),
        services.save_guardian,
        template="registry/record_form.html",
        title=_("Guardian"),
        success=_("Saved."),
        guardian=guardian,
    )


# --- Consent ----------------------------------------------------------------------------------


def _refuse_anonymised(request, child):
    """Nothing is recorded in an anonymised file: back to it, with a message."""
    if child.anonymised_at is None:
        return None
    messages.error(request, _("This file has been anonymised: nothing more is recorded in it."))
    return redirect(child)


@shows_personal_data
def consent_add(request, pk):
    """Officials, and teachers for the children of their schools."""
    child = get_child_for_user(request, pk, edit=True)
    refused = _refuse_anonymised(request, child)
    if refused:
        return refused
    return record_on_file(
        request,
        child,
        ConsentForm(request.POST or None, child=child),
        consent.record_consent,
        template="registry/consent_form.html",
        title=_("Record consent"),
        context={
            "intro": _(
                "Tick what the guardian agrees to. To record that consent was withdrawn, "
                "leave the boxes unticked: the latest record is the one that counts."
            )
        },
        success=_("The consent was recorded."),
        child=child,
    )


@shows_personal_data
@official_only
def consent_override(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    refused = _refuse_anonymised(request, child)
    if refused:
        return refused
    return record_on_file(
        request,
        child,
        ConsentOverrideForm(request.POST or None),
        consent.record_consent_override,
        template="registry/consent_form.html",
        title=_("Keep the file without consent"),
        context={
            "intro": _(
                "An override records that the office keeps this file without the guardian's "
                "consent, and why. It does not cover sharing with volunteers outside "
                "government or photos: those need the guardian's consent."
            )
        },
        success=_("The override was recorded."),
        child=child,
    )


@shows_personal_data
@official_only
def consent_missing(request):
    """Active children whose file no consent (or override) covers: the office's to-do list."""
    if response := search_box.search_redirect(request):
        return response
    child_filter = ChildFilter(
        search_box.search_data(request),
        queryset=consent.children_without_consent()
        .visible_to(request.user)
        .select_related("school", "village__town"),
        user=request.user,
    )
    page = Paginator(child_filter.qs, settings.LBC_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.shown(request, page, search=search_kind(child_filter.data.get("q")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/consent_missing.html",
        {"filter": child_filter, "page": page, "query": query.urlencode()},
    )
