"""Views of personal data are audited (issue 12, finding 8) and never stored by a browser.

- Every URL pattern of the app is either declared ``@shows_personal_data`` or listed here as
  showing no child's data: a new view cannot be forgotten.
- Every declared page, opened by the role that sees it, writes exactly one VIEW event naming the
  children it showed (a page of several lists exactly those, in ``AuditEventChild``).
- Every refusal (any 403, a 404 on a record's URL) writes exactly one REFUSED event.
- Every response to a signed-in user, downloads included, is ``Cache-Control: no-store``.
- The admin's child pages are audited too, and its search takes no identity number.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.models import AuditEvent, AuditEventChild
from registry.idnumber import LOOKUP
from tests import test_security
from tests.conftest import ROLES, search
from tests.factories import ChildFactory
from tests.programmes.factories import HomeVisitFactory
from tests.test_security import OUT_OF_SCOPE, _patterns
from tests.volunteers.factories import AssignmentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
outside = test_security.outside  # the battery's records of every kind, outside school A
A = AuditEvent.Action
TODAY = timezone.localdate()

# Pages that show no child's personal data (figures, reference data, forms of other records, the
# audit log's keys, POST-only actions that redirect). Add a page here only if that is true.
SHOWS_NO_CHILD_DATA = {
    "login", "logout", "two_factor", "password_change", "password_change_done",
    "set_language", "reports", "audit", "healthz",
    "registry:import_start", "registry:import_template",
    "registry:import_progress", "registry:import_confirm",
    "registry:school_list", "registry:school_create", "registry:school_detail",
    "registry:school_edit", "registry:family_room_add", "registry:family_room_edit",
    "registry:town_list", "registry:town_create", "registry:town_edit",
    "registry:village_add", "registry:village_edit",
    "programmes:room_list", "programmes:programme_list", "programmes:programme_create",
    "programmes:programme_edit", "programmes:programme_enrol", "programmes:session_add",
    "programmes:donation_list", "programmes:donation_create", "programmes:donation_edit",
    "volunteers:list", "volunteers:create", "volunteers:edit", "volunteers:assign_child",
    "volunteers:organisations", "volunteers:organisation_create",
    "volunteers:organisation_edit", "volunteers:checkin_roles",
    "volunteers:checkin_role_create", "volunteers:checkin_role_edit",
    "volunteers:inbox", "volunteers:inbox_read_all",
    "volunteers:inbox_read", "volunteers:sms_inbound", "volunteers:sms_handled",
    "volunteers:sms_list",
    # accounts and two-step sign-in: users, never a child (issue 12, findings 4 and 5)
    "accounts:list", "accounts:create", "accounts:detail", "accounts:role", "accounts:active",
    "accounts:schools", "accounts:password", "accounts:second_factor", "accounts:county",
    "enrolment_codes", "issue_enrolment_code", "favicon",
    "registry:sharing_override_end",  # POST only, then back to the file
    # a concern's actions: POST only, then back to the concern's page (the service audits them)
    "casework:concern_triage", "casework:concern_action", "casework:concern_close",
    "casework:concern_reopen",
    "plans:plan_open",  # POST only, then to the plan's page (audited)
    "registry:child_restore",  # POST only, then back to the file
    "registry:transfer_in",  # a form pre-filled from a pasted summary, as child_create
    # the REST API: tokens, reference data, figures through reports.build_for, the schema
    "api_tokens", "revoke_api_token", "api:carers", "api:school_list", "api:school_detail",
    "api:towns", "api:reports", "api:schema", "api:docs",
    # printing: POST-only starts that redirect, a job's status page, the export layouts' editor
    "registry:print_batch", "registry:handover_start", "registry:print_job",
    "registry:print_job_progress", "registry:layout_list", "registry:layout_create",
    "registry:layout_edit",
    # the installable app: its worker, its manifest and the offline page (a shell: no one's data)
    "service_worker", "manifest", "offline:app",
    # casework: the partner organisations (reference data) and linking a partner login to one
    "referrals:agencies", "referrals:agency_create", "referrals:agency_edit",
    "referrals:agency_active", "accounts:agency",
}  # fmt: skip


def _our_patterns():
    for name, route, pattern in _patterns():
        if route.startswith(("admin/", "static")) or name is None:
            continue
        yield name, route, pattern


def _shows_none(name: str) -> bool:
    # the report tables show figures only, suppressed (tests/lbc_office/test_report_*.py)
    return name in SHOWS_NO_CHILD_DATA or name.startswith(("report_", "api:report_"))


def _declared():
    return sorted(
        name
        for name, _, pattern in _our_patterns()
        if getattr(pattern.callback, "shows_personal_data", False)
    )


def test_every_page_is_declared_or_shows_no_child_data():
    undeclared = {
        name
        for name, _, pattern in _our_patterns()
        if not getattr(pattern.callback, "shows_personal_data", False)
    }
    assert {n for n in undeclared if not _shows_none(n)} == set(), "declare them"
    assert SHOWS_NO_CHILD_DATA & set(_declared()) == set()


# --- Each declared page writes one VIEW event naming its children ----------------------------


def _url(name, outside):
    keys = OUT_OF_SCOPE[name](outside) if name in OUT_OF_SCOPE else {}
    url = reverse(name, kwargs=keys)
    extra = {
        "programmes:call_session": "?grade={grade}",
        "programmes:handover_add": "?school={school}",
        "programmes:follow_ups": "?show=open",
        "registry:layout_export": "?layout={layout}",
    }.get(name, "")
    return url + extra.format(
        grade=outside["child"].grade, school=outside["child"].school_id, layout=outside["layout"].pk
    )


def _shown(event) -> set[int]:
    rows = set(AuditEventChild.objects.filter(event=event).values_list("child_id", flat=True))
    return rows | ({event.child_id} if event.child_id else set())


@pytest.fixture
def busy(personas, outside):
    """School B's child has a record of every kind (``outside``), a follow-up due, a check-in
    and a handover: every list has a row."""
    from programmes.models import Handover
    from volunteers.models import MonthlyCheckin

    child = outside["child"]
    ChildFactory(school=child.school)  # no carer, no contact
    MonthlyCheckin.objects.filter(pk=outside["checkin"].pk).update(
        concern=True, submitted_at=timezone.now()
    )
    HomeVisitFactory(child=child, follow_up_needed=True, follow_up_by=TODAY)
    Handover.objects.create(
        donation=outside["donation"], child=child, county=child.county, value=10,
        handed_over_on=TODAY,
    )  # fmt: skip
    return outside


@pytest.mark.parametrize("name", _declared())
def test_a_declared_page_writes_one_view_event_naming_its_children(personas, busy, name):
    if name == "volunteers:my_children" or name == "volunteers:my_checkin":
        pytest.skip("the volunteer's own pages: see the next test")
    if name in ("offline:working_set", "offline:sync"):
        pytest.skip("a teacher's or volunteer's own phone, none for officials: tests/offline/")
    if name.startswith("referrals:partner_"):
        pytest.skip("the partner's own pages: tests/casework/test_partner.py")
    if name == "registry:child_create":
        pytest.skip("shows children only when it warns of duplicates: test_duplicates.py")
    response = personas.client_for("official").get(_url(name, busy))
    assert response.status_code == 200, response.status_code
    # one event per response: the export's is its EXPORT event (see below)
    (event,) = AuditEvent.objects.filter(action__in=[A.VIEW, A.EXPORT])
    assert event.user == personas.official
    assert event.action == A.EXPORT or event.detail.startswith(name)
    if name == "registry:import_detail":  # the preview of a file: about the import job
        assert event.object_type == "registry.importjob"
    elif name in OUT_OF_SCOPE:  # the page of the child or of a record of theirs
        assert busy["child"].pk in _shown(event)
    else:  # a list
        assert _shown(event)
    assert "no-store" in response["Cache-Control"]


def test_the_volunteers_list_and_check_in_name_their_children(personas):
    volunteer = VolunteerFactory(user=personas.volunteer)
    assignment = AssignmentFactory(child=personas.child_a, volunteer=volunteer)
    other = AssignmentFactory(child=ChildFactory(school=personas.school_a), volunteer=volunteer)
    client = personas.client_for("volunteer")
    client.get(reverse("volunteers:my_children"))
    (event,) = AuditEvent.objects.filter(action=A.VIEW)
    assert _shown(event) == {personas.child_a.pk, other.child_id}
    assert event.detail.startswith("volunteers:my_children children=2")
    client.get(reverse("volunteers:my_checkin", args=[assignment.pk]))
    latest = AuditEvent.objects.filter(action=A.VIEW).first()
    assert latest.child_id == personas.child_a.pk and latest.pk != event.pk


def test_a_teachers_edit_form_and_an_officials_history_page_are_audited(personas):
    child = personas.child_a
    personas.client_for("teacher_a").get(reverse("registry:child_edit", args=[child.pk]))
    personas.client_for("official").get(reverse("registry:child_history", args=[child.pk]))
    edit, history = AuditEvent.objects.filter(action=A.VIEW).order_by("id")
    assert (edit.user, edit.child_id, edit.detail) == (
        personas.teacher_a, child.pk, "registry:child_edit",
    )  # fmt: skip
    assert (history.user, history.child_id) == (personas.official, child.pk)
    assert history.detail == "registry:child_history"


def test_a_saved_form_is_its_change_event_not_a_view(personas):
    child = personas.child_a
    personas.client_for("official").post(
        reverse("registry:child_status", args=[child.pk]), {"status": "bogus"}
    )  # an invalid form shows the page again: a view
    assert AuditEvent.objects.filter(action=A.VIEW, child_id=child.pk).count() == 1


def test_a_list_names_exactly_the_children_of_its_page(personas, settings):
    settings.LBC_PAGE_SIZE = 2
    for i in range(3):
        ChildFactory(school=personas.school_a, name=f"王{i}")
    client = personas.client_for("official")
    for page in ("1", "2"):
        response = client.get(reverse("registry:child_list"), {"page": page})
        event = AuditEvent.objects.filter(action=A.VIEW).first()
        assert _shown(event) == {child.pk for child in response.context["page"]}
        assert event.child_id is None or len(response.context["page"]) == 1
    assert AuditEvent.objects.filter(action=A.VIEW).count() == 2


def test_who_saw_a_child_finds_its_file_and_the_lists_it_was_on(personas):
    client = personas.client_for("official")
    client.get(personas.child_a.get_absolute_url())
    client.get(reverse("registry:child_list"))
    personas.client_for("teacher_b").get(reverse("registry:child_list"))  # school B only
    about_a = AuditEvent.objects.about_child(personas.child_a.pk)
    assert [(e.user, e.detail.split(" ")[0]) for e in about_a.order_by("id")] == [
        (personas.official, "registry:child_detail"),
        (personas.official, "registry:child_list"),
    ]
    page = client.get(reverse("audit"), {"child": personas.child_a.pk, "action": "view"})
    assert len(page.context["page"]) == 2


def test_an_identity_number_search_is_marked_as_such_without_the_number(personas):
    child = personas.child_a
    client = personas.client_for("teacher_a")
    search(client, reverse("registry:child_list"), q=child.id_number)
    search(client, reverse("registry:child_list"), q=child.id_number[-4:])
    search(client, reverse("registry:child_list"), q="110101")  # nobody's: still recorded
    search(client, reverse("registry:child_list"), q="张")
    # (a non-official's lookup by number is also counted on its own, registry.idnumber.LOOKUP)
    events = list(
        AuditEvent.objects.filter(action=A.VIEW).exclude(object_type=LOOKUP).order_by("id")
    )
    assert [e.detail.split(" ")[-1] for e in events] == [
        "search=id_number", "search=id_number", "search=id_number", "search=name",
    ]  # fmt: skip
    assert _shown(events[0]) == {child.pk} and _shown(events[2]) == set()
    for event in events:
        text = " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields)
        assert child.id_number not in text and "110101" not in text
        assert child.id_number[-4:] not in event.detail


def test_an_export_lists_every_child_in_the_file(personas):
    client = personas.client_for("official")
    response = client.get(reverse("registry:child_export"), {"format": "csv"})
    b"".join(response.streaming_content)
    assert "no-store" in response["Cache-Control"]
    (event,) = AuditEvent.objects.filter(action=A.EXPORT)
    assert _shown(event) == {personas.child_a.pk, personas.child_b.pk}
    assert not AuditEvent.objects.filter(action=A.VIEW).exists()  # one event per response


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("official", "anonymous")])
def test_every_refusal_writes_one_event_and_nothing_else_does(personas, outside, role):
    """Walk every page as each role: a 403 or a record's 404 writes one REFUSED event; a page
    served writes none."""
    client = personas.client_for(role)
    wrong = {}
    for name, route, _ in _our_patterns():
        if name in ("logout", "set_language"):
            continue
        before = AuditEvent.objects.filter(action=A.REFUSED).count()
        response = client.get(_url(name, outside))
        refused = AuditEvent.objects.filter(action=A.REFUSED).count() - before
        expected = 1 if response.status_code in (403, 404) else 0
        if refused != expected:
            wrong[name] = (response.status_code, refused)
    assert wrong == {}


def test_a_403_on_a_page_without_a_key_is_recorded(personas):
    response = personas.client_for("viewer").get(reverse("registry:child_list"))
    assert response.status_code == 403
    (event,) = AuditEvent.objects.filter(action=A.REFUSED)
    assert event.user == personas.viewer and event.object_type == "registry:child_list"


def test_a_key_out_of_range_is_refused_without_an_error(personas):
    # The bounded <key:> converter (issue 12): no URL matches, so it is an unknown address like
    # any other, not a refused record — no event, and never a 500 nor a number too large to keep.
    response = personas.client_for("teacher_a").get("/children/99999999999999999999/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=A.REFUSED).exists()


# --- No-store ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["official", "teacher_a", "volunteer", "partner"])
def test_every_page_and_download_is_no_store(personas, busy, role):
    client = personas.client_for(role)
    stored = {}
    for name, route, _ in _our_patterns():
        if name in ("logout", "set_language", "healthz"):
            continue
        response = client.get(_url(name, busy))
        if "no-store" not in response.get("Cache-Control", ""):
            stored[name] = response.status_code
    for url in ("/children/export/?format=xlsx", "/imports/template/?format=xlsx", "/admin/"):
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            stored[url] = response.status_code
    assert stored == {}


def test_static_files_may_be_cached(personas, client):
    from django.conf import settings

    static = "lbc_office.core.static_files.StaticFilesMiddleware"  # whitenoise, a year's cache
    assert static in settings.MIDDLEWARE
    index = settings.MIDDLEWARE.index
    assert (
        index(static)
        < index("django.middleware.gzip.GZipMiddleware")
        < index("lbc_office.core.audit.AuditMiddleware")
    )  # WhiteNoise answers static files before the audit middleware marks anything


# --- The admin --------------------------------------------------------------------------------


def test_the_admins_child_pages_are_audited(personas):
    child = personas.child_a
    client = personas.client_for("official")
    pages = [
        "/admin/registry/child/",
        f"/admin/registry/child/{child.pk}/change/",
        f"/admin/registry/child/{child.pk}/history/",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    changelist, change, history = AuditEvent.objects.filter(action=A.VIEW).order_by("id")
    assert _shown(changelist) == {personas.child_a.pk, personas.child_b.pk}
    assert change.child_id == history.child_id == child.pk
    assert {e.user for e in (changelist, change, history)} == {personas.official}


def test_the_admins_records_of_a_child_are_audited(personas):
    visit = HomeVisitFactory(child=personas.child_b)
    client = personas.client_for("official")
    client.get("/admin/programmes/homevisit/")
    client.get(f"/admin/programmes/homevisit/{visit.pk}/change/")
    listed, opened = AuditEvent.objects.filter(action=A.VIEW).order_by("id")
    assert _shown(listed) == _shown(opened) == {personas.child_b.pk}


def test_every_admin_of_a_childs_records_is_audited():
    from django.contrib import admin

    from lbc_office.core.admin_audit import ShowsChildrenAdmin
    from registry.models import Child
    from volunteers.models import Assignment

    def about_a_child(model):
        if model is Child:
            return True
        return any(
            f.is_relation and f.many_to_one and f.related_model in (Child, Assignment)
            for f in model._meta.get_fields()
        )

    unaudited = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if about_a_child(model) and not isinstance(model_admin, ShowsChildrenAdmin)
    ]
    assert unaudited == []


def test_the_admin_does_not_search_by_identity_number(personas):
    """Its search is a GET: a number typed there would sit in the URL. It finds no child by
    number, so nobody is taught to type one; the children list's search keeps it out of URLs."""
    from django.contrib import admin

    from registry.models import Child

    assert "id_number" not in admin.site._registry[Child].search_fields
    client = personas.client_for("official")
    response = client.get("/admin/registry/child/", {"q": personas.child_a.id_number})
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []


