"""The partner role: their organisation's referrals only, the least of the child's file, no
child through the register, every page audited, and their menu."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Referral
from casework.services import referrals as services
from lbc_office.core.models import AuditEvent, AuditEventChild
from registry.models import Guardian
from tests.factories import AgencyFactory, ChildFactory, HealthCheckFactory
from tests.test_security import _patterns

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _refer(personas, child=None, agency=None, **fields):
    return services.refer(
        by=personas.official, child=child or personas.child_a, agency=agency or personas.agency,
        asked=fields.pop("asked", "请上门了解监护情况"),
        due_on=fields.pop("due_on", TODAY + datetime.timedelta(days=7)), **fields,
    )  # fmt: skip


@pytest.fixture
def two(personas):
    """A referral to the partner's organisation (child A, with a guardian) and one to another
    organisation (child B)."""
    Guardian.objects.create(
        child=personas.child_a, name="张奶奶", relation="grandmother", phone="13800001111",
        notes="腿脚不便，靠低保生活",
    )  # fmt: skip
    HealthCheckFactory(child=personas.child_a)
    other = AgencyFactory(county=personas.agency.county, name="县民政局", kind="civil_affairs")
    return _refer(personas), _refer(personas, child=personas.child_b, agency=other)


def test_the_partners_first_screen_is_their_organisations_referrals(personas, two):
    client = personas.client_for("partner")
    assert client.get("/")["Location"] == reverse("referrals:partner_list")
    page = client.get(reverse("referrals:partner_list"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["referrals"]] == [two[0].pk]
    html = page.content.decode()
    assert "张小明" in html and "李小红" not in html


def test_another_organisations_referral_is_not_found(personas, two):
    client = personas.client_for("partner")
    assert client.get(reverse("referrals:partner_referral", args=[two[0].pk])).status_code == 200
    assert client.get(reverse("referrals:partner_referral", args=[two[1].pk])).status_code == 404
    # nor through the office's page of a referral, their own included
    for referral in two:
        assert client.get(referral.get_absolute_url()).status_code == 404
        answer = client.post(
            reverse("referrals:partner_referral", args=[two[1].pk]), {"status": "accepted"}
        )
        assert answer.status_code == 404
    assert Referral.objects.get(pk=two[1].pk).status == "sent"


def test_the_partners_page_shows_the_least_of_the_file(personas, two):
    child = personas.child_a
    html = (
        personas.client_for("partner")
        .get(reverse("referrals:partner_referral", args=[two[0].pk]))
        .content.decode()
    )
    for shown in (child.name, str(child.age), child.village.town.name, "张奶奶", "13800001111"):
        assert shown in html, shown
    # never the identity number, whole or masked, nor the rest of the file
    hidden = [child.id_number, child.id_number[:6], child.id_number[-4:], child.masked_id_number,
              "腿脚不便", child.school.name, child.village.name]  # fmt: skip
    assert [h for h in hidden if h in html] == []
    links = re.findall(r'href="([^"]*)"', html)
    assert not [link for link in links if link.startswith(("/children/", "/visits/", "/my/"))]


def test_the_partner_reaches_no_child_through_the_register(personas, two):
    """Every URL of the site about a child (the keyed ones with their referral's child) and
    the register's lists: 404 or a refusal, never a page."""
    client = personas.client_for("partner")
    child = personas.child_a  # their own referral's child
    answered = {}
    for name, route, pattern in _patterns():
        if route.startswith("admin/") or not name:
            continue
        keys = set(pattern.pattern.converters)
        if keys == {"pk"} and route.startswith("children/"):
            url = reverse(name, kwargs={"pk": child.pk})
        elif not keys and route.startswith(("children/", "visits/", "contact-gaps/", "consent/")):
            url = reverse(name)
        else:
            continue
        status = client.get(url).status_code
        if status == 405:  # a form's action that only takes a POST: the partner sends one
            status = client.post(url).status_code
        answered[url] = status
    assert len(answered) > 10
    assert {url: s for url, s in answered.items() if s not in (403, 404)} == {}


def test_every_partner_page_is_audited(personas, two):
    client = personas.client_for("partner")
    client.get(reverse("referrals:partner_list"))
    listed = AuditEvent.objects.filter(action="view").get()
    assert listed.user == personas.partner
    assert set(AuditEventChild.objects.filter(event=listed).values_list("child_id", flat=True)) == {
        personas.child_a.pk
    }
    client.get(reverse("referrals:partner_referral", args=[two[0].pk]))
    opened = AuditEvent.objects.filter(action="view").first()
    assert (opened.user, opened.child_id) == (personas.partner, personas.child_a.pk)
    client.get(reverse("referrals:partner_referral", args=[two[1].pk]))
    refused = AuditEvent.objects.filter(action="refused").get()
    assert refused.user == personas.partner


def test_the_partner_answers_from_their_page_once(personas, two):
    client = personas.client_for("partner")
    url = reverse("referrals:partner_referral", args=[two[0].pk])
    for _ in range(2):  # a double click
        response = client.post(url, {"status": "accepted", "feedback": "收到"})
        assert response.status_code == 302
    referral = Referral.objects.get(pk=two[0].pk)
    assert referral.status == "accepted"
    assert [(u.status, u.by) for u in referral.updates.all()][1:] == [
        ("accepted", personas.partner)
    ]
    wrong = client.post(url, {"status": "cancelled", "feedback": "x"})  # not theirs to do
    assert wrong.status_code == 200 and wrong.context["form"].errors["status"]
    missing = client.post(url, {"status": "done", "feedback": ""})
    assert missing.context["form"].errors["feedback"]
    assert Referral.objects.get(pk=two[0].pk).status == "accepted"


def test_a_finished_referral_leaves_the_partners_list_after_a_month(personas, two):
    referral = two[0]
    services.decline(referral=referral, by=personas.partner, feedback="不属于本单位职责")
    assert Referral.objects.for_partner(personas.partner).count() == 1
    later = timezone.now() + datetime.timedelta(days=31)
    assert not Referral.objects.for_partner(personas.partner, now=later).exists()
    assert Referral.objects.visible_to(personas.official).count() == 2  # the office keeps it


def test_the_partners_menu_is_their_referrals_their_password_and_signing_out(personas, two):
    html = personas.client_for("partner").get(reverse("referrals:partner_list")).content.decode()
    nav = html.split("<main", 1)[0]
    links = set(re.findall(r'(?:href|action)="([^"#]*)"', nav)) - set(
        re.findall(r'href="(/static/[^"]*)"', nav)
    )
    links.discard(reverse("manifest"))  # the installable app's manifest, in <head>
    assert links == {
        reverse("home"), reverse("referrals:partner_list"), reverse("password_change"),
        reverse("logout"), reverse("set_language"),
    }  # fmt: skip


def test_partners_and_volunteers_see_no_referral_through_the_register_scope(personas, two):
    from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

    AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory(user=personas.volunteer))
    for role in ("partner", "volunteer", "viewer"):
        assert not Referral.objects.visible_to(getattr(personas, role)).exists()
    assert list(Referral.objects.visible_to(personas.teacher_a)) == [two[0]]
    assert Referral.objects.visible_to(personas.official).count() == 2
    assert not Referral.objects.for_partner(personas.official).exists()


