"""Overdue referrals are reminded once when overdue, then weekly, to the organisation's partner
logins and the referring official — exactly once however often the scan runs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.models import Referral, ReferralReminder
from casework.services import referrals as services
from lbc_office.core.models import Role
from tests.factories import UserFactory, partner_of
from volunteers.models import Notification
from volunteers.services.referral_reminders import remind_overdue_referrals

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def referral(personas):
    referral = services.refer(
        by=personas.official, child=personas.child_a, agency=personas.agency,
        asked="请上门了解监护情况", due_on=TODAY,
    )  # fmt: skip
    return referral


def _day(n):
    return TODAY + datetime.timedelta(days=n)


def test_an_overdue_referral_is_reminded_once_when_the_scan_runs_twice(personas, referral):
    assert remind_overdue_referrals(_day(0)) == {"referrals": 0, "messages": 0}  # due today
    assert remind_overdue_referrals(_day(1)) == {"referrals": 1, "messages": 2}
    assert remind_overdue_referrals(_day(1)) == {"referrals": 0, "messages": 0}
    assert ReferralReminder.objects.get().bucket == 0
    sent = Notification.objects.filter(kind="referral_overdue")
    assert {n.user for n in sent} == {personas.partner, personas.official}
    links = {n.user: n.link for n in sent}
    assert links[personas.partner] == f"/casework/partner/{referral.pk}/"
    assert links[personas.official] == referral.get_absolute_url()
    for n in sent:  # no child named, nothing of the file
        assert personas.child_a.name not in n.subject + n.body


def test_then_once_a_week_while_it_stays_open(personas, referral):
    reminded = [remind_overdue_referrals(_day(d))["referrals"] for d in range(1, 17)]
    # days 1, 8 and 15 overdue
    assert [d for d, n in zip(range(1, 17), reminded, strict=True) if n] == [1, 8, 15]
    assert sorted(ReferralReminder.objects.values_list("bucket", flat=True)) == [0, 1, 2]
    assert Notification.objects.filter(user=personas.partner).count() == 3


def test_a_finished_referral_is_not_reminded(personas, referral):
    services.decline(referral=referral, by=personas.partner, feedback="不属于本单位职责")
    assert remind_overdue_referrals(_day(3))["referrals"] == 0


def test_every_partner_login_of_the_organisation_hears_but_not_inactive_ones(personas, referral):
    second = partner_of(personas.agency, username="fulian-2")
    gone = partner_of(personas.agency, username="fulian-old")
    gone.is_active = False
    gone.save()
    UserFactory(role=Role.OFFICIAL, username="not-the-sender")
    remind_overdue_referrals(_day(2))
    users = set(Notification.objects.values_list("user__username", flat=True))
    assert users == {"partner", "fulian-2", "official"}
    assert second.pk


def test_the_claim_is_a_database_constraint(personas, referral):
    assert services.claim_reminder(referral=referral, bucket=0)
    assert not services.claim_reminder(referral=referral, bucket=0)
    assert ReferralReminder.objects.count() == 1
    assert services.due_reminders(_day(3)) == []


def test_the_overdue_list_lists_it(personas, referral):
    from django.urls import reverse

    Referral.objects.filter(pk=referral.pk).update(due_on=_day(-2))
    page = personas.client_for("official").get(reverse("referrals:list"), {"overdue": "true"})
    assert [r.pk for r in page.context["page"]] == [referral.pk]