def test_event_children_are_append_only(personas):
    personas.client_for("official").get(reverse("registry:child_list"))
    row = AuditEventChild.objects.first()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEventChild.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEventChild.objects.update(child_id=1)


@pytest.mark.parametrize("statement", ["UPDATE {t} SET child_id = 1", "DELETE FROM {t}"])
def test_the_database_refuses_to_change_event_children(personas, statement):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's (CI runs this on PostgreSQL)")
    personas.client_for("official").get(reverse("registry:child_list"))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(t=AuditEventChild._meta.db_table))
    assert AuditEventChild.objects.count() == 2


def test_who_saw_a_child_reads_the_same_when_the_list_is_long(personas, monkeypatch):
    client = personas.client_for("official")
    client.get(reverse("registry:child_list"))
    client.get(personas.child_a.get_absolute_url())
    inline = list(AuditEvent.objects.about_child(personas.child_a.pk))
    monkeypatch.setattr(type(AuditEvent.objects.all()), "LISTED_INLINE", 0)
    assert list(AuditEvent.objects.about_child(personas.child_a.pk)) == inline
    assert len(inline) == 2


@pytest.mark.parametrize("role", ["teacher_a", "volunteer", "viewer"])
def test_the_admin_turning_someone_away_is_a_refusal(personas, role):
    url = f"/admin/registry/child/{personas.child_a.pk}/change/"
    response = personas.client_for(role).get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    (event,) = AuditEvent.objects.filter(action=A.REFUSED)
    assert event.user == getattr(personas, role) and event.detail == url