def test_a_partner_without_an_organisation_sees_nothing(personas, two):
    from casework.models import Liaison

    Liaison.objects.filter(user=personas.partner).delete()
    page = personas.client_for("partner").get(reverse("referrals:partner_list"))
    assert page.status_code == 200 and page.context["referrals"] == []


@pytest.mark.parametrize("n", [2, 25])
def test_the_partners_list_costs_the_same_whatever_its_length(
    personas, django_assert_num_queries, n
):
    for _ in range(n):
        _refer(personas, child=ChildFactory(school=personas.school_b))
    client = personas.client_for("partner")
    # user, the referrals with child/town/organisation, the partner's organisation, the page's
    # VIEW event with its children (1) (the session: from the cache, saved once a minute)
    with django_assert_num_queries(4):
        response = client.get(reverse("referrals:partner_list"))
    assert len(response.context["referrals"]) == n


@pytest.mark.parametrize("n", [1, 20])
def test_the_partners_referral_page_costs_the_same(personas, django_assert_num_queries, n):
    referral = _refer(personas)
    for i in range(n):
        Guardian.objects.create(child=personas.child_a, name=f"监护人{i}", relation="other")
        status = "accepted" if i == 0 else "in_progress"
        services.answer(referral=referral, by=personas.partner, status=status, feedback=f"进展{i}")
    client = personas.client_for("partner")
    # user, the referral with its child/town/organisation/concern/sender, its steps with their
    # authors, the guardians, the page's VIEW event (the session: from the cache)
    with django_assert_num_queries(5):
        response = client.get(reverse("referrals:partner_referral", args=[referral.pk]))
    assert len(response.context["guardians"]) == n


def test_a_partners_tasks_are_the_referrals_to_answer(personas, two):
    from lbc_office.home import todo

    services.accept(referral=two[0], by=personas.partner)
    (due,) = todo.due_for(personas.partner, TODAY)
    assert (due.key, due.count, due.items[0].child_id) == (
        "referrals_to_answer", 1, personas.child_a.pk,
    )  # fmt: skip
    services.done(referral=two[0], by=personas.partner, feedback="已完成")
    assert todo.due_for(personas.partner, TODAY) == []
