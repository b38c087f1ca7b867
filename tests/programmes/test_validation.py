"""Each rule of the programmes app, with a bad value: the refusal names the field and says why."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from lbc_office.core.models import Role
from programmes import services
from programmes.forms import CallSessionForm, HomeVisitForm
from programmes.models import Donation, FamilyCall, HomeVisit, Programme
from tests.factories import ChildFactory, FamilyRoomFactory, UserFactory
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    FamilyCallFactory,
    ProgrammeFactory,
    days_ago,
    moment_days_ago,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    """Messages are lazy: keep English active until the assertions have read them."""
    with translation.override("en"):
        yield


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Home visits ------------------------------------------------------------------------------


def _visit(personas, **fields):
    data = {"date": days_ago(1), "met": HomeVisit.Met.GRANDPARENTS, "education": "多鼓励"}
    data.update(fields)
    return lambda: services.record_home_visit(
        child=personas.child_a, visitor=personas.teacher_a, by=personas.teacher_a, **data
    )


def test_a_visit_in_the_future_is_refused(personas):
    errors = _refusal(_visit(personas, date=TODAY + datetime.timedelta(days=1)))
    assert errors == {"date": ["A home visit cannot be dated in the future."]}


def test_a_visit_before_the_child_was_born_is_refused(personas):
    born = personas.child_a.date_of_birth
    errors = _refusal(_visit(personas, date=born - datetime.timedelta(days=1)))
    assert errors == {"date": ["This date is before the child was born."]}


def test_a_visit_needs_a_recommendation(personas):
    errors = _refusal(_visit(personas, education=""))
    assert list(errors) == ["education"]
    assert "at least one of the five areas" in errors["education"][0]


def test_a_follow_up_needs_its_date_and_not_before_the_visit(personas):
    missing = _refusal(_visit(personas, follow_up_needed=True))
    early = _refusal(
        _visit(personas, date=days_ago(3), follow_up_needed=True, follow_up_by=days_ago(4))
    )
    stray = _refusal(_visit(personas, follow_up_by=days_ago(0)))
    assert missing == {"follow_up_by": ["Say by when the follow-up is due."]}
    assert early == {"follow_up_by": ["The follow-up cannot be due before the visit."]}
    assert list(stray) == ["follow_up_by"]


def test_only_teachers_and_officials_make_home_visits(personas):
    volunteer = UserFactory(role=Role.VOLUNTEER)
    with pytest.raises(ValidationError, match="Only a teacher or a county official"):
        services.record_home_visit(
            child=personas.child_a,
            visitor=volunteer,
            by=personas.official,
            date=days_ago(1),
            met="grandparents",
            education="x",
        )


def test_the_visit_form_names_the_field_in_the_page(personas):
    client = personas.client_for("teacher_a")
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    with translation.override("en"):
        response = client.post(
            reverse("programmes:visit_add", args=[personas.child_a.pk]),
            {"date": tomorrow, "met": "grandparents", "education": "x"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "date": ["A home visit cannot be dated in the future."]
        }
        assert "A home visit cannot be dated in the future." in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_unticking_the_follow_up_drops_its_date(personas):
    form = HomeVisitForm(
        {
            "date": days_ago(1).isoformat(),
            "met": "mother",
            "safety": "注意用电",
            "follow_up_by": TODAY.isoformat(),
            "follow_up_note": "再看看",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["follow_up_by"] is None


# --- Family-room calls ------------------------------------------------------------------------


@pytest.fixture
def room(personas):
    return FamilyRoomFactory(school=personas.school_a)


def _call(personas, room, **fields):
    data = {"at": moment_days_ago(1), "minutes": 10, "with_whom": "mother"}
    data.update(fields)
    return lambda: services.record_family_call(
        child=personas.child_a, room=room, by=personas.teacher_a, **data
    )


@pytest.mark.parametrize("minutes", [0, 181, 600])
def test_a_call_of_implausible_length_is_refused(personas, room, minutes):
    errors = _refusal(_call(personas, room, minutes=minutes))
    assert errors == {"minutes": ["A call lasts from 1 to 180 minutes."]}


@pytest.mark.parametrize("minutes", [1, 180])
def test_the_limits_of_a_call_are_accepted(personas, room, minutes):
    assert _call(personas, room, minutes=minutes)().minutes == minutes


def test_a_call_in_the_future_is_refused(personas, room):
    later = timezone.now() + datetime.timedelta(hours=2)
    assert _refusal(_call(personas, room, at=later)) == {
        "at": ["A call cannot be recorded before it happens."]
    }


def test_a_call_needs_a_room_of_the_childs_school(personas):
    other = FamilyRoomFactory(school=personas.school_b)
    errors = _refusal(_call(personas, other))
    assert list(errors) == ["room"]
    assert personas.school_a.name in errors["room"][0]


def test_a_room_out_of_use_takes_no_calls(personas, room):
    room.active = False
    room.save()
    assert _refusal(_call(personas, room)) == {"room": ["This family room is no longer in use."]}


def test_the_database_refuses_a_call_of_600_minutes(personas, room):
    call = FamilyCallFactory.build(child=personas.child_a, room=room, minutes=600)
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()


def test_a_session_is_saved_whole_or_not_at_all(personas, room):
    ok = ChildFactory(school=personas.school_a, name="甲")
    bad = ChildFactory(school=personas.school_a, name="乙")
    with pytest.raises(ValidationError) as caught:
        services.record_call_session(
            room=room,
            at=moment_days_ago(1),
            calls=[
                {"child": ok, "minutes": 5, "with_whom": "mother"},
                {"child": bad, "minutes": 0, "with_whom": "father"},
            ],
            by=personas.teacher_a,
        )
    assert caught.value.messages == ["乙 · minutes: A call lasts from 1 to 180 minutes."]
    assert not FamilyCall.objects.exists()


def test_a_session_row_needs_both_minutes_and_whom(personas):
    child = personas.child_a
    form = CallSessionForm(
        {"at": f"{days_ago(1).isoformat()}T15:00", f"minutes_{child.pk}": "5"},
        children=[child],
    )
    assert not form.is_valid()
    assert form.errors == {f"with_{child.pk}": ["Who did the child talk to?"]}
    empty = CallSessionForm({"at": f"{days_ago(1).isoformat()}T15:00"}, children=[child])
    assert not empty.is_valid()
    assert empty.non_field_errors() == ["Fill in the minutes of at least one child's call."]


# --- Parents' visits home ---------------------------------------------------------------------


def test_a_parent_cannot_leave_before_coming_home(personas):
    errors = _refusal(
        lambda: services.record_parent_visit(
            child=personas.child_a,
            by=personas.teacher_a,
            parent="father",
            arrived_on=days_ago(3),
            left_on=days_ago(5),
        )
    )
    assert errors == {"left_on": ["The parent cannot leave before coming home."]}


def test_a_parents_visit_is_not_in_the_future_and_has_not_ended_ahead(personas):
    errors = _refusal(
        lambda: services.record_parent_visit(
            child=personas.child_a,
            by=personas.teacher_a,
            parent="mother",
            arrived_on=TODAY + datetime.timedelta(days=2),
            left_on=TODAY + datetime.timedelta(days=9),
        )
    )
    assert errors == {
        "arrived_on": ["A parent's visit home cannot be dated in the future."],
        "left_on": ["Leave this empty until the parent has left."],
    }


def test_only_a_parent_who_works_away_comes_home(personas):
    child = ChildFactory(father_away=True, mother_away=False, guardian="mother")
    errors = _refusal(
        lambda: services.record_parent_visit(
            child=child, by=personas.official, parent="mother", arrived_on=days_ago(2)
        )
    )
    assert list(errors) == ["parent"]


# --- Programmes and enrolments ----------------------------------------------------------------


def test_a_programme_cannot_end_before_it_starts(personas):
    errors = _refusal(
        lambda: services.save_programme(
            programme=Programme(county=personas.school_a.county),
            by=personas.official,
            name="蛋奶工程",
            kind="egg_milk",
            starts_on=days_ago(10),
            ends_on=days_ago(20),
        )
    )
    assert errors == {"ends_on": ["A programme cannot end before it starts."]}


def test_enrolment_dates_fit_the_programme(personas):
    programme = ProgrammeFactory(starts_on=days_ago(30))
    too_early = _refusal(
        lambda: services.enrol_child(
            programme=programme,
            child=personas.child_a,
            starts_on=days_ago(31),
            by=personas.official,
        )
    )
    ahead = _refusal(
        lambda: services.enrol_child(
            programme=programme,
            child=personas.child_a,
            starts_on=TODAY + datetime.timedelta(days=1),
            by=personas.official,
        )
    )
    assert too_early == {"starts_on": [f"The programme only starts on {days_ago(30):%Y-%m-%d}."]}
    assert ahead == {"starts_on": ["Enrol a child on the day they start, not before."]}


def test_a_child_is_enrolled_once_at_a_time(personas):
    programme = ProgrammeFactory()
    services.enrol_child(
        programme=programme, child=personas.child_a, starts_on=days_ago(20), by=personas.official
    )
    errors = _refusal(
        lambda: services.enrol_child(
            programme=programme, child=personas.child_a, starts_on=days_ago(2), by=personas.official
        )
    )
    assert errors == {"programme": ["张小明 is already enrolled in this programme on that date."]}


def test_a_programme_takes_only_children_of_its_schools(personas):
    programme = ProgrammeFactory(schools=[personas.school_b])
    errors = _refusal(
        lambda: services.enrol_child(
            programme=programme, child=personas.child_a, starts_on=days_ago(2), by=personas.official
        )
    )
    assert errors == {"programme": ["This programme does not run at 甲小学."]}


def test_an_enrolment_ends_after_it_starts_and_only_once(personas):
    enrolment = EnrolmentFactory(child=personas.child_a, starts_on=days_ago(10))
    early = _refusal(
        lambda: services.end_enrolment(
            enrolment=enrolment, ends_on=days_ago(11), by=personas.official
        )
    )
    assert early == {"ends_on": ["An enrolment cannot end before it starts."]}
    enrolment.refresh_from_db()
    services.end_enrolment(enrolment=enrolment, ends_on=days_ago(1), by=personas.official)
    again = _refusal(
        lambda: services.end_enrolment(enrolment=enrolment, ends_on=TODAY, by=personas.official)
    )
    assert again == {"ends_on": ["This enrolment has already ended."]}


# --- Donations --------------------------------------------------------------------------------


def _donation(personas, **fields):
    data = {
        "county": personas.school_a.county,
        "donor": "某企业",
        "donor_kind": "enterprise",
        "date": days_ago(5),
        "kind": "books",
        "value": Decimal("500"),
        "destination": "children",
    }
    data.update(fields)
    return lambda: services.save_donation(donation=Donation(), by=personas.official, **data)


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-5")])
def test_a_donation_has_a_value(personas, value):
    assert _refusal(_donation(personas, value=value)) == {
        "value": ["The value must be more than zero."]
    }


def test_a_donation_is_not_dated_in_the_future_and_names_its_school(personas):
    errors = _refusal(
        _donation(personas, date=TODAY + datetime.timedelta(days=1), destination="school")
    )
    assert errors == {
        "date": ["A donation cannot be dated in the future."],
        "school": ["Choose the school it was given to."],
    }


def test_a_donation_cannot_be_traced_beyond_its_value(personas):
    donation = DonationFactory(value=Decimal("300"))
    errors = _refusal(
        lambda: services.record_handovers(
            donation=donation,
            children=[personas.child_a, personas.child_b],
            value_each=Decimal("150.01"),
            handed_over_on=days_ago(1),
            confirmed_by="班主任",
            by=personas.official,
        )
    )
    assert errors == {
        "value": [
            "These 2 handovers add up to 300.02 yuan, but only 300.00 yuan of the donation are "
            "not yet handed over."
        ]
    }
    assert not donation.handovers.exists()


def test_a_handover_is_not_before_the_donation_nor_unconfirmed(personas):
    donation = DonationFactory(date=days_ago(5))
    errors = _refusal(
        lambda: services.record_handovers(
            donation=donation,
            children=[personas.child_a],
            value_each=Decimal("10"),
            handed_over_on=days_ago(6),
            confirmed_by=" ",
            by=personas.official,
        )
    )
    assert errors == {
        "handed_over_on": [f"This is before the donation was received ({days_ago(5):%Y-%m-%d})."],
        "confirmed_by": ["This field cannot be blank."],
    }


def test_recipients_fit_where_the_donation_was_given(personas):
    to_school = DonationFactory(destination="school", school=personas.school_a)
    programme = ProgrammeFactory()
    to_programme = DonationFactory(destination="programme", programme=programme)
    to_children = DonationFactory()

    def hand(donation, **recipients):
        return lambda: services.record_handovers(
            donation=donation,
            value_each=Decimal("10"),
            handed_over_on=days_ago(1),
            confirmed_by="校长",
            by=personas.official,
            **recipients,
        )

    assert list(_refusal(hand(to_school, children=[personas.child_b]))) == ["recipients"]
    assert _refusal(hand(to_programme, children=[personas.child_a])) == {
        "recipients": [f"Not enrolled in {programme.name}: 张小明."]
    }
    assert _refusal(hand(to_children, schools=[personas.school_a])) == {
        "recipients": ["The donation was given to named children: hand it to children."]
    }
    # What fits is accepted: the school itself, and a child enrolled in the programme.
    hand(to_school, schools=[personas.school_a], children=[personas.child_a])()
    EnrolmentFactory(programme=programme, child=personas.child_a)
    hand(to_programme, children=[personas.child_a])()


def test_a_donations_value_cannot_drop_below_what_was_handed_over(personas):
    donation = DonationFactory(value=Decimal("100"))
    services.record_handovers(
        donation=donation,
        children=[personas.child_a],
        value_each=Decimal("80"),
        handed_over_on=days_ago(1),
        confirmed_by="奶奶",
        by=personas.official,
    )
    errors = _refusal(
        lambda: services.save_donation(donation=donation, by=personas.official, value=Decimal("79"))
    )
    assert errors == {
        "value": ["80.00 yuan of it are already handed over: the value cannot be less."]
    }


def test_the_database_keeps_a_donations_destination_consistent(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationFactory(destination="school", school=None)
