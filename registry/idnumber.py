"""Resident identity numbers (居民身份证号码): parsing, checking and masking.

18 characters: a 6-digit area code, the birth date as YYYYMMDD, a 3-digit sequence whose last
digit is odd for boys and even for girls, and a check character (ISO 7064 MOD 11-2, 0–9 or X)
that ``python-stdnum`` computes. Every failure is a ``ValidationError`` whose message says what
is wrong in words a county clerk can act on.
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric

# Province-level prefixes in use (11 Beijing … 65 Xinjiang; 71 Taiwan, 81/82 Hong Kong/Macao).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}  # fmt: skip
_LAST = frozenset("0123456789X")
_SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F", the codes of registry.models.Sex


def normalise(value: str) -> str:
    """What the clerk meant: no spaces or dashes, full-width digits folded, a capital X."""
    if (
        value
        and len(value) == 18
        and value[:17].isdigit()
        and value.isascii()
        and value[17] in _LAST
    ):
        return value  # already as it should be: the usual case, and the fast one
    value = (value or "").strip().upper()
    value = value.translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX"))
    return re.sub(r"[\s\-]", "", value)


def parse(value: str) -> IdInfo:
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(
            _("An identity number has 18 characters; this one has %(count)d.")
            % {"count": len(number)},
            code="length",
        )
    if not _SHAPE.match(number):
        raise ValidationError(
            _("An identity number is 17 digits followed by a digit or X."), code="format"
        )
    if number[:2] not in _PROVINCES:
        raise ValidationError(
            _("The first two digits (%(code)s) are not a province's area code.")
            % {"code": number[:2]},
            code="area",
        )
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:  # an impossible date
        raise ValidationError(
            _("Characters 7 to 14 (%(digits)s) are not a real date of birth.")
            % {"digits": number[6:14]},
            code="birth_date",
        ) from None
    expected = _check_character(number)
    if number[-1] != expected:
        raise ValidationError(
            _(
                "The last character should be %(expected)s, not %(actual)s: "
                "one of the digits was probably typed wrong."
            )
            % {"expected": expected, "actual": number[-1]},
            code="checksum",
        )
    sex = "M" if int(number[16]) % 2 else "F"
    return IdInfo(number=number, birth_date=birth_date, sex=sex)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _check_character(number: str) -> str:
    """ISO 7064 MOD 11-2, as GB 11643 defines it (the same as ``stdnum.cn.ric``; a test checks
    they agree). Computed here because imports check tens of thousands of numbers at once."""
    total = sum(map(operator.mul, map(int, number[:17]), _WEIGHTS))
    return "10X98765432"[total % 11]


def check_digit_for(first17: str) -> str:
    """The check character for 17 digits (used by the demo data and test factories).

    stdnum's ``calc_check_digit`` takes a whole 18-character number and ignores its last
    character, so any placeholder will do there.
    """
    return ric.calc_check_digit(first17 + "0")


SHOWN = 6  # the mask shows the area code (positions 1-6) and nothing after it


def mask(number: str) -> str:
    """``500238************``: the area code only; the birth date, the sequence and the check
    character stay hidden.

    Why so much is hidden: whoever sees a masked number on a file also sees the child's birth
    date (positions 7-14), sex (the parity of position 17) and county. Position 18 is a function
    of the first 17 (ISO 7064 MOD 11-2), so the only secret in a number is the three sequence
    digits (positions 15-17), and sex already halves them: 500 candidates. Showing any of
    positions 15-17 divides the candidates by ten per digit (one shown: 50, two: 5, three: 1);
    showing the check character divides them by about eleven (about 45 left). The old mask
    (``500238********0578``) hid only the birth date, which the same page shows: it hid nothing.
    This mask leaves all 500 candidates, and the oracles that could test them (the search by
    number, the "already registered" answer) are limited for non-officials (see
    ``registry.filters.search_q``, ``neutral_duplicate`` and docs/security/idnum.md).

    A value that is not a number's shape (e.g. an anonymised file's placeholder) is all stars.
    """
    if len(number or "") != 18 or not number[:SHOWN].isdigit():
        return "*" * len(number or "")
    return number[:SHOWN] + "*" * (18 - SHOWN)


def sees_full(user) -> bool:
    """Whether ``user`` sees (and may change) whole identity numbers: county officials only.

    The rule itself lives in ``registry.access``; this is the name the masking code uses.
    """
    from registry import access

    return access.sees_full_id_number(user)


def shown_to(user, number: str) -> str:
    """The identity number as ``user`` may see it: whole for officials, masked for anyone else.

    The one function every page, form, download, message and history entry goes through (the
    template tag ``{% id_number child %}`` and the filter ``|id_number_for:user`` call it).
    """
    return number if sees_full(user) else mask(number)


def stored_number_error() -> ValidationError:
    """What a non-official reads when the number already on a file fails a check: the check's
    own message would quote digits of a number they may not see."""
    return ValidationError(
        _("The identity number on this file needs checking by the county office."),
        code="ask_the_office",
    )


def neutral_duplicate(user, exc: ValidationError) -> ValidationError:
    """``exc`` as ``user`` may read it: for a non-official, "this number is already registered"
    becomes a neutral answer that sends them to the office.

    The precise answer would confirm that a number belongs to a registered child, maybe one
    outside the user's scope (another school, another county's transfer). The neutral answer
    is the same whichever file holds the number, in scope or not; officials get the precise
    one. Other errors pass unchanged.
    """
    if sees_full(user) or not hasattr(exc, "error_dict"):
        return exc
    errors = dict(exc.error_dict)
    if any(e.code == "unique" for e in errors.get("id_number", [])):
        count_lookup(user, "already registered")
        errors["id_number"] = [
            ValidationError(
                _(
                    "This identity number cannot be registered from your account. "
                    "Please ask the county office, who will check it."
                ),
                code="ask_the_office",
            )
        ]
    return ValidationError(errors)


# --- Lookups by number: the oracles, limited -------------------------------------------------


LOOKUP = "registry.idnumber_lookup"  # the audit events' record type for a lookup


def _today_start():
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def lookups_left(user) -> bool:
    """Whether ``user`` may still look a child up by identity number today.

    A non-official knows 500 candidates for a number they see masked (see ``mask``); a lookup
    that answers "found" or "already registered" confirms one. Each such lookup (a search by a
    number, a refused "already registered") is an audit event (``count_lookup``), and a
    non-official makes at most ``settings.LBC_ID_LOOKUPS_PER_DAY`` a day: trying the 500 would
    take weeks, all in the audit log. Officials are not limited.
    """
    from django.conf import settings

    from lbc_office.core.models import AuditEvent

    if sees_full(user):
        return True
    if user is None or getattr(user, "pk", None) is None:
        return False
    done = AuditEvent.objects.filter(user=user, object_type=LOOKUP, at__gte=_today_start())
    return done.count() < settings.LBC_ID_LOOKUPS_PER_DAY


def count_lookup(user, what: str) -> None:
    """Record a non-official's lookup by number (the audit event carries no number)."""
    from lbc_office.core import audit

    if user is None or getattr(user, "pk", None) is None or sees_full(user):
        return
    audit.record(audit.Action.VIEW, user=user, object_type=LOOKUP, detail=what)


def lookups_refused_error() -> ValidationError:
    return ValidationError(
        _(
            "You have looked up many identity numbers today. Please ask the county office, "
            "who will check this number."
        ),
        code="lookups_refused",
    )
