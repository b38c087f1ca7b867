"""Issue 12, findings 6 and 7: what the guardian's consent and the volunteer's own standing
let a volunteer open. The rule lives in registry.access (scope_children): every record tied to
a child answers through it, so each test looks at the file and at records hanging off it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lbc_office.core.models import AuditEvent
from programmes.models import HomeVisit
from registry import consent
from registry.models import Child, ConsentOverride, Guardian, HealthCheck
from tests.factories import HealthCheckFactory
from tests.programmes.factories import HomeVisitFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory
from volunteers.models import MonthlyCheckin
from volunteers.services import care

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PHONE = "13700001111"


@pytest.fixture
def carer(personas):
    """The volunteer persona looks after school A's child, whose grandmother has a phone; the
    file has a home visit and a health check, and this month's check-in is open."""
    Guardian.objects.create(
        child=personas.child_a, name="张奶奶", relation="grandmother", phone=PHONE
    )
    volunteer = VolunteerFactory(user=personas.volunteer, name="刘芳")
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    HomeVisitFactory(child=personas.child_a, visitor=personas.teacher_a)
    HealthCheckFactory(child=personas.child_a)
    care.open_checkin(assignment=assignment)
    return volunteer, assignment


def _consent(personas, *, share: bool, days_ago: int = 0):
    return consent.record_consent(
        child=personas.child_a,
        by=personas.teacher_a,
        date=TODAY - datetime.timedelta(days=days_ago),
        guardian_name="张奶奶",
        guardian_relation=Guardian.Relation.GRANDMOTHER,
        keep_file=share,
        share_with_volunteers=share,
        photos=False,
    )


def _sees_the_file(personas) -> bool:
    """Whether the volunteer reaches the file and every record of it, checked consistently:
    the page and the scoped querysets of records tied to the child."""
    client = personas.client_for("volunteer")
    child = personas.child_a
    page = client.get(child.get_absolute_url()).status_code
    user = personas.volunteer
    records = [
        Child.objects.visible_to(user).filter(pk=child.pk).exists(),
        HomeVisit.objects.visible_to(user).exists(),
        HealthCheck.objects.visible_to(user).exists(),
        MonthlyCheckin.objects.visible_to(user).exists(),
    ]
    if page == 200:
        assert all(records), records
        return True
    assert page == 404 and not any(records), (page, records)
    return False


def _my_children(personas) -> str:
    client = personas.client_for("volunteer")
    with translation.override("en"):
        response = client.get(reverse("volunteers:my_children"), HTTP_ACCEPT_LANGUAGE="en")
    return response.content.decode()


# --- Finding 6: the guardian's consent to share with volunteers -------------------------------


def test_consent_given_the_volunteer_sees_the_file(personas, carer):
    _consent(personas, share=True)
    assert _sees_the_file(personas)
    assert f"tel:{PHONE}" in _my_children(personas)


def test_no_consent_recorded_yet_keeps_todays_access(personas, carer):
    """Decided: a child with no consent record at all stays shared (the office's practice
    before consent was recorded; such children are on the officials' "without consent" list).
    Only a recorded answer that does not share takes the file away."""
    assert not personas.child_a.consents.exists()
    assert _sees_the_file(personas)


def test_consent_withdrawn_the_file_and_its_records_answer_404(personas, carer):
    _consent(personas, share=True, days_ago=30)
    assert _sees_the_file(personas)
    _consent(personas, share=False)  # withdrawal: a new record with the boxes unticked
    assert not _sees_the_file(personas)
    listing = personas.client_for("volunteer").get(reverse("registry:child_list"))
    assert list(listing.context["page"]) == []


def test_an_override_of_keeping_the_file_does_not_share_it(personas, carer):
    _consent(personas, share=True, days_ago=30)
    consent.record_consent_override(
        child=personas.child_a, by=personas.official, reason="监护人联系不上"
    )
    assert not _sees_the_file(personas)


def test_the_child_stays_on_the_volunteers_list_with_a_message_and_no_phone(personas, carer):
    _volunteer, assignment = carer
    _consent(personas, share=False)
    page = _my_children(personas)
    assert "张小明" in page
    assert "contact the county office" in page
    assert PHONE not in page and "张奶奶" not in page
    assert personas.school_a.name not in page
    # Decided: the month's check-in stays possible (and with it a concern reaching the office):
    # the form shows the child's name and the role, nothing of the file.
    client = personas.client_for("volunteer")
    checkin = client.get(reverse("volunteers:my_checkin", args=[assignment.pk]))
    assert checkin.status_code == 200
    assert PHONE not in checkin.content.decode()


def test_the_officials_dashboard_lists_the_withheld_assignments(personas, carer):
    _volunteer, assignment = carer
    other = AssignmentFactory(child=personas.child_b, volunteer=VolunteerFactory(name="王秀英"))
    _consent(personas, share=False)
    home = personas.client_for("official").get(reverse("home"))
    assert [a.pk for a in home.context["withheld"]] == [assignment.pk]
    html = home.content.decode()
    assert 'id="consent-withheld"' in html and "刘芳" in html and "王秀英" not in html
    assert other.pk not in [a.pk for a in home.context["withheld"]]


# --- The official's override -----------------------------------------------------------------


