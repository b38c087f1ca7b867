"""The monthly check-in by text message, for volunteers without a smartphone.

Out: ``send_checkin_texts`` sends each volunteer with a phone one SMS per check-in still to do,
naming the child and the check-in's four-letter code (``MonthlyCheckin.reply_code``, never an
identity number) and saying how to answer: "回复 KPWM 1 2 5 表示完成了第1、2、5项". It goes
through the notifications' deliveries (``notify.send_once``), exactly once per check-in and step.

In: the gateway POSTs each reply to ``/sms/inbound/`` (``volunteers.sms_views``: signature,
time window); ``receive`` stores it once per gateway message id and, when the reply is clear —
a known sender, one of their open check-ins (by code, or their only one), numbers in range —
ticks those roles through ``care.submit_checkin``, the same service as the form. Anything else
is never guessed: the sender gets a plain SMS back and the office a message to look at
(``InboundSms`` with status "needs attention", listed on the officials' page).
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lbc_office.core import audit
from volunteers.models import (
    CarerRole,
    CheckinRole,
    InboundSms,
    MonthlyCheckin,
    Notification,
    Volunteer,
    active_assignment_q,
    month_start,
)
from volunteers.models.checkins import CODE_LENGTH, CODE_LETTERS
from volunteers.services import care
from volunteers.services.notify import Recipient, send_once

CONTACTS = [  # a foster mother's or sibling's reply: one number
    MonthlyCheckin.Contact.VISIT,
    MonthlyCheckin.Contact.PHONE,
    MonthlyCheckin.Contact.NONE,
]
_CODE = re.compile(rf"^\s*([{CODE_LETTERS}]{{{CODE_LENGTH}}})(?![A-Z])")
_SEPARATORS = re.compile(r"[\s,，、;；.。:：]+")


class Unclear(Exception):
    """A reply the office must look at; the message is the reason, for the office."""


# --- Out: one SMS per check-in ------------------------------------------------------------------


def roles() -> list[CheckinRole]:
    """The roles in the order the SMS numbers them (and the check-in form shows them)."""
    return list(CheckinRole.objects.filter(active=True).order_by("position", "id"))


def checkin_text(checkin: MonthlyCheckin, numbered: list[CheckinRole]) -> str:
    child, code = checkin.assignment.child.name, checkin.reply_code
    if checkin.assignment.role == CarerRole.SURROGATE_PARENT:
        listed = " ".join(f"{i}.{role.label}" for i, role in enumerate(numbered, 1))
        return _(
            '%(child)s, this month (code %(code)s): %(roles)s. Reply "%(code)s 1 2 5" if you '
            "did items 1, 2 and 5."
        ) % {"child": child, "code": code, "roles": listed}
    return _(
        '%(child)s, this month (code %(code)s): reply "%(code)s 1" if you visited, '
        '"%(code)s 2" by phone or video, "%(code)s 3" if there was no contact.'
    ) % {"child": child, "code": code}


def send_checkin_texts(month, *, reminder: bool = False) -> int:
    """One SMS per open check-in of ``month`` to its volunteer's phone, once per step."""
    rows = (
        MonthlyCheckin.objects.filter(
            active_assignment_q("assignment__"),
            month=month,
            status=MonthlyCheckin.Status.OPEN,
            assignment__volunteer__active=True,
        )
        .exclude(assignment__volunteer__phone="")
        .select_related("assignment__volunteer", "assignment__child")
        .order_by("pk")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        numbered = roles()
        for checkin in rows:
            volunteer = checkin.assignment.volunteer
            with transaction.atomic():
                sent += (
                    send_once(
                        Recipient(key=f"volunteer:{volunteer.pk}", phone=volunteer.phone),
                        kind=Notification.Kind.CHECKIN_SMS,
                        period=f"checkin:{checkin.pk}" + (":reminder" if reminder else ""),
                        subject=_("This month's check-in"),
                        body=checkin_text(checkin, numbered),
                    )
                    is not None
                )
    return sent


# --- In: a reply ---------------------------------------------------------------------------------


def normal_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def parse(text: str) -> tuple[str, list[int]]:
    """(code or "", the numbers) of a reply such as ``KPWM 1 2 5``, ``1,2,5``, ``１２５`` or
    ``1，2，5``; raises ``Unclear`` for anything else."""
    normal = unicodedata.normalize("NFKC", text or "").upper()
    code = ""
    if found := _CODE.match(normal):
        code, normal = found.group(1), normal[found.end() :]
    tokens = [token for token in _SEPARATORS.split(normal) if token]
    if not tokens or not all(token.isascii() and token.isdigit() for token in tokens):
        raise Unclear(_("The reply is not a list of numbers."))
    # "125" is 1, 2 and 5: no list has more than nine items.
    return code, sorted({int(digit) for token in tokens for digit in token})


def _sender(phone: str) -> Volunteer:
    variants = {phone, f"86{phone}", f"+86{phone}"}
    found = list(Volunteer.objects.filter(active=True, phone__in=variants)[:2])
    if len(found) != 1:
        raise Unclear(
            _("The sender's phone is not a volunteer's.")
            if not found
            else _("Several volunteers have this phone number.")
        )
    return found[0]


def _checkin(volunteer: Volunteer, code: str) -> MonthlyCheckin:
    mine = MonthlyCheckin.objects.filter(
        active_assignment_q("assignment__"),
        assignment__volunteer=volunteer,
        month=month_start(timezone.localdate()),
    ).select_related("assignment__child")
    if code:
        matched = [
            c for c in mine.exclude(status=MonthlyCheckin.Status.MISSED) if c.reply_code == code
        ]
        if not matched:
            raise Unclear(_("No check-in of this volunteer this month has that code."))
        return matched[0]
    open_ones = list(mine.filter(status=MonthlyCheckin.Status.OPEN)[:2])
    if not open_ones:
        raise Unclear(_("The volunteer has no check-in to do this month."))
    if len(open_ones) > 1:
        raise Unclear(_("The volunteer has several check-ins to do: the reply gives no code."))
    return open_ones[0]


def _fields(checkin: MonthlyCheckin, numbers: list[int]) -> dict:
    if checkin.assignment.role == CarerRole.SURROGATE_PARENT:
        numbered = roles()
        if not numbers or any(not 1 <= n <= len(numbered) for n in numbers):
            raise Unclear(_("A number is not one of the check-in's items."))
        return {"roles_done": [numbered[n - 1] for n in numbers]}
    if len(numbers) != 1 or not 1 <= numbers[0] <= len(CONTACTS):
        raise Unclear(_("The reply should be one number: 1, 2 or 3."))
    return {"contact": CONTACTS[numbers[0] - 1]}


@transaction.atomic
def receive(*, message_id: str, sender: str, text: str) -> InboundSms | None:
    """Store the gateway's message once (None: this message id came before, nothing is done
    again) and act on it: a clear reply ticks the check-in, any other asks the office."""
    try:
        with transaction.atomic():
            inbound = InboundSms.objects.create(
                message_id=message_id, sender=normal_phone(sender)[:20], text=(text or "")[:500],
                status=InboundSms.Status.NEEDS_ATTENTION,
            )  # fmt: skip
    except IntegrityError:
        return None
    audit.record(audit.Action.CREATE, user=None, obj=inbound, detail="inbound sms")
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _understand(inbound)
        except Unclear as exc:
            _needs_attention(inbound, str(exc))
        except ValidationError as exc:
            _needs_attention(inbound, "; ".join(exc.messages))
    return inbound


def _understand(inbound: InboundSms) -> None:
    volunteer = _sender(inbound.sender)
    inbound.volunteer = volunteer
    code, numbers = parse(inbound.text)
    checkin = _checkin(volunteer, code)
    inbound.checkin = checkin
    user = volunteer.user if volunteer.user_id and volunteer.user.is_active else None
    care.submit_checkin(
        checkin=checkin, by=user, detail=f"by sms {inbound.pk}", **_fields(checkin, numbers)
    )
    inbound.status = InboundSms.Status.RECORDED
    inbound.save(update_fields=["volunteer", "checkin", "status", "updated_at"])
    listed = "、".join(str(n) for n in numbers)
    thanks = _("Received: this month's check-in %(code)s is recorded (%(items)s). Thank you!")
    _reply(inbound, thanks % {"code": checkin.reply_code, "items": listed})


def _needs_attention(inbound: InboundSms, reason: str) -> None:
    inbound.status = InboundSms.Status.NEEDS_ATTENTION
    inbound.reason = reason[:200]
    inbound.save(update_fields=["volunteer", "checkin", "status", "reason", "updated_at"])
    audit.record(audit.Action.CHANGE, user=None, obj=inbound, detail="inbound sms unclear")
    _reply(
        inbound,
        _(
            "Sorry, we could not read your message. Reply with the code and the numbers of what "
            'you did, for example "KPWM 1 2 5". The office will also call you.'
        ),
    )


def _reply(inbound: InboundSms, text: str) -> None:
    """A plain SMS back to the sender, through the notifications' deliveries (retried)."""
    key = f"volunteer:{inbound.volunteer_id}" if inbound.volunteer_id else "unknown-sender"
    send_once(
        Recipient(key=key, phone=inbound.sender),
        kind=Notification.Kind.SMS_REPLY,
        period=f"sms:{inbound.pk}",
        subject=_("Answer to a text message"),
        body=text,
    )


@transaction.atomic
def mark_handled(*, inbound: InboundSms, by) -> InboundSms:
    updated = InboundSms.objects.filter(
        pk=inbound.pk, status=InboundSms.Status.NEEDS_ATTENTION
    ).update(status=InboundSms.Status.HANDLED, handled_by=by, handled_at=timezone.now())
    inbound.refresh_from_db()
    if not updated:
        raise ValidationError(_("This message has already been handled."))
    audit.record(audit.Action.CHANGE, user=by, obj=inbound, detail="inbound sms handled")
    return inbound
