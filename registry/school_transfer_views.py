"""Transfers on screen (``registry.transfers``): the transfer form on a file (officials), the
hand-over summary of a file, and a new file started from another county's summary."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.forms import add_service_error, record_on_file
from lbc_office.core.models import Role
from registry import selectors, transfers
from registry.forms import ChildForm, TransferForm, TransferInForm
from registry.models import Child, ChildStatus

official_only = role_required(Role.OFFICIAL)


@audit.shows_personal_data
@official_only
def child_transfer(request, pk):
    child = selectors.get_child_for_user(request, pk, edit=True)
    if child.status != ChildStatus.ACTIVE:
        raise Http404

    def transfer(*, to_school, elsewhere, village, date, reason, by, child):
        if to_school is not None and to_school.county_id != child.county_id:
            return transfers.transfer_to_county(
                child=child, to_school=to_school, village=village, on=date, reason=reason, by=by
            )
        if to_school is not None:
            return transfers.transfer_school(
                child=child, to_school=to_school, on=date, reason=reason, by=by
            )
        return transfers.transfer_out(
            child=child, on=date, reason=reason, elsewhere=elsewhere, by=by
        )

    return record_on_file(
        request,
        child,
        TransferForm(request.POST or None, child=child),
        transfer,
        template="registry/record_form.html",
        title=_("Transfer"),
        success=_("The transfer was recorded."),
        redirect_to=_after_transfer,
        child=child,
    )


def _after_transfer(transfer):
    """Back to the file, unless it moved to another county: then it is that county's."""
    moved = not Child.objects.filter(pk=transfer.child_id, county_id=transfer.county_id).exists()
    return "registry:child_list" if moved else transfer.child


@audit.shows_personal_data
def handover_summary(request, pk):
    """The least the receiving county needs; the identity number for officials only. As a
    page to print, or (``?format=json``) the file a receiving office uploads."""
    child = selectors.get_child_for_user(request, pk, queryset=selectors.personal_file_queryset())
    summary = transfers.handover_summary(child, user=request.user)
    audit.record(audit.Action.PRINT, request=request, obj=child, detail="handover summary")
    if request.GET.get("format") == "json":
        response = JsonResponse(summary, json_dumps_params={"ensure_ascii": False, "indent": 1})
        response["Content-Disposition"] = f'attachment; filename="handover-{child.pk}.json"'
        return response
    return render(
        request,
        "registry/handover_summary.html",
        {"child": child, "summary": summary,
         "text": json.dumps(summary, ensure_ascii=False, indent=1)},
    )  # fmt: skip


@official_only
def transfer_in(request):
    """Step 1: paste or upload the summary. Step 2: the create form, pre-filled from it, with
    the summary carried along; saving creates the file and its transfer in, noting the origin."""
    step1 = TransferInForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not step1.is_valid():
        return render(request, "registry/transfer_in.html", {"form": step1})
    try:
        summary = transfers.parse_summary(step1.cleaned_data["summary"])
    except ValidationError as exc:
        add_service_error(step1, exc)
        return render(request, "registry/transfer_in.html", {"form": step1})
    filling = "name" not in request.POST  # the first post carries only the summary
    form = ChildForm(
        None if filling else request.POST, initial=transfers.prefill(summary), user=request.user
    )
    context = {"form": form, "child": None, "transfer_from": transfers.origin(summary),
               "summary_text": step1.cleaned_data["summary"]}  # fmt: skip
    if not filling and form.is_valid():
        try:
            child = transfers.transfer_in(by=request.user, summary=summary, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(child)
    return render(request, "registry/child_form.html", context)