def test_an_override_restores_access_until_its_date_and_is_audited(personas, carer):
    _consent(personas, share=False)
    assert not _sees_the_file(personas)
    override = consent.record_sharing_override(
        child=personas.child_a,
        by=personas.official,
        reason="孩子独居，需志愿者每周上门",
        valid_until=TODAY + datetime.timedelta(days=30),
    )
    assert (override.created_by, override.county) == (personas.official, personas.child_a.county)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE,
        object_type="registry.consentoverride",
        object_id=str(override.pk),
        user=personas.official,
        child_id=personas.child_a.pk,
    ).exists()
    assert _sees_the_file(personas)
    home = personas.client_for("official").get(reverse("home"))
    assert home.context["withheld"] == []
    # Ending it takes the file away on the next request, and is audited too.
    consent.end_sharing_override(override=override, by=personas.official)
    assert not _sees_the_file(personas)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_type="registry.consentoverride"
    ).exists()


def test_an_override_past_its_date_no_longer_applies(personas, carer):
    _consent(personas, share=False, days_ago=10)
    override = consent.record_sharing_override(
        child=personas.child_a, by=personas.official, reason="暂时", valid_until=TODAY
    )
    assert _sees_the_file(personas)
    ConsentOverride.objects.filter(pk=override.pk).update(
        valid_until=TODAY - datetime.timedelta(days=1)
    )
    assert not _sees_the_file(personas)


@pytest.mark.parametrize(
    ("role", "reason", "days", "field"),
    [
        ("teacher_a", "理由", 10, "reason"),
        ("official", "  ", 10, "reason"),
        ("official", "理由", -1, "valid_until"),
        ("official", "理由", consent.SHARING_OVERRIDE_MAX_DAYS + 1, "valid_until"),
    ],
)
def test_an_override_is_refused(personas, role, reason, days, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        consent.record_sharing_override(
            child=personas.child_a,
            by=getattr(personas, role),
            reason=reason,
            valid_until=TODAY + datetime.timedelta(days=days),
        )
    assert field in exc.value.message_dict
    assert not ConsentOverride.objects.exists()


def test_an_official_records_and_ends_an_override_on_the_file(personas, carer):
    _consent(personas, share=False)
    client = personas.client_for("official")
    file_page = client.get(personas.child_a.get_absolute_url()).content.decode()
    url = reverse("registry:sharing_override", args=[personas.child_a.pk])
    assert url in file_page
    until = TODAY + datetime.timedelta(days=14)
    response = client.post(url, {"reason": "独居儿童", "valid_until": until.isoformat()})
    assert response.status_code == 302
    override = ConsentOverride.objects.get()
    assert (override.valid_until, override.created_by) == (until, personas.official)
    assert _sees_the_file(personas)
    end = reverse("registry:sharing_override_end", args=[personas.child_a.pk, override.pk])
    assert end in client.get(personas.child_a.get_absolute_url()).content.decode()
    assert client.post(end).status_code == 302
    assert not _sees_the_file(personas)


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_only_officials_reach_the_override_pages(personas, carer, role):
    _consent(personas, share=False)
    override = consent.record_sharing_override(
        child=personas.child_a, by=personas.official, reason="理由", valid_until=TODAY
    )
    client = personas.client_for(role)
    url = reverse("registry:sharing_override", args=[personas.child_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "valid_until": TODAY.isoformat()}).status_code == 404
    end = reverse("registry:sharing_override_end", args=[personas.child_a.pk, override.pk])
    assert client.post(end).status_code == 404
    assert ConsentOverride.objects.get().ended_on is None


# --- Finding 7: a deactivated volunteer ---------------------------------------------------------


def test_a_volunteer_marked_inactive_loses_access_on_the_next_request(personas, carer):
    volunteer, assignment = carer
    client = personas.client_for("volunteer")
    url = personas.child_a.get_absolute_url()
    checkin_url = reverse("volunteers:my_checkin", args=[assignment.pk])
    assert client.get(url).status_code == 200
    care.save_volunteer(volunteer=volunteer, by=personas.official, active=False)
    assert client.get(url).status_code == 404  # the same session, the next request
    assert client.get(checkin_url).status_code == 404
    assert not _sees_the_file(personas)
    with translation.override("en"):
        my = client.get(reverse("volunteers:my_children"), HTTP_ACCEPT_LANGUAGE="en")
    html = my.content.decode()
    assert my.context["cards"] == []
    assert "张小明" not in html and PHONE not in html


def test_a_volunteer_whose_login_is_deactivated_loses_access_on_the_next_request(personas, carer):
    client = personas.client_for("volunteer")
    url = personas.child_a.get_absolute_url()
    assert client.get(url).status_code == 200
    user = personas.volunteer
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(url)
    assert response.status_code in (302, 404)
    assert response.status_code == 404 or "/accounts/login/" in response["Location"]
    assert not Child.objects.visible_to(user).exists()


def test_a_consent_that_no_longer_covers_keeping_the_file_does_not_share_it(personas, carer):
    consent.record_consent(
        child=personas.child_a,
        by=personas.teacher_a,
        date=TODAY,
        guardian_name="张奶奶",
        guardian_relation=Guardian.Relation.GRANDMOTHER,
        keep_file=False,
        share_with_volunteers=True,
        photos=False,
    )
    assert not _sees_the_file(personas)
