"""The office's referral screens: referring from the file and from a concern, the list with its
filters, a referral's page, the file's card and timeline, organisations and partner logins."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Agency, Concern, Liaison, Referral
from casework.services import referrals as services
from lbc_office.core.models import User
from tests.factories import AgencyFactory, ChildFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _refer(personas, child=None, agency=None, due_on=None):
    return services.refer(
        by=personas.official, child=child or personas.child_a, agency=agency or personas.agency,
        asked="请上门了解监护情况", due_on=due_on or TODAY + datetime.timedelta(days=7),
    )  # fmt: skip


def _overdue(referral, days=3):
    Referral.objects.filter(pk=referral.pk).update(due_on=TODAY - datetime.timedelta(days=days))


def test_an_official_refers_from_the_file(personas):
    client = personas.client_for("official")
    url = reverse("referrals:refer_child", args=[personas.child_a.pk])
    assert client.get(url).status_code == 200
    data = {"agency": personas.agency.pk, "asked": "请核实监护情况",
            "due_on": (TODAY + datetime.timedelta(days=5)).isoformat()}  # fmt: skip
    response = client.post(url, data)
    referral = Referral.objects.get()
    assert response["Location"] == referral.get_absolute_url()
    assert (referral.child, referral.agency, referral.concern) == (
        personas.child_a, personas.agency, None,
    )  # fmt: skip
    client.post(url, data)  # submitted again: still one
    assert Referral.objects.count() == 1
    file = client.get(personas.child_a.get_absolute_url())
    html = file.content.decode()
    assert url in html  # the file's "refer" button
    assert referral.get_absolute_url() in html  # the card and the timeline link to it
    assert "referral" in {e.kind for e in file.context["file"].timeline.events}


def test_a_refusal_is_shown_next_to_its_field(personas):
    client = personas.client_for("official")
    url = reverse("referrals:refer_child", args=[personas.child_a.pk])
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    response = client.post(url, {"agency": personas.agency.pk, "asked": "x", "due_on": yesterday})
    assert response.status_code == 200 and response.context["form"].errors["due_on"]
    assert not Referral.objects.exists()


def test_an_official_refers_from_a_concern(personas):
    concern = Concern.objects.create(
        county=personas.child_a.county, child=personas.child_a, kind="no_guardian",
        source="checkin", description="x", raised_by=personas.official, due_at=timezone.now(),
    )  # fmt: skip
    client = personas.client_for("official")
    url = reverse("referrals:refer_concern", args=[concern.pk])
    client.post(url, {"agency": personas.agency.pk, "asked": "请联系监护人",
                      "due_on": (TODAY + datetime.timedelta(days=2)).isoformat()})  # fmt: skip
    assert Referral.objects.get().concern == concern


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer", "partner"])
def test_only_officials_refer_and_list(personas, role):
    client = personas.client_for(role)
    assert (
        client.get(reverse("referrals:refer_child", args=[personas.child_a.pk])).status_code == 404
    )
    assert client.get(reverse("referrals:list")).status_code == 403
    assert client.get(reverse("referrals:agencies")).status_code == 403


def test_a_teacher_of_the_childs_school_reads_the_referral_but_does_not_answer(personas):
    referral = _refer(personas)
    page = personas.client_for("teacher_a").get(referral.get_absolute_url())
    assert page.status_code == 200 and "请上门了解监护情况" in page.content.decode()
    assert '<form method="post" novalidate class="card' not in page.content.decode()
    posted = personas.client_for("teacher_a").post(
        referral.get_absolute_url(), {"status": "accepted"}
    )
    assert posted.status_code == 403
    assert personas.client_for("teacher_b").get(referral.get_absolute_url()).status_code == 404
    assert Referral.objects.get().status == "sent"


def test_an_official_answers_for_the_organisation_and_withdraws(personas):
    referral = _refer(personas)
    client = personas.client_for("official")
    client.post(referral.get_absolute_url(), {"status": "accepted", "feedback": "电话回复"})
    bad = client.post(referral.get_absolute_url(), {"status": "declined", "feedback": "x"})
    assert bad.status_code == 200 and bad.context["form"].errors["status"]
    client.post(referral.get_absolute_url(), {"status": "cancelled", "feedback": "家长已回乡"})
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    assert [u.on_behalf for u in referral.updates.all()] == [False, True, False]


def test_the_list_filters_by_organisation_status_and_overdue(personas):
    other = AgencyFactory(county=personas.agency.county, name="县民政局")
    late = _refer(personas)
    _overdue(late)
    on_time = _refer(personas, child=personas.child_b, agency=other)
    accepted = _refer(personas, child=ChildFactory(school=personas.school_a))
    services.accept(referral=accepted, by=personas.partner)
    client = personas.client_for("official")

    def listed(**query):
        return [r.pk for r in client.get(reverse("referrals:list"), query).context["page"]]

    assert listed() == [late.pk, on_time.pk, accepted.pk]  # open ones, by date
    assert listed(agency=other.pk) == [on_time.pk]
    assert listed(status="accepted") == [accepted.pk]
    assert listed(overdue="true") == [late.pk]
    assert "bi-alarm" in client.get(reverse("referrals:list")).content.decode()


@pytest.mark.parametrize("n", [3, 40])
def test_the_list_costs_the_same_whatever_its_length(personas, django_assert_num_queries, n):
    for i in range(n):
        _refer(
            personas,
            child=ChildFactory(school=personas.school_a),
            due_on=TODAY + datetime.timedelta(days=i),
        )
    client = personas.client_for("official")
    # user, the official's device, count, one page with child/town/organisation/sender, the
    # organisations of the filter, the VIEW event with its children (1): 6, however many
    # referrals (the session comes from the cache and is saved at most once a minute)
    with django_assert_num_queries(6):
        response = client.get(reverse("referrals:list"), {"overdue": "false"})
    assert response.context["page"].paginator.count == n


def test_organisations_are_added_changed_and_deactivated(personas):
    client = personas.client_for("official")
    client.post(reverse("referrals:agency_create"), {
        "county": personas.agency.county_id, "name": "县共青团", "kind": "youth_league",
        "contact_name": "李书记", "phone": "023-1234",
    })  # fmt: skip
    agency = Agency.objects.get(name="县共青团")
    assert agency.created_by == personas.official and agency.active
    client.post(reverse("referrals:agency_edit", args=[agency.pk]), {
        "county": agency.county_id, "name": "共青团巫溪县委", "kind": "youth_league",
    })  # fmt: skip
    client.post(reverse("referrals:agency_active", args=[agency.pk]), {"active": "0"})
    agency.refresh_from_db()
    assert (agency.name, agency.active) == ("共青团巫溪县委", False)
    page = client.get(reverse("referrals:agencies")).content.decode()
    assert "共青团巫溪县委" in page and "partner" in page  # its logins: the persona's org


def test_an_official_creates_a_partner_login_for_an_organisation(personas):
    client = personas.client_for("official")
    url = reverse("accounts:create")
    refused = client.post(url, {"username": "minzheng", "role": "partner"})
    assert refused.status_code == 200 and refused.context["form"].errors["agency"]
    client.post(url, {"username": "minzheng", "role": "partner", "agency": personas.agency.pk})
    user = User.objects.get(username="minzheng")
    assert user.role == "partner" and Liaison.objects.get(user=user).agency == personas.agency
    other = AgencyFactory(county=personas.agency.county, name="县民政局")
    client.post(reverse("accounts:agency", args=[user.pk]), {"agency": other.pk})
    assert Liaison.objects.get(user=user).agency == other
    detail = client.get(reverse("accounts:detail", args=[user.pk])).content.decode()
    assert "县民政局" in detail
