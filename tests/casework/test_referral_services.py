"""Referral services: who may refer and answer, the transitions, feedback history, repeats."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.models import Concern, Referral, ReferralUpdate
from casework.services import agencies
from casework.services import referrals as services
from lbc_office.core.models import AuditEvent
from registry.models import ChildStatus
from tests.factories import AgencyFactory, partner_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)


def _refer(personas, **overrides):
    fields = {
        "by": personas.official, "child": personas.child_a, "agency": personas.agency,
        "asked": "请上门了解监护情况", "due_on": NEXT_WEEK, **overrides,
    }  # fmt: skip
    return services.refer(**fields)


def _concern(child, by):
    return Concern.objects.create(
        county=child.county, child=child, kind="neglect", source="school", description="无人照看",
        raised_by=by, due_at=timezone.now(),
    )  # fmt: skip


def _errors(exc_info) -> set[str]:
    return set(exc_info.value.message_dict)


def test_an_official_refers_and_it_is_audited(personas):
    concern = _concern(personas.child_a, personas.teacher_a)
    referral = _refer(personas, concern=concern)
    assert (referral.status, referral.county_id) == ("sent", personas.child_a.county_id)
    assert referral.concern == concern and referral.sent_by == personas.official
    assert [(u.status, u.by) for u in referral.updates.all()] == [("sent", personas.official)]
    event = AuditEvent.objects.get(object_type="casework.referral", action="create")
    assert (event.user, event.child_id) == (personas.official, personas.child_a.pk)


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer", "partner"])
def test_only_officials_refer(personas, role):
    with pytest.raises(PermissionDenied):
        _refer(personas, by=getattr(personas, role))
    assert not Referral.objects.exists()


def test_the_same_referral_sent_twice_is_stored_once(personas):
    assert _refer(personas) == _refer(personas)
    assert Referral.objects.count() == 1 and ReferralUpdate.objects.count() == 1
    _refer(personas, asked="另一件事")  # something else asked: a second referral
    assert Referral.objects.count() == 2


def test_a_referral_is_refused_with_the_field_that_is_wrong(personas):
    closed = AgencyFactory(county=personas.agency.county, name="已撤销单位")
    closed.active = False
    closed.save()
    with pytest.raises(ValidationError) as wrong:
        _refer(personas, agency=closed, due_on=TODAY - datetime.timedelta(days=1))
    assert _errors(wrong) == {"agency", "due_on"}
    with pytest.raises(ValidationError) as wrong:
        _refer(personas, concern=_concern(personas.child_b, personas.official))
    assert _errors(wrong) == {"concern"}
    personas.child_a.status = ChildStatus.CLOSED
    personas.child_a.save()
    with pytest.raises(ValidationError) as wrong:
        _refer(personas)
    assert _errors(wrong) == {"child"}
    assert not Referral.objects.exists()


def test_each_step_keeps_its_feedback(personas):
    referral = _refer(personas)
    partner = personas.partner
    services.accept(referral=referral, by=partner, feedback="收到，本周安排")
    services.progress(referral=referral, by=partner, feedback="已家访")
    services.progress(referral=referral, by=partner, feedback="已联系学校")
    services.done(referral=referral, by=personas.official, feedback="已落实临时监护")
    referral.refresh_from_db()
    assert referral.status == "done" and referral.answered_at is not None
    steps = [(u.status, u.feedback, u.by, u.on_behalf) for u in referral.updates.all()]
    assert steps == [
        ("sent", "", personas.official, False),
        ("accepted", "收到，本周安排", partner, False),
        ("in_progress", "已家访", partner, False),
        ("in_progress", "已联系学校", partner, False),
        ("done", "已落实临时监护", personas.official, True),  # the office, for the partner
    ]
    changes = AuditEvent.objects.filter(object_type="casework.referral", action="change")
    assert changes.count() == 4 and {e.child_id for e in changes} == {personas.child_a.pk}


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "done"),  # sent → done: it was never accepted
        ([], "in_progress"),
        (["declined"], "accepted"),  # a declined referral is finished
        (["accepted", "done"], "in_progress"),
        (["cancelled"], "accepted"),
        ([], "bogus"),
    ],
)
def test_a_step_out_of_order_is_refused_with_a_message(personas, steps, refused):
    referral = _refer(personas)
    for status in steps:
        services.answer(referral=referral, by=personas.official, status=status, feedback="原因")
    before = ReferralUpdate.objects.count()
    with pytest.raises(ValidationError) as wrong:
        services.answer(referral=referral, by=personas.partner, status=refused, feedback="x")
    assert _errors(wrong) == {"status"}
    assert ReferralUpdate.objects.count() == before


def test_a_double_submitted_answer_is_recorded_once(personas):
    referral = _refer(personas)
    for _ in range(2):
        services.accept(referral=referral, by=personas.partner)
    for _ in range(2):
        services.progress(referral=referral, by=personas.partner, feedback="已家访")
    assert [u.status for u in referral.updates.all()] == ["sent", "accepted", "in_progress"]
    assert AuditEvent.objects.filter(object_type="casework.referral", action="change").count() == 2


def test_declining_finishing_and_withdrawing_say_why(personas):
    referral = _refer(personas)
    with pytest.raises(ValidationError) as wrong:
        services.decline(referral=referral, by=personas.partner, feedback="  ")
    assert _errors(wrong) == {"feedback"}
    with pytest.raises(ValidationError) as wrong:
        services.cancel(referral=referral, by=personas.official, feedback="")
    assert _errors(wrong) == {"feedback"}
    services.decline(referral=referral, by=personas.partner, feedback="不属于本单位职责")
    assert Referral.objects.get().status == "declined"


def test_only_the_organisations_partner_or_an_official_answers(personas):
    referral = _refer(personas)
    other = partner_of(AgencyFactory(county=personas.agency.county, name="县民政局"))
    for user in (other, personas.teacher_a, personas.volunteer, personas.viewer):
        with pytest.raises(PermissionDenied):
            services.accept(referral=referral, by=user)
    with pytest.raises(ValidationError) as wrong:  # a partner does not withdraw a referral
        services.answer(referral=referral, by=personas.partner, status="cancelled", feedback="x")
    assert _errors(wrong) == {"status"}
    with pytest.raises(PermissionDenied):
        services.cancel(referral=referral, by=personas.partner, feedback="x")
    services.cancel(referral=referral, by=personas.official, feedback="家长已回乡")
    assert Referral.objects.get().status == "cancelled"


def test_an_organisation_with_open_referrals_stays_active(personas):
    referral = _refer(personas)
    with pytest.raises(ValidationError) as wrong:
        agencies.set_agency_active(agency=personas.agency, by=personas.official, active=False)
    assert _errors(wrong) == {"active"}
    services.cancel(referral=referral, by=personas.official, feedback="重复")
    agencies.set_agency_active(agency=personas.agency, by=personas.official, active=False)
    personas.agency.refresh_from_db()
    assert not personas.agency.active
    # its partner now sees and answers nothing
    assert not Referral.objects.for_partner(personas.partner).exists()
    assert not services.may_answer(personas.partner, referral)


def test_a_partner_login_is_made_for_an_organisation(personas):
    user, password = agencies.create_partner_login(
        by=personas.official, agency=personas.agency, username="fulian2", full_name="王主任"
    )
    assert user.role == "partner" and user.must_change_password and password
    assert agencies.agency_of(user) == personas.agency
    with pytest.raises(PermissionDenied):
        agencies.create_partner_login(by=personas.teacher_a, agency=personas.agency, username="x")
    from lbc_office.core import accounts

    with pytest.raises(ValidationError) as wrong:  # it keeps its organisation: no role change
        accounts.change_role(user=user, role="teacher", by=personas.official)
    assert _errors(wrong) == {"role"}
