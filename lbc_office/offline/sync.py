"""One record made on a phone with no signal, sent when the signal returns (docs/OFFLINE.md).

Each record is checked and saved exactly as the page's form would: the child fetched through
``registry.selectors.get_child_for_user`` (out of scope: refused), the same form, the same
service, under the one-time key the phone made when the form was opened
(``lbc_office.core.idempotency.keys.once``), so a record sent twice — from two tabs, or again
after a lost answer — is stored once. A refusal comes back with the reasons in the user's
language, to be shown on the phone as "needs your attention"; nothing is dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.idempotency import keys
from programmes import services as programme_services
from programmes.forms import FamilyCallForm, HomeVisitForm
from registry.selectors import get_child_for_user
from volunteers.forms import checkin_form_class
from volunteers.models import Assignment, MonthlyCheckin, Volunteer, month_start
from volunteers.services import care

MAX_RECORDS = 50  # per request: a phone sends its queue in batches
CHECKIN_FIELDS = ("roles_done", "contact", "notes", "concern")


@dataclass
class Result:
    key: str
    status: str  # "saved" or "refused"
    messages: list[str] = field(default_factory=list)
    replayed: bool = False

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "status": self.status,
            "messages": self.messages,
            "replayed": self.replayed,
        }


def _form_data(data) -> QueryDict:
    """The record's fields as a form's POST data (a list is a multiple choice)."""
    query = QueryDict(mutable=True)
    for name, value in (data if isinstance(data, dict) else {}).items():
        values = value if isinstance(value, list) else [value]
        query.setlist(str(name), ["" if v is None else str(v) for v in values])
    return query


def _valid(form) -> dict:
    """The form's cleaned data, or a ValidationError with its reasons in plain words."""
    if form.is_valid():
        return form.cleaned_data
    reasons = []
    for name, errors in form.errors.items():
        label = capfirst(form.fields[name].label) if name in form.fields else ""
        reasons += [f"{label}: {error}" if label else str(error) for error in errors]
    raise ValidationError(reasons)


def _only(cleaned: dict, names) -> dict:
    """The form's own fields (a field another form layer adds, e.g. a key, is not the model's)."""
    return {name: cleaned[name] for name in names if name in cleaned}


def _record_visit(request, record: dict):
    child = get_child_for_user(request, record["target"], edit=True)
    cleaned = _valid(HomeVisitForm(_form_data(record.get("data"))))
    visit = programme_services.record_home_visit(
        child=child,
        visitor=request.user,
        by=request.user,
        **_only(cleaned, HomeVisitForm._meta.fields),
    )
    return 201, {"id": visit.pk}, visit


def _record_call(request, record: dict):
    child = get_child_for_user(request, record["target"], edit=True)
    form = FamilyCallForm(_form_data(record.get("data")), child=child)
    call = programme_services.record_family_call(
        child=child, by=request.user, **_only(_valid(form), FamilyCallForm._meta.fields)
    )
    return 201, {"id": call.pk}, call


def _my_assignment(request, pk) -> Assignment:
    """One of the signed-in volunteer's active assignments, as the check-in page finds it."""
    volunteer = (
        Volunteer.objects.filter(user=request.user, active=True).first()
        if request.user.is_volunteer
        else None
    )
    if volunteer is None:
        raise Http404
    assignment = (
        Assignment.objects.active()
        .filter(volunteer=volunteer, pk=pk)
        .select_related("child")
        .first()
    )
    if assignment is None:
        raise Http404
    audit.shown(request, assignment.child_id)
    return assignment


def _record_checkin(request, record: dict):
    assignment = _my_assignment(request, record["target"])
    cleaned = _valid(checkin_form_class(assignment)(_form_data(record.get("data"))))
    if record.get("month") and record["month"] != f"{month_start(timezone.localdate()):%Y-%m}":
        raise ValidationError(_("This month is closed: its check-in can no longer be changed."))
    checkin = care.open_checkin(assignment=assignment)
    _refuse_if_done_meanwhile(request, checkin, record.get("opened_at"))
    checkin = care.submit_checkin(
        checkin=checkin, by=request.user, **_only(cleaned, CHECKIN_FIELDS)
    )
    return 200, {"id": checkin.pk}, checkin


def _refuse_if_done_meanwhile(request, checkin: MonthlyCheckin, opened_at) -> None:
    """A check-in someone else recorded, or this user recorded again after the phone's form
    was opened, is not overwritten by the older record from the phone."""
    if checkin.status != MonthlyCheckin.Status.DONE or checkin.submitted_at is None:
        return
    opened = parse_datetime(opened_at) if isinstance(opened_at, str) else None
    by_someone_else = checkin.submitted_by_id != request.user.pk
    if by_someone_else or (opened is not None and checkin.submitted_at > opened):
        when = timezone.localtime(checkin.submitted_at)
        raise ValidationError(
            _(
                "This month's check-in was already recorded by %(who)s on %(when)s; "
                "the one on this phone was not saved."
            )
            % {"who": checkin.submitted_by or _("the office"), "when": f"{when:%Y-%m-%d %H:%M}"}
        )


KINDS = {"visit": _record_visit, "call": _record_call, "checkin": _record_checkin}


def save(request, record) -> Result:
    """Check and save one record from the phone; never raises for a refusal."""
    record = record if isinstance(record, dict) else {}
    key = str(record.get("key") or "")
    kind = KINDS.get(record.get("kind"))
    target = record.get("target")
    if kind is None or not str(target or "").isdigit() or len(str(target)) > 18:
        return Result(key, "refused", [_("This record cannot be read; discard it.")])
    try:
        answer = keys.once(
            user=request.user,
            key=key,
            scope=f"offline:{record['kind']}",
            create=lambda: kind(request, record),
        )
    except (Http404, PermissionDenied):
        return Result(
            key,
            "refused",
            [_("This child is no longer on your list, so the record was not saved.")],
        )
    except ValidationError as exc:
        return Result(key, "refused", [str(message) for message in exc.messages])
    return Result(key, "saved", replayed=answer.replayed)
