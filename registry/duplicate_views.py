"""Suspected duplicates: the warning on a new file, the officials' list, comparison and merge.

What each role is told when a new file may duplicate another (``create_warning``):

- an official: every candidate of the county, whole numbers, names and links, with the
  reasons; they save anyway by ticking "this is a different child" (never refused);
- a teacher: only the candidates in their own scope found by name and birth date (children
  they can open anyway), with masked numbers. Candidates found by the identity number are
  never shown to them, in scope or not: "a file exists whose number is one character from
  the one I typed" would test 169 numbers at once, an oracle on the digits the mask hides.
  Whatever the candidates, every saved file is compared county-wide and its pairs go to the
  officials' list (``merging.note_pairs``); the form says so to everyone, always (a note shown
  only when an out-of-scope child matched would tell that one exists).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.auth import role_required
from lbc_office.core.models import Role
from registry import access, duplicates, idnumber, merging, services
from registry.models import Child, ChildMerge, DuplicatePair
from registry.selectors import get_child_for_user

official_only = role_required(Role.OFFICIAL)
NAME_REASONS = {duplicates.R.NAME_BIRTH_TOWN, duplicates.R.NAME_BIRTH_TYPO_VILLAGE}


# --- The new file's warning -------------------------------------------------------------------


def shown_candidates(user, data: dict) -> list[duplicates.Candidate]:
    """The candidates ``user`` may be shown for a new file with ``data`` (see the docstring)."""
    official = idnumber.sees_full(user)
    found = duplicates.candidates(
        id_number=data.get("id_number", "") if official else "",
        name=data.get("name", ""),
        date_of_birth=data.get("date_of_birth"),
        village=data.get("village"),
        school=data.get("school"),
        queryset=Child.objects.visible_to(user),
    )
    if not official:
        for candidate in found:
            candidate.reasons = [r for r in candidate.reasons if r in NAME_REASONS]
        found = [c for c in found if c.reasons]
    for candidate in found:
        candidate.shown_id_number = idnumber.shown_to(user, candidate.child.id_number)
    return found


def create_warning(request, form, context: dict):
    """The form again with the candidates, or None to go on and save (no candidate, the user
    confirmed, or the form has errors to show)."""
    if request.method != "POST" or not form.is_valid():
        return None
    if form.cleaned_data.get("confirm_duplicate"):
        return None
    found = shown_candidates(request.user, form.cleaned_data)
    if not found:
        return None
    audit.shown(request, [c.child for c in found])
    form.ask_to_confirm()
    return render(
        request, "registry/child_form.html", {**context, "form": form, "candidates": found}
    )


def create_child(*, by, confirm_duplicate=False, **fields) -> Child:
    """``services.create_child``, then the file's suspected pairs noted for the officials."""
    child = services.create_child(by=by, **fields)
    merging.note_pairs(child=child)
    return child


# --- The officials' list ----------------------------------------------------------------------


def pairs_for_list(user):
    """The stored pairs whose two files ``user`` may open: a county official's, both of their
    county (a pair across two counties is answered by neither; a transfer comes first)."""
    pairs = access.scope_children(DuplicatePair.objects.all(), user, "first")
    return (
        access.scope_children(pairs, user, "second")
        .filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
        .select_related("first__school", "first__village__town")
        .select_related("second__school", "second__village__town")
        .order_by("-found_at", "first_id", "second_id")
    )


@audit.shows_personal_data
@official_only
def duplicate_list(request):
    page = Paginator(pairs_for_list(request.user), settings.LBC_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.shown(request, [c for pair in page for c in (pair.first, pair.second)])
    merges = access.scope_children(
        ChildMerge.objects.select_related("survivor", "duplicate"), request.user, "survivor"
    ).filter(undone_at__isnull=True)[:10]
    return render(request, "registry/duplicate_list.html", {"page": page, "merges": merges})


# --- Comparing two files, answering, merging --------------------------------------------------


def _record_counts(child: Child) -> list[tuple[str, int]]:
    counts = []
    for model, field in merging._relations():
        count = model._base_manager.filter(**{field.name: child.pk}).count()
        if count:
            counts.append((str(model._meta.verbose_name_plural), count))
    return counts


@audit.shows_personal_data
@official_only
def duplicate_compare(request, pk, other_pk):
    queryset = Child.objects.select_related("school", "village__town", "county")
    first = get_child_for_user(request, pk, queryset=queryset)
    second = get_child_for_user(request, other_pk, queryset=queryset)
    if request.method == "POST":
        response = _answer(request, first, second)
        if response is not None:
            return response
    reasons = duplicates.reasons_between(
        (first.id_number, first.name, first.date_of_birth, first.village_id,
         first.village.town_id, first.school_id),
        (second.id_number, second.name, second.date_of_birth, second.village_id,
         second.village.town_id, second.school_id),
    )  # fmt: skip
    return render(
        request,
        "registry/duplicate_compare.html",
        {
            "first": first,
            "second": second,
            "reasons": [duplicates.R(r).label for r in reasons],
            "fields": _side_by_side(first, second),
            "counts": (_record_counts(first), _record_counts(second)),
        },
    )


SIDE_BY_SIDE = (
    "name", "id_number", "sex", "date_of_birth", "school", "grade", "village", "guardian",
    "status", "father_away", "mother_away", "wishes", "notes",
)  # fmt: skip


def _side_by_side(first: Child, second: Child) -> list[tuple[str, str, str, bool]]:
    rows = []
    for name in SIDE_BY_SIDE:
        field = Child._meta.get_field(name)
        a, b = (_display(c, name) for c in (first, second))
        rows.append((str(field.verbose_name), a, b, a != b))
    return rows


def _display(child: Child, name: str) -> str:
    if name == "id_number":
        return child.id_number  # officials only reach this page
    getter = getattr(child, f"get_{name}_display", None)
    value = getter() if getter else getattr(child, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def _answer(request, first: Child, second: Child):
    action = request.POST.get("action")
    try:
        if action == "not_duplicate":
            merging.mark_not_duplicate(first=first, second=second, by=request.user)
            messages.success(request, _("Recorded: these are two different children."))
            return redirect("registry:duplicate_list")
        if action in ("keep_first", "keep_second"):
            survivor, other = (first, second) if action == "keep_first" else (second, first)
            record = merging.merge(survivor=survivor, duplicate=other, by=request.user)
            messages.success(request, _("The two files were merged."))
            return redirect("registry:child_merge", pk=record.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    messages.error(request, _("Choose an action."))
    return None


@audit.shows_personal_data
@official_only
def child_merge(request, pk):
    record = get_object_or_404(
        access.scope_children(
            ChildMerge.objects.select_related("survivor", "duplicate", "merged_by", "undone_by"),
            request.user,
            "survivor",
        ),
        pk=pk,
    )
    audit.shown(request, [record.survivor, record.duplicate])
    if request.method == "POST":
        try:
            merging.undo(record=record, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The merge was undone."))
        return redirect("registry:child_merge", pk=record.pk)
    return render(
        request,
        "registry/child_merge.html",
        {"merge": record, "deadline": merging.undo_deadline(record), "moved": len(record.moved)},
    )
