"""The concern screens for every role: the office's list and a concern's page (query counts
pinned), raising one from the file and from a home visit (one transaction), the file's card and
timeline, and what a teacher, a volunteer and a viewer may do there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.models import Concern
from programmes import services as programme_services
from programmes.models import HomeVisit
from tests.casework.factories import ConcernFactory
from tests.factories import ChildFactory
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
LIST = "/casework/concerns/"


def test_the_list_shows_each_role_its_concerns(personas):
    a = ConcernFactory(child=personas.child_a)
    b = ConcernFactory(child=personas.child_b, severity="urgent")
    shown = {
        role: personas.client_for(role).get(LIST)
        for role in ("official", "teacher_a", "volunteer", "viewer")
    }
    assert set(shown["official"].context["page"]) == {a, b}
    assert set(shown["teacher_a"].context["page"]) == {a}
    assert shown["volunteer"].status_code == shown["viewer"].status_code == 403
    official = personas.client_for("official")
    assert list(official.get(LIST, {"severity": "urgent"}).context["page"]) == [b]
    assert list(official.get(LIST, {"state": "closed"}).context["page"]) == []
    town = personas.child_a.village.town_id
    assert a in official.get(LIST, {"town": town}).context["page"]


def test_the_list_filters_overdue_and_not_yet_looked_at(personas):
    from django.utils import timezone

    late = ConcernFactory(child=personas.child_a, due_at=timezone.now() - timezone.timedelta(1))
    fresh = ConcernFactory(child=personas.child_a)
    client = personas.client_for("official")
    assert list(client.get(LIST, {"state": "overdue"}).context["page"]) == [late]
    assert set(client.get(LIST, {"state": "untriaged"}).context["page"]) == {late, fresh}


@pytest.mark.parametrize("n", [1, 12])
def test_the_list_costs_the_same_however_many(personas, django_assert_num_queries, n):
    for _ in range(n):
        ConcernFactory(child=ChildFactory(school=personas.school_a))
    client = personas.client_for("official")
    # user, second-factor device; the count, the page of concerns with their child, school,
    # town and people, the towns of the filter; the VIEW event with its children (1)
    # (the session comes from the cache and is saved at most once a minute)
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert response.status_code == 200 and len(response.context["page"]) == n


@pytest.mark.parametrize("n", [1, 8])
def test_a_concerns_page_costs_the_same_however_long_its_history(
    personas, django_assert_num_queries, n
):
    from casework.services import concerns as services

    concern = ConcernFactory(child=personas.child_a)
    for i in range(n):
        services.record_action(concern=concern, by=personas.teacher_a, action_taken=f"第{i}次")
    client = personas.client_for("official")
    # user, second-factor device; the concern with child, school, town and people; its history
    # with authors; the VIEW event (1) (the session: from the cache, saved once a minute)
    with django_assert_num_queries(5):
        response = client.get(concern.get_absolute_url())
    assert response.status_code == 200 and len(response.context["history"]) == n + 1


def test_a_teacher_adds_what_they_did_and_the_office_decides(personas):
    concern = ConcernFactory(child=personas.child_a)
    teacher = personas.client_for("teacher_a")
    page = teacher.get(concern.get_absolute_url()).content.decode()
    assert 'id="action-form"' in page and 'id="triage-form"' not in page
    teacher.post(reverse("casework:concern_action", args=[concern.pk]), {"action_taken": "家访"})
    for name in ("concern_triage", "concern_close", "concern_reopen"):
        assert teacher.post(reverse(f"casework:{name}", args=[concern.pk]), {}).status_code == 403
    official = personas.client_for("official")
    official.post(reverse("casework:concern_triage", args=[concern.pk]), {"action_taken": "x"})
    official.post(
        reverse("casework:concern_close", args=[concern.pk]),
        {"outcome": "referred", "note": "转介妇联"},
    )
    concern.refresh_from_db()
    assert "家访" in concern.action_taken and concern.outcome == "referred"
    assert concern.triaged_by == concern.closed_by == personas.official
    # Closing twice: told why, nothing changes.
    again = official.post(
        reverse("casework:concern_close", args=[concern.pk]), {"outcome": "resolved"}, follow=True
    )
    assert concern.outcome == Concern.objects.get(pk=concern.pk).outcome
    assert list(again.context["messages"])


def test_a_teacher_raises_a_concern_from_the_file(personas):
    child = personas.child_a
    teacher = personas.client_for("teacher_a")
    file_page = teacher.get(child.get_absolute_url()).content.decode()
    url = reverse("casework:concern_add", args=[child.pk])
    assert url in file_page and 'id="concerns-card"' in file_page
    response = teacher.post(
        url,
        {
            "source": "child", "kind": "safety", "severity": "high",
            "description": "孩子说放学路上有人跟着", "county": "999", "child": personas.child_b.pk,
        },
    )  # fmt: skip
    concern = Concern.objects.get()
    assert response["Location"] == concern.get_absolute_url()
    assert (concern.child, concern.source) == (child, "child")
    assert concern.raised_by == personas.teacher_a
    # Teacher B (another school) cannot raise one about this child.
    assert personas.client_for("teacher_b").get(url).status_code == 404


def test_the_file_shows_concerns_to_staff_and_only_that_one_was_raised_to_a_volunteer(personas):
    child = personas.child_a
    AssignmentFactory(child=child, volunteer=VolunteerFactory(user=personas.volunteer))
    ConcernFactory(child=child, kind="abuse", description="secret-words-x")
    staff = personas.client_for("teacher_a").get(child.get_absolute_url()).content.decode()
    assert 'id="concerns-card"' in staff
    volunteer = personas.client_for("volunteer").get(child.get_absolute_url()).content.decode()
    assert 'id="concerns-card"' not in volunteer and "secret-words-x" not in volunteer
    assert reverse("casework:concern_add", args=[child.pk]) not in volunteer
    assert str(Concern.Kind.ABUSE.label) in volunteer or "Abuse" in volunteer or "虐待" in volunteer


# --- A concern ticked in a home visit ---------------------------------------------------------


def _visit(personas, **extra):
    from django.utils import timezone

    return {
        "date": timezone.localdate().isoformat(), "met": "grandparents", "education": "按时写作业",
        **extra,
    }  # fmt: skip


def test_a_home_visit_raises_a_concern_with_it(personas):
    teacher = personas.client_for("teacher_a")
    url = reverse("programmes:visit_add", args=[personas.child_a.pk])
    assert 'name="raise_concern"' in teacher.get(url).content.decode()
    ticked = {
        "raise_concern": "on", "concern_kind": "no_guardian", "concern_severity": "high",
        "concern_description": "奶奶住院，孩子独自在家",
    }  # fmt: skip
    teacher.post(url, _visit(personas, **ticked))
    visit = HomeVisit.objects.select_related("concern").get()
    assert visit.concern.source == "home_visit" and visit.concern.kind == "no_guardian"
    assert visit.concern.raised_by == personas.teacher_a
    # The visit's edit form raises none: it was raised with the visit.
    edit = teacher.get(reverse("programmes:visit_edit", args=[visit.pk])).content.decode()
    assert 'name="raise_concern"' not in edit


def test_a_ticked_concern_without_its_words_saves_no_visit(personas):
    teacher = personas.client_for("teacher_a")
    url = reverse("programmes:visit_add", args=[personas.child_a.pk])
    response = teacher.post(url, _visit(personas, raise_concern="on"))
    assert response.status_code == 200
    assert {"concern_kind", "concern_description"} <= set(response.context["form"].errors)
    assert not HomeVisit.objects.exists() and not Concern.objects.exists()


def test_a_failing_concern_leaves_no_visit(personas):
    """The visit and its concern are one transaction: the concern refused, no visit either."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        programme_services.record_home_visit(
            child=personas.child_a, visitor=personas.teacher_a, by=personas.teacher_a,
            date=_visit(personas)["date"], met="grandparents",
            raise_concern=True, concern_kind="not-a-kind", concern_description="x",
        )  # fmt: skip
    assert "concern_kind" in refused.value.message_dict
    assert not HomeVisit.objects.exists() and not Concern.objects.exists()


def test_a_failing_visit_leaves_no_concern(personas):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)  # a visit cannot be ahead
    with pytest.raises(ValidationError):
        programme_services.record_home_visit(
            child=personas.child_a, visitor=personas.teacher_a, by=personas.teacher_a,
            date=tomorrow, met="grandparents",
            raise_concern=True, concern_kind="neglect", concern_description="没人做饭",
        )  # fmt: skip
    assert not HomeVisit.objects.exists() and not Concern.objects.exists()


def test_an_open_concerns_page_offers_officials_to_refer_it(personas):
    concern = ConcernFactory(child=personas.child_a, raised_by=personas.teacher_a)
    url = reverse("casework:concern_detail", args=[concern.pk])
    html = personas.client_for("official").get(url).content.decode()
    refer = reverse("referrals:refer_concern", args=[concern.pk])
    assert 'id="concern-refer"' in html and refer in html
    assert 'id="concern-refer"' not in personas.client_for("teacher_a").get(url).content.decode()
