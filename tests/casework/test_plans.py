"""Case plans: the services' rules, and the closer that ends plan actions when a file leaves
active (and restores them on reopening)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.models import Agency, CasePlan, PlanAction, PlanReview
from casework.services import plans
from lbc_office.core.models import AuditEvent, Role
from registry import closure, risk
from registry.models import StatusChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def agency(child, **kw):
    return Agency.objects.create(
        county=child.county, name=kw.pop("name", "县妇女联合会"), kind="womens_federation", **kw
    )


@pytest.fixture
def plan(personas):
    risk.set_risk_level(
        child=personas.child_a, level="urgent", reason="独自在家", by=personas.official
    )
    return CasePlan.objects.get(child=personas.child_a)


def _action(plan, by, **kw):
    kw.setdefault("owner_user", by)
    return plans.save_action(
        plan=plan, by=by, what=kw.pop("what", "家访"), due_on=TODAY + DAY, **kw
    )


def test_an_urgent_child_gets_an_empty_plan_with_its_first_review_due(plan, personas):
    assert plan.next_review_on == TODAY + datetime.timedelta(days=plans.FIRST_REVIEW_DAYS)
    assert not plan.actions.exists()
    assert plans.open_plan(child=personas.child_a, by=personas.teacher_a) == plan  # the same


def test_an_action_is_owned_by_a_person_or_an_organisation_never_both(plan, personas):
    federation = agency(plan.child)
    by_agency = _action(plan, personas.official, owner_user=None, owner_agency=federation)
    assert by_agency.owner == federation
    for owners in ({"owner_user": None}, {"owner_agency": federation}):
        with pytest.raises(ValidationError) as exc:
            _action(plan, personas.official, what="另一件事", **owners)
        assert "owner_user" in exc.value.error_dict


def test_the_database_refuses_an_action_with_no_owner_or_two(plan, personas):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="planaction_one_owner"), transaction.atomic():
        PlanAction.objects.create(plan=plan, what="x", due_on=TODAY)
    with pytest.raises(IntegrityError, match="planaction_one_owner"), transaction.atomic():
        PlanAction.objects.create(
            plan=plan, what="x", due_on=TODAY, owner_user=personas.official,
            owner_agency=agency(plan.child),
        )  # fmt: skip


def test_an_owner_must_keep_this_childs_file(plan, personas):
    volunteer = personas.volunteer
    for user in (personas.teacher_b, volunteer, UserFactory(role=Role.PARTNER)):
        with pytest.raises(ValidationError) as exc:
            _action(plan, personas.official, owner_user=user)
        assert "owner_user" in exc.value.error_dict
    closed = agency(plan.child, name="已停用", active=False)
    with pytest.raises(ValidationError) as exc:
        _action(plan, personas.official, owner_user=None, owner_agency=closed)
    assert "owner_agency" in exc.value.error_dict


def test_an_action_sent_twice_is_saved_once_and_a_past_due_date_is_refused(plan, personas):
    first = _action(plan, personas.teacher_a)
    assert _action(plan, personas.teacher_a) == first
    assert plan.actions.count() == 1
    with pytest.raises(ValidationError) as exc:
        plans.save_action(
            plan=plan, by=personas.official, what="x", due_on=TODAY - DAY,
            owner_user=personas.official,
        )  # fmt: skip
    assert "due_on" in exc.value.error_dict


def test_completing_an_action_needs_an_outcome_and_is_safe_to_repeat(plan, personas):
    action = _action(plan, personas.teacher_a)
    with pytest.raises(ValidationError) as exc:
        plans.complete_action(action=action, outcome=" ", by=personas.teacher_a)
    assert "outcome" in exc.value.error_dict
    done = plans.complete_action(action=action, outcome="已见到奶奶", by=personas.teacher_a)
    assert done.done_by == personas.teacher_a and done.done_at is not None
    again = plans.complete_action(action=action, outcome="已见到奶奶", by=personas.teacher_a)
    assert again.done_at == done.done_at
    with pytest.raises(ValidationError):
        plans.complete_action(action=action, outcome="另一个结果", by=personas.teacher_a)
    with pytest.raises(ValidationError):  # a done action is not changed any more
        plans.save_action(
            plan=plan, by=personas.official, what="改", due_on=TODAY, action=done,
            owner_user=personas.official,
        )  # fmt: skip


def test_a_review_is_at_least_monthly_and_moves_the_next_one(plan, personas):
    for bad in (TODAY, TODAY + datetime.timedelta(days=plans.MAX_REVIEW_DAYS + 1)):
        with pytest.raises(ValidationError) as exc:
            plans.review_plan(plan=plan, note="ok", next_review_on=bad, by=personas.official)
        assert "next_review_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        plans.review_plan(plan=plan, note="", next_review_on=TODAY + DAY, by=personas.official)
    assert "note" in exc.value.error_dict
    due = TODAY + datetime.timedelta(days=30)
    review = plans.review_plan(plan=plan, note="好转", next_review_on=due, by=personas.official)
    assert plans.review_plan(plan=plan, note="好转", next_review_on=due, by=personas.official) == (
        review
    )
    plan.refresh_from_db()
    assert plan.next_review_on == due and PlanReview.objects.count() == 1


def test_a_plan_closes_only_below_high_and_its_open_actions_close_with_it(plan, personas):
    action = _action(plan, personas.official)
    with pytest.raises(ValidationError) as exc:
        plans.close_plan(plan=plan, note="好了", by=personas.official)
    assert "note" in exc.value.error_dict
    risk.set_risk_level(child=plan.child, level="low", reason="父母返乡", by=personas.official)
    plan.refresh_from_db()
    assert plan.is_open  # a lower level does not close it by itself
    closed = plans.close_plan(plan=plan, note="父母返乡", by=personas.official)
    assert closed.closed_by == personas.official
    action.refresh_from_db()
    assert action.closed_at is not None and action.done_at is None
    assert plans.close_plan(plan=plan, note="again", by=personas.official).closed_at == (
        closed.closed_at
    )
    with pytest.raises(ValidationError):
        _action(plan, personas.official, what="新的")


@pytest.mark.parametrize("who", ["teacher_b", "volunteer", "viewer", "partner"])
def test_only_officials_and_the_childs_teachers_keep_a_plan(plan, personas, who):
    user = UserFactory(role=Role.PARTNER) if who == "partner" else getattr(personas, who)
    calls = [
        lambda: plans.open_plan(child=plan.child, by=user),
        lambda: _action(plan, user, owner_user=personas.official),
        lambda: plans.review_plan(plan=plan, note="x", next_review_on=TODAY + DAY, by=user),
        lambda: plans.close_plan(plan=plan, note="x", by=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_every_write_is_audited_with_the_child(plan, personas):
    action = _action(plan, personas.official)
    plans.complete_action(action=action, outcome="好", by=personas.official)
    types = set(
        AuditEvent.objects.filter(child_id=plan.child_id).values_list("object_type", flat=True)
    )
    assert {"casework.caseplan", "casework.planaction", "registry.riskchange"} <= types


# --- The closer ----------------------------------------------------------------------------


def _status_change(child, to, by):
    return StatusChange.objects.create(
        child=child, from_status="active", to_status=to, date=TODAY, reason="x", created_by=by
    )


def test_the_closer_closes_open_actions_and_restore_reopens_exactly_those(plan, personas):
    by = personas.official
    open_one = _action(plan, by, what="open")
    done = plans.complete_action(action=_action(plan, by, what="done"), outcome="好", by=by)
    change = _status_change(plan.child, "reunited", by)
    ended = plans.close_for_file(child=plan.child, change=change, by=by)
    assert [(e.key, e.count) for e in ended] == [("plan_actions", 1)]
    open_one.refresh_from_db()
    plan.refresh_from_db()
    assert open_one.closed_with == change and plan.closed_with == change and not plan.is_open
    assert plans.close_for_file(child=plan.child, change=change, by=by) == []  # twice: nothing
    restored = plans.restore_for_file(child=plan.child, change=change, by=by)
    assert [(e.key, e.count) for e in restored] == [("plan_actions", 1)]
    open_one.refresh_from_db()
    plan.refresh_from_db()
    done.refresh_from_db()
    assert open_one.is_open and plan.is_open and done.done_at is not None


def test_the_closer_is_registered_with_the_register(plan, personas):
    _action(plan, personas.official)
    change = _status_change(plan.child, "closed", personas.official)
    ended = closure.close_all(child=plan.child, change=change, by=personas.official)
    assert ("plan_actions", 1) in [(e.key, e.count) for e in ended]
    assert not PlanAction.objects.open().exists()
    restored = closure.restore_all(child=plan.child, change=change, by=personas.official)
    assert ("plan_actions", 1) in [(e.key, e.count) for e in restored]


def test_restore_leaves_a_plan_opened_since_alone(plan, personas):
    by = personas.official
    _action(plan, by)
    change = _status_change(plan.child, "reunited", by)
    plans.close_for_file(child=plan.child, change=change, by=by)
    newer = plans.open_plan(child=plan.child, by=by)
    assert plans.restore_for_file(child=plan.child, change=change, by=by) == []
    assert list(CasePlan.objects.open()) == [newer]
