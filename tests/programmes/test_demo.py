"""``seed_demo`` grows the programmes' records: believable, valid, seen by the demo teacher."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from lbc_office.core.models import User
from programmes import selectors
from programmes.models import (
    Attendance,
    Donation,
    Enrolment,
    FamilyCall,
    Handover,
    HomeVisit,
    ParentVisit,
    Programme,
)

pytestmark = pytest.mark.django_db


def _seed(children: int) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--children", str(children), stdout=out)
    return out.getvalue()


def test_the_demo_county_has_visits_calls_programmes_and_donations():
    output = _seed(120)
    today = timezone.localdate()
    teacher = User.objects.get(username="teacher")
    official = User.objects.get(username="official")

    assert HomeVisit.objects.filter(visitor=teacher).count() >= 5
    assert selectors.open_follow_ups(teacher, today=today).exists()  # some follow-ups due
    assert HomeVisit.objects.filter(follow_up_needed=True, follow_up_by__gt=today).exists()
    assert FamilyCall.objects.count() >= 50
    assert ParentVisit.objects.exists()
    gaps = selectors.contact_gap_counts(official, today=today)
    assert 0 < gaps[90] < len(selectors.children_with_last_contact(official, today=today))
    assert set(Programme.objects.values_list("kind", flat=True)) == set(Programme.Kind.values)
    assert Enrolment.objects.count() >= 50
    assert Enrolment.objects.filter(ends_on__isnull=False).exists()  # the summer camp
    assert Attendance.objects.exists()
    donations = list(Donation.objects.with_traced())
    assert any(d.traced == d.value for d in donations)  # traced in full
    assert any(0 < d.traced < d.value for d in donations)  # and in part
    assert any(d.traced == 0 for d in donations)

    for model in (HomeVisit, FamilyCall, ParentVisit, Enrolment, Donation, Handover):
        for record in model.objects.all():
            record.full_clean()
            assert record.created_by is not None
            assert record.history.exists()
    assert "home visits" in output
    assert "family-room calls" in output


def test_a_tiny_demo_county_still_seeds(monkeypatch):
    from lbc_office.demo import volunteers as demo_volunteers

    monkeypatch.setattr(demo_volunteers, "seed", lambda **kwargs: {})  # this app's part only
    _seed(3)
    assert Programme.objects.count() == len(Programme.Kind.values)
