"""Creating notifications and delivering them by email and SMS, each exactly once.

``send_once()`` writes the inbox row and one pending delivery per channel the recipient can be
reached on, all in the caller's transaction; after commit, a task delivers them. A delivery is
claimed by a conditional update (pending → sending) before anything is sent, so concurrent
workers or a rerun never send twice; a failure puts it back with a later ``next_attempt_at``
and the periodic sweep retries it, without holding up anyone else's.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import Concern
from casework.services import concerns
from lbc_office.core.models import Role, User
from lbc_office.core.queue import enqueue_on_commit
from volunteers.models import Delivery, MonthlyCheckin, Notification
from volunteers.sms import SmsError, get_backend

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SMS_IS_THE_MESSAGE = {Notification.Kind.CHECKIN_SMS, Notification.Kind.SMS_REPLY}
STUCK_AFTER = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Recipient:
    key: str  # "user:5", "volunteer:7", "organisation:3"
    user: User | None = None
    email: str = ""
    phone: str = ""

    @classmethod
    def for_user(cls, user: User) -> Recipient:
        return cls(key=f"user:{user.pk}", user=user, email=user.email, phone=user.phone)

    @classmethod
    def for_volunteer(cls, volunteer, *, sms: bool = True) -> Recipient:
        """``sms=False``: not by SMS (the volunteer's phone gets one SMS per check-in instead,
        ``sms_replies.send_checkin_texts``)."""
        user = volunteer.user if volunteer.user_id and volunteer.user.is_active else None
        return cls(
            key=f"volunteer:{volunteer.pk}",
            user=user,
            email=volunteer.email or (user.email if user else ""),
            phone=(volunteer.phone or (user.phone if user else "")) if sms else "",
        )

    @classmethod
    def for_organisation(cls, organisation) -> Recipient:
        user = organisation.coordinator
        return cls(
            key=f"organisation:{organisation.pk}",
            user=user if user and user.is_active else None,
            email=organisation.email,
            phone=organisation.phone,
        )


def send_once(
    recipient: Recipient, *, kind: str, period: str, subject: str, body: str, link: str = ""
) -> Notification | None:
    """Record one notification per (recipient, kind, period) and queue its deliveries for after
    the commit; None if it already exists (sent once, whoever asks again)."""
    if Notification.objects.filter(recipient_key=recipient.key, kind=kind, period=period).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: losing a race must not spoil the caller's
            notification = Notification.objects.create(
                recipient_key=recipient.key,
                user=recipient.user,
                kind=kind,
                period=period,
                subject=subject[:200],
                body=body,
                link=link,
            )
    except IntegrityError:  # a concurrent run created it first
        return None
    deliveries = []
    if recipient.email:
        deliveries.append(
            Delivery(notification=notification, channel="email", address=recipient.email)
        )
    if recipient.phone:
        deliveries.append(
            Delivery(notification=notification, channel="sms", address=recipient.phone)
        )
    Delivery.objects.bulk_create(deliveries)
    if deliveries:
        # By name: volunteers.tasks imports this module (lbc_office/core/queue.py).
        enqueue_on_commit("volunteers.tasks.deliver_notification", notification.pk)
    return notification


def officials(county_code: str) -> list[Recipient]:
    """The active officials of the county (``registry.County.code``) — a county's children
    are its officials' business. A county with none left hears through the city's (municipal)
    officials, so that no concern goes unheard."""
    active = User.objects.filter(role=Role.OFFICIAL, is_active=True).order_by("pk")
    users = list(active.filter(county_code=county_code)) or list(active.filter(county_code=""))
    return [Recipient.for_user(u) for u in users]


def concern_raised(checkin: MonthlyCheckin) -> None:
    """A volunteer is worried about a child: every official hears of it now, with a link to
    the concern's page (``checkin.concern_record``)."""
    assignment = checkin.assignment
    link = (
        checkin.concern_record.get_absolute_url()
        if checkin.concern_record_id
        else reverse("registry:child_detail", args=[assignment.child_id])
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Concern raised about %(child)s") % {"child": assignment.child.name}
        body = _("%(volunteer)s (%(role)s) is worried about %(child)s this month.%(notes)s") % {
            "volunteer": assignment.volunteer.name,
            "role": assignment.get_role_display(),
            "child": assignment.child.name,
            "notes": f"\n{checkin.notes}" if checkin.notes else "",
        }
    for recipient in officials(checkin.county.code):
        send_once(
            recipient,
            kind=Notification.Kind.CONCERN,
            period=f"checkin:{checkin.pk}",
            subject=subject,
            body=body,
            link=link,
        )


@transaction.atomic
def escalate_overdue_concerns(now=None) -> list[Concern]:
    """Concerns nobody looked at by their deadline escalate to every official of the child's
    county, once.

    ``casework`` claims each concern once (a row lock and a conditional UPDATE of
    ``escalated_at``); the messages are written in the same transaction, one per official and
    concern (``send_once``), so a failure undoes the claim and the next scan tries again.
    """
    claimed = concerns.claim_overdue(now=now)
    for concern in claimed:
        recipients = officials(concern.county.code)
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Concern about %(child)s not looked at in time") % {
                "child": concern.child.name
            }
            body = _(
                "%(kind)s (%(severity)s), raised by %(who)s on %(raised)s, was to be looked at "
                "by %(due)s. Nobody has yet: please look at it now."
            ) % {
                "kind": concern.get_kind_display(),
                "severity": concern.get_severity_display(),
                "who": concern.raised_by,
                "raised": f"{timezone.localtime(concern.raised_at):%Y-%m-%d %H:%M}",
                "due": f"{timezone.localtime(concern.due_at):%Y-%m-%d %H:%M}",
            }
        for recipient in recipients:
            send_once(
                recipient,
                kind=Notification.Kind.CONCERN_OVERDUE,
                period=f"concern:{concern.pk}",
                subject=subject,
                body=body,
                link=concern.get_absolute_url(),
            )
    return claimed


