"""The audit log: each action writes its event, nothing sensitive goes in, nothing comes out."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.models import AuditEvent
from registry import services
from tests.factories import VillageFactory, make_id_number
from tests.lbc_office.test_accounts import PASSWORD

pytestmark = pytest.mark.django_db
A = AuditEvent.Action


def _events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_viewing_a_file_writes_one_event(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    client.get(child.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    (event,) = _events(action=A.VIEW)
    assert (event.user, event.child_id, event.ip) == (personas.teacher_a, child.pk, "10.1.2.3")
    assert event.object_type == "registry.child" and event.object_id == str(child.pk)


@pytest.mark.parametrize("role", ["teacher_b", "volunteer", "viewer"])
def test_a_refused_file_writes_one_event(personas, role):
    child = personas.child_a
    response = personas.client_for(role).get(child.get_absolute_url())
    assert response.status_code == 404
    (event,) = _events(action=A.REFUSED)
    assert event.user == getattr(personas, role)
    assert event.child_id == child.pk and event.detail == child.get_absolute_url()
    assert not _events(action=A.VIEW)


def test_a_role_refusal_on_another_record_is_logged_too(personas):
    personas.client_for("teacher_a").get(
        reverse("registry:school_detail", args=[personas.school_b.pk])
    )
    (event,) = _events(action=A.REFUSED)
    assert event.object_type == "registry:school_detail" and event.child_id is None


def test_creating_and_changing_records_writes_events(personas):
    school = personas.school_a
    dob = datetime.date(timezone.localdate().year - 9, 4, 1)
    child = services.create_child(
        by=personas.official, name="周小雨", id_number=make_id_number(dob, "F"), sex="F",
        date_of_birth=dob, school=school, grade=3, village=VillageFactory(town=school.town),
        father_away=True, mother_away=True, guardian="grandparents",
    )  # fmt: skip
    services.update_child(child=child, by=personas.teacher_a, name="周晓雨")
    created, changed = _events(child_id=child.pk)
    assert (created.action, created.user) == (A.CREATE, personas.official)
    assert (changed.action, changed.user) == (A.CHANGE, personas.teacher_a)


def test_no_sensitive_value_is_ever_in_the_log(personas):
    child = personas.child_a
    personas.client_for("official").get(child.get_absolute_url())
    personas.client_for("teacher_b").get(child.get_absolute_url())
    services.update_child(child=child, by=personas.official, notes="奶奶住院")
    Client().post(reverse("login"), {"username": "official", "password": "wrong-password"})
    for event in AuditEvent.objects.all():
        text = " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields)
        for secret in (child.id_number, child.name, "奶奶住院", "wrong-password"):
            assert secret not in text


def test_sign_in_failure_and_sign_out_are_logged(personas):
    client = Client()
    client.post(
        reverse("login"), {"username": "teacher_a", "password": "nope"}, REMOTE_ADDR="10.9.9.9"
    )
    client.post(
        reverse("login"), {"username": "teacher_a", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    client.post(reverse("logout"), REMOTE_ADDR="10.9.9.9")
    actions = [(e.action, e.username, e.ip) for e in _events(username="teacher_a")]
    assert actions == [
        (A.LOGIN_FAILED, "teacher_a", "10.9.9.9"),
        (A.LOGIN, "teacher_a", "10.9.9.9"),
        (A.LOGOUT, "teacher_a", "10.9.9.9"),
    ]


def test_events_cannot_be_changed_or_deleted_through_django(personas):
    personas.client_for("official").get(personas.child_a.get_absolute_url())
    event = AuditEvent.objects.get(action=A.VIEW)
    event.detail = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="edited")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("statement", ["UPDATE {t} SET detail = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_to_change_or_delete_events(personas, statement):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (CI runs this on PostgreSQL)")
    personas.client_for("official").get(personas.child_a.get_absolute_url())
    table = AuditEvent._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(t=table))
    assert AuditEvent.objects.filter(action=A.VIEW).count() == 1


def test_the_admin_shows_events_read_only(personas):
    personas.client_for("official").get(personas.child_a.get_absolute_url())
    event = AuditEvent.objects.get(action=A.VIEW)
    client = personas.client_for("official")
    assert client.get("/admin/lbc_office/auditevent/").status_code == 200
    change = client.post(f"/admin/lbc_office/auditevent/{event.pk}/change/", {"detail": "x"})
    assert change.status_code in (302, 403) or "detail" not in change.content.decode()
    assert client.get(f"/admin/lbc_office/auditevent/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.detail == "registry:child_detail"  # the page seen, as written


# --- Officials read it: the audit page, and on the file -------------------------------------


def test_officials_search_the_log(personas):
    personas.client_for("teacher_a").get(personas.child_a.get_absolute_url())
    personas.client_for("teacher_b").get(personas.child_a.get_absolute_url())
    client = personas.client_for("official")
    page = client.get(reverse("audit"), {"child": personas.child_a.pk, "action": "view"})
    assert [e.user for e in page.context["page"]] == [personas.teacher_a]
    by_user = client.get(reverse("audit"), {"user": "teacher_b"})
    assert {e.action for e in by_user.context["page"]} >= {A.REFUSED}
    today = timezone.localdate().isoformat()
    assert client.get(reverse("audit"), {"since": today, "until": today}).context["page"]


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_only_officials_read_the_log(personas, role):
    assert personas.client_for(role).get(reverse("audit")).status_code == 403


def test_the_file_shows_officials_who_has_looked_at_it(personas):
    personas.client_for("teacher_a").get(personas.child_a.get_absolute_url())
    official = personas.client_for("official").get(personas.child_a.get_absolute_url())
    html = official.content.decode()
    assert 'id="viewed-by"' in html and str(personas.teacher_a) in html
    teacher = personas.client_for("teacher_a").get(personas.child_a.get_absolute_url())
    assert 'id="viewed-by"' not in teacher.content.decode()


# --- Change history with before and after -------------------------------------------------------


def test_officials_read_the_files_changes_before_and_after(personas):
    child = personas.child_a
    services.update_child(child=child, by=personas.teacher_a, name="张晓明")
    from registry.models import Guardian

    guardian = services.save_guardian(
        guardian=Guardian(child=child), by=personas.teacher_a, name="张奶奶", relation="grandmother"
    )
    services.save_guardian(guardian=guardian, by=personas.official, phone="13700001111")
    page = personas.client_for("official").get(reverse("registry:child_history", args=[child.pk]))
    html = page.content.decode()
    assert "张小明" in html and "张晓明" in html  # before and after
    assert "13700001111" in html
    versions = list(page.context["page"])
    assert versions[0].user == personas.official  # newest first


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_only_officials_read_the_history(personas, role):
    url = reverse("registry:child_history", args=[personas.child_a.pk])
    assert personas.client_for(role).get(url).status_code == 404


def test_the_history_covers_records_of_every_app(personas):
    from programmes.models import HomeVisit
    from programmes.services import contact
    from tests.volunteers.factories import VolunteerFactory
    from volunteers.services import care

    child = personas.child_a
    visit = contact.record_home_visit(
        child=child, visitor=personas.teacher_a, by=personas.teacher_a,
        date=timezone.localdate(), met=HomeVisit.Met.GRANDPARENTS, education="按时写作业",
    )  # fmt: skip
    contact.update_home_visit(visit=visit, by=personas.teacher_a, education="每天检查作业")
    care.assign_volunteer(
        child=child, volunteer=VolunteerFactory(name="刘芳"), role="surrogate_parent",
        by=personas.official,
    )  # fmt: skip
    page = personas.client_for("official").get(reverse("registry:child_history", args=[child.pk]))
    html = page.content.decode()
    assert "按时写作业" in html and "每天检查作业" in html  # a visit, before and after
    assert "刘芳" in html  # an assignment


@pytest.mark.parametrize("changes", [1, 20])
def test_the_history_page_costs_the_same_whatever_its_length(
    personas, django_assert_num_queries, changes
):
    child = personas.child_a
    for i in range(changes):
        services.update_child(child=child, by=personas.official, notes=f"第{i}次")
    client = personas.client_for("official")
    url = reverse("registry:child_history", args=[child.pk])
    client.get(url)
    # session, user, second-factor device, the child; one query per record type with history
    # (the child, 5 of the register, 6 of programmes, 1 of volunteers, casework's concerns);
    # the page's VIEW event (1, issue 12); no session save (at most once a minute)
    with django_assert_num_queries(18):  # the session: from the cache
        client.get(url)
