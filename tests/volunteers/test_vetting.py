"""Issue 12, finding 11: vetting is recorded through the volunteer form (who vetted: the official
who saves it), with the background check and the training; it expires after
VOLUNTEER_VETTING_YEARS, an expired volunteer takes no new child, and officials see whose vetting
ends soon."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ChildFactory, UserFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.forms import AssignForChildForm
from volunteers.models import Volunteer
from volunteers.models.care import add_years
from volunteers.services import care

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def _form_data(volunteer, **changes) -> dict:
    data = {
        "name": volunteer.name,
        "phone": volunteer.phone,
        "email": "",
        "town": volunteer.town_id,
        "organisation": "",
        "may_be_surrogate_parent": "on",
        "capacity": volunteer.capacity,
        "background_check_on": "",
        "background_check_result": "",
        "trained_on": "",
        "vetted_on": "",
        "user": "",
        "active": "on",
        "notes": "",
    }
    data.update(changes)
    return data


# --- The form saves a vetting ---------------------------------------------------------------


def test_the_volunteer_form_saves_a_vetting_with_its_check_and_training(personas):
    volunteer = VolunteerFactory(vetted_on=None, vetted_by=None)
    client = personas.client_for("official")
    response = client.post(
        reverse("volunteers:edit", args=[volunteer.pk]),
        _form_data(
            volunteer,
            background_check_on=_days_ago(20).isoformat(),
            background_check_result="clear",
            trained_on=_days_ago(10).isoformat(),
            vetted_on=_days_ago(5).isoformat(),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    volunteer.refresh_from_db()
    assert volunteer.vetted_on == _days_ago(5)
    assert volunteer.vetted_by == personas.official  # the official who recorded it
    assert volunteer.background_check_on == _days_ago(20)
    assert volunteer.background_check_result == Volunteer.CheckResult.CLEAR
    assert volunteer.trained_on == _days_ago(10)
    assert volunteer.vetting_expires_on == add_years(_days_ago(5), 2)
    detail = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    assert 'id="vetting-expiry"' in detail


def test_a_new_volunteer_is_created_already_vetted(personas):
    client = personas.client_for("official")
    town = VolunteerFactory().town
    data = _form_data(
        Volunteer(name="向桂兰", phone="13900000000", town=town, capacity=2),
        vetted_on=TODAY.isoformat(),
    )
    assert client.post(reverse("volunteers:create"), data).status_code == 302
    created = Volunteer.objects.get(name="向桂兰")
    assert (created.vetted_on, created.vetted_by) == (TODAY, personas.official)


def test_a_new_vetting_date_records_who_vetted_again(personas):
    volunteer = VolunteerFactory(vetted_on=_days_ago(800))
    first = volunteer.vetted_by
    care.save_volunteer(volunteer=volunteer, by=personas.official, phone="13811112222")
    volunteer.refresh_from_db()
    assert volunteer.vetted_by == first  # another change keeps who vetted
    care.save_volunteer(volunteer=volunteer, by=personas.official, vetted_on=TODAY)
    volunteer.refresh_from_db()
    assert volunteer.vetted_by == personas.official


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"background_check_on": TODAY, "background_check_result": ""}, "background_check_result"),
        (
            {"background_check_on": TODAY, "background_check_result": "not_clear"},
            "vetted_on",
        ),
        ({"trained_on": TODAY + datetime.timedelta(days=1)}, "trained_on"),
    ],
)
def test_a_vetting_is_refused_on_the_field_at_fault(personas, fields, field):
    volunteer = VolunteerFactory(vetted_on=None, vetted_by=None)
    with pytest.raises(ValidationError) as exc:
        care.save_volunteer(volunteer=volunteer, by=personas.official, vetted_on=TODAY, **fields)
    assert field in exc.value.message_dict


# --- Expiry ------------------------------------------------------------------------------------


def test_an_expired_vetting_takes_no_new_child(settings):
    official = UserFactory(role="official")
    expired = VolunteerFactory(vetted_on=add_years(TODAY, -2))  # expires today
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        care.assign_volunteer(
            child=ChildFactory(), volunteer=expired, role="surrogate_parent", by=official
        )
    message = exc.value.message_dict["volunteer"][0]
    assert "expired" in message and f"{TODAY:%Y-%m-%d}" in message
    assert not expired.assignments.exists()
    # The day before it expires, the same volunteer is still assigned.
    current = VolunteerFactory(vetted_on=add_years(TODAY, -2) + datetime.timedelta(days=1))
    care.assign_volunteer(
        child=ChildFactory(), volunteer=current, role="surrogate_parent", by=official
    )


def test_the_vetting_years_are_a_setting(settings):
    official = UserFactory(role="official")
    volunteer = VolunteerFactory(vetted_on=_days_ago(400))
    settings.VOLUNTEER_VETTING_YEARS = 1
    assert volunteer.vetting_expired
    with pytest.raises(ValidationError):
        care.assign_volunteer(
            child=ChildFactory(), volunteer=volunteer, role="surrogate_parent", by=official
        )
    settings.VOLUNTEER_VETTING_YEARS = 2
    assert not volunteer.vetting_expired


def test_the_assign_form_offers_no_expired_volunteer(personas):
    current = VolunteerFactory(name="当前")
    expired = VolunteerFactory(name="过期", vetted_on=_days_ago(800))
    form = AssignForChildForm(child=personas.child_a)
    offered = list(form.fields["volunteer"].queryset)
    assert current in offered and expired not in offered


def test_existing_assignments_of_an_expired_volunteer_continue(personas):
    volunteer = VolunteerFactory(user=personas.volunteer, vetted_on=_days_ago(800))
    AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    client = personas.client_for("volunteer")
    assert client.get(personas.child_a.get_absolute_url()).status_code == 200


# --- Officials see whose vetting ends soon ----------------------------------------------


def test_officials_see_whose_vetting_expires_within_60_days(personas):
    soon = VolunteerFactory(name="快到期", vetted_on=add_years(TODAY, -2) + datetime.timedelta(50))
    VolunteerFactory(name="还早", vetted_on=add_years(TODAY, -2) + datetime.timedelta(days=70))
    VolunteerFactory(name="已过期", vetted_on=add_years(TODAY, -2))
    VolunteerFactory(name="未审核", vetted_on=None, vetted_by=None)
    VolunteerFactory(
        name="不活跃", active=False, vetted_on=add_years(TODAY, -2) + datetime.timedelta(10)
    )
    client = personas.client_for("official")
    listing = client.get(reverse("volunteers:list"), {"vetting": "expiring"})
    assert [v.name for v in listing.context["page"]] == [soon.name]
    expired = client.get(reverse("volunteers:list"), {"vetting": "expired"})
    assert [v.name for v in expired.context["page"]] == ["已过期"]
    home = client.get(reverse("home"))
    assert home.context["vetting_expiring"] == 1
    html = home.content.decode()
    assert 'id="figure-vetting-expiring"' in html
    assert reverse("volunteers:list") + "?vetting=expiring" in html