# --- Delivery -----------------------------------------------------------------------------


def mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark ``user``'s unread messages read: one (``notification``, theirs) or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())


def deliver(delivery_id: int) -> bool:
    """Send one delivery if this call wins the claim; True when it was sent now."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    notification = delivery.notification
    try:
        subject, text = outbound_text(notification)
        if delivery.channel == Delivery.Channel.EMAIL:
            send_mail(subject, text, None, [delivery.address], fail_silently=False)
        else:
            get_backend().send(delivery.address, f"【{_('LBC Office')}】{text}")
    except (SmsError, OSError) as exc:
        failed = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            next_attempt_at=timezone.now() + datetime.timedelta(minutes=2**delivery.attempts),
            last_error=str(exc)[:500],
        )
        log.warning("delivery %s (%s) failed: %s", delivery.pk, delivery.channel, exc)
        return False
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def deliver_notification(notification_id: int) -> int:
    ids = Delivery.objects.filter(
        notification_id=notification_id, status=Delivery.Status.PENDING
    ).values_list("pk", flat=True)
    return sum(deliver(pk) for pk in list(ids))


def sweep(limit: int = 500) -> int:
    """Send what is due (new, or waiting for a retry) and free claims whose worker died."""
    now = timezone.now()
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STUCK_AFTER
    ).update(status=Delivery.Status.PENDING)
    due = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=Delivery.Status.PENDING,
    ).values_list("pk", flat=True)[:limit]
    return sum(deliver(pk) for pk in list(due))


def outbound_text(notification: Notification) -> tuple[str, str]:
    """The subject and text of the email and the SMS: what kind of message is waiting, and
    where to read it; never the message itself. Email and SMS leave the office's systems (the
    provider, the phone's lock screen, a shared family mailbox), so they carry no personal data
    — no child's name, no volunteer's notes, no record key: the inbox behind the sign-in holds
    the message. Someone without a login is asked to contact the office.

    The exception, ``SMS_IS_THE_MESSAGE``: the monthly check-in SMS and the answer to a reply
    (``volunteers.services.sms_replies``) go to the phone of the volunteer who looks after the
    child, by SMS only, so that a volunteer without a smartphone can check in: they name the
    child (never an identity number) and the check-in's code."""
    if notification.kind in SMS_IS_THE_MESSAGE:
        return str(notification.subject), str(notification.body)
    with translation.override(settings.LANGUAGE_CODE):
        kind = notification.get_kind_display()
        subject = _("LBC Office: %(kind)s") % {"kind": kind}
        if notification.user_id:
            url = settings.LBC_SITE_URL.rstrip("/") + reverse("volunteers:inbox")
            text = _("%(kind)s: a new message is waiting for you. Sign in to read it: %(url)s") % {
                "kind": kind,
                "url": url,
            }
        else:
            text = _("%(kind)s: please contact the office for the details.") % {"kind": kind}
    return str(subject), str(text)
