"""The security battery an auditor would run (issue 7).

- Every URL pattern that takes a record key answers 404 to every role for a record outside its
  scope (anonymous users: the login page) — by walking the URL configuration, so that a new view
  cannot escape: a keyed pattern missing from ``OUT_OF_SCOPE`` fails the first test.
- Every POST needs its CSRF token; ``?next=`` never leaves the site; what is typed into a search
  never appears in a URL, and no page links to a URL with an identity number in it.
- Forms name their fields (no ``__all__``, no ``exclude``), and extra POST fields are ignored.
- Names such as ``<script>`` and ``=HYPERLINK(...)`` are stored as typed and shown escaped.
"""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from lbc_office.core.models import Role
from registry import services
from registry.models import Guardian
from tests.casework.factories import ConcernFactory
from tests.conftest import ROLES, login
from tests.factories import (
    ChildFactory,
    FamilyRoomFactory,
    HealthCheckFactory,
    UserFactory,
    VillageFactory,
)
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    FamilyCallFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    ProgrammeFactory,
)
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import CheckinRole, MonthlyCheckin, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
APPS = ("registry", "programmes", "volunteers", "lbc_office")


def _patterns(patterns=None, prefix="", namespace=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, prefix + str(p.pattern), p


def _keyed_patterns():
    """Our URL patterns that take a record key (the admin has its own tests)."""
    return sorted(
        {
            name
            for name, route, p in _patterns()
            if p.pattern.converters and not route.startswith("admin/")
        }
    )


@pytest.fixture
def outside(personas):
    """One record of every kind, all belonging to school B's child or to nobody in particular:
    outside the scope of teacher A, of the volunteer (who looks after school A's child only) and
    of the report viewer."""
    AssignmentFactory(child=personas.child_a, volunteer=VolunteerFactory(user=personas.volunteer))
    child = personas.child_b
    room = FamilyRoomFactory(school=child.school)
    programme = ProgrammeFactory(starts_on=TODAY - datetime.timedelta(days=100))
    enrolment = EnrolmentFactory(programme=programme, child=child)
    assignment = AssignmentFactory(child=child, volunteer=VolunteerFactory())
    checkin = MonthlyCheckin.objects.create(
        assignment=assignment, county=child.county, month=TODAY.replace(day=1)
    )
    someone = UserFactory(role=Role.TEACHER, username="someone-else")
    notification = Notification.objects.create(
        recipient_key=f"user:{someone.pk}", user=someone, kind="concern", period="x",
        subject="s", body="b",
    )  # fmt: skip
    from programmes.models import ProgrammeSession

    session = ProgrammeSession.objects.create(
        programme=programme, county=child.county, date=TODAY, topic="家长课堂"
    )
    HealthCheckFactory(child=child)
    from registry.models import ImportJob

    import_job = ImportJob.objects.create(
        kind="children", filename="x.csv", size=1, data=b"x", uploaded_by=someone
    )
    from registry.models import ExportLayout, PrintJob
    from registry.printing import jobs as print_jobs

    # A batch the official printed: theirs to download, no one else's (a real file on disk).
    print_job = PrintJob.objects.create(
        kind="batch", requested_by=personas.official, child_ids=[child.pk], total=1,
        status="done", filename=f"outside-{child.pk}.pdf",
    )  # fmt: skip
    (print_jobs.print_dir() / print_job.filename).write_bytes(b"%PDF-1.4\n%%EOF\n")
    layout = ExportLayout.objects.create(
        name="x", columns=[{"key": "name", "header": "姓名"}], created_by=someone
    )
    return {
        **_casework_records(child, someone),
        "import_job": import_job,
        "print_job": print_job,
        "layout": layout,
        "child": child,
        "guardian": Guardian.objects.create(child=child, name="李奶奶", relation="grandmother"),
        "school": child.school,
        "room": room,
        "town": child.school.town,
        "village": VillageFactory(town=child.school.town),
        "visit": HomeVisitFactory(child=child),
        "call": FamilyCallFactory(child=child, room=room),
        "parent_visit": ParentVisitFactory(child=child),
        "programme": programme,
        "enrolment": enrolment,
        "session": session,
        "donation": DonationFactory(),
        "volunteer": assignment.volunteer,
        "organisation": OrganisationFactory(),
        "checkin_role": CheckinRole.objects.first() or CheckinRole.objects.create(name="x"),
        "checkin": checkin,
        "assignment": assignment,
        "notification": notification,
        "concern": ConcernFactory(child=child, raised_by=someone),
        "account": someone,
        "official": UserFactory(role=Role.OFFICIAL, username="another-official"),
        "sharing_override": _sharing_override(child),
        "reunification_check": _reunification_check(child),
        "api_token": _api_token(someone),
        **_case_plan(child, personas.official),
        **_duplicate_and_merge(child),
    }


def _casework_records(child, by, agency=None):
    """A protection concern about ``child`` and a referral of it to ``agency`` (by default an
    organisation no persona acts for), sent by an official."""
    from casework.models import Concern, Referral
    from tests.factories import AgencyFactory

    agency = agency or AgencyFactory(county=child.county, name=f"其他单位{child.pk}")
    sender = UserFactory(role=Role.OFFICIAL, username=f"referrer-{child.pk}")
    concern = Concern.objects.create(
        county=child.county, child=child, kind="neglect", source="school", description="x",
        raised_by=by, due_at=timezone.now(),
    )  # fmt: skip
    referral = Referral.objects.create(
        county=child.county, child=child, concern=concern, agency=agency, asked="请家访",
        due_on=TODAY, sent_by=sender,
    )  # fmt: skip
    return {"agency": agency, "concern": concern, "referral": referral}


def _case_plan(child, official):
    """School B's child at urgent risk, with a case plan and one open action."""
    from casework.models import CasePlan, PlanAction
    from registry import risk

    risk.set_risk_level(child=child, level="urgent", reason="x", by=official)
    plan = CasePlan.objects.get(child=child)
    action = PlanAction.objects.create(
        plan=plan, what="家访", owner_user=official, due_on=TODAY, created_by=official
    )
    return {"plan": plan, "plan_action": action}


def _duplicate_and_merge(child):
    """A suspected twin of ``child`` (same school, name and birth date) and a merge record of
    the two (made directly: the service would move the records the other pages need)."""
    from registry.models import ChildMerge, DuplicatePair

    twin = ChildFactory(school=child.school, village=child.village, name=child.name,
                        date_of_birth=child.date_of_birth)  # fmt: skip
    first, second = sorted((child.pk, twin.pk))
    DuplicatePair.objects.create(first_id=first, second_id=second, reasons="name_birth_town")
    merge = ChildMerge.objects.create(survivor=child, duplicate=twin, previous_status="active")
    return {"duplicate": twin, "merge": merge}


def _reunification_check(child):
    """A check due today on school B's child (its status change made by hand: the child stays
    active, as every other record here expects)."""
    from casework.models import ReunificationCheck
    from registry.models import StatusChange

    change = StatusChange.objects.create(
        child=child, from_status="active", to_status="reunited", date=TODAY, reason="x"
    )
    return ReunificationCheck.objects.create(
        child=child, county=child.county, status_change=change, after_months=1, due_on=TODAY
    )


def _api_token(user):
    from lbc_office.api.models import ApiToken

    return ApiToken.objects.create(
        user=user, created_by=user, name="x", prefix="lbc_x", digest=f"{user.pk:064d}",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip


def _sharing_override(child):
    from registry.models import ConsentOverride

    return ConsentOverride.objects.create(
        child=child, county=child.county, reason="x", valid_until=TODAY
    )


def _inbound_sms():
    from volunteers.models import InboundSms

    return InboundSms.objects.get_or_create(
        message_id="outside", defaults={"sender": "13800000000", "text": "?", "status": "attention"}
    )[0]


# url name → the keys of a record outside the scope (from the ``outside`` fixture)
OUT_OF_SCOPE = {
    "registry:child_detail": lambda r: {"pk": r["child"].pk},
    "registry:child_edit": lambda r: {"pk": r["child"].pk},
    "registry:child_status": lambda r: {"pk": r["child"].pk},
    "registry:child_history": lambda r: {"pk": r["child"].pk},
    "registry:child_risk": lambda r: {"pk": r["child"].pk},
    "registry:health_check_add": lambda r: {"pk": r["child"].pk},
    "registry:child_file_pdf": lambda r: {"pk": r["child"].pk},
    "registry:handover_start": lambda r: {"pk": r["child"].pk},
    "registry:handover_summary": lambda r: {"pk": r["child"].pk},
    "registry:child_transfer": lambda r: {"pk": r["child"].pk},
    "registry:child_restore": lambda r: {"pk": r["child"].pk},
    "reunification_check": lambda r: {"pk": r["reunification_check"].pk},
    # Print jobs are their maker's alone: every other account, officials too, gets 404.
    "registry:print_job": lambda r: {"pk": r["print_job"].pk},
    "registry:print_job_progress": lambda r: {"pk": r["print_job"].pk},
    "registry:print_job_download": lambda r: {"pk": r["print_job"].pk},
    "registry:layout_edit": lambda r: {"pk": r["layout"].pk},
    "registry:parent_away_edit": lambda r: {"pk": r["child"].pk, "relation": "father"},
    "registry:guardian_add": lambda r: {"pk": r["child"].pk},
    "registry:guardian_edit": lambda r: {"pk": r["child"].pk, "guardian_pk": r["guardian"].pk},
    "registry:consent_add": lambda r: {"pk": r["child"].pk},
    "registry:sharing_override": lambda r: {"pk": r["child"].pk},
    "registry:sharing_override_end": lambda r: {
        "pk": r["child"].pk,
        "override_pk": r["sharing_override"].pk,
    },
    "registry:consent_override": lambda r: {"pk": r["child"].pk},
    "registry:school_detail": lambda r: {"pk": r["school"].pk},
    "registry:school_edit": lambda r: {"pk": r["school"].pk},
    "registry:family_room_add": lambda r: {"school_pk": r["school"].pk},
    "registry:family_room_edit": lambda r: {"school_pk": r["school"].pk, "pk": r["room"].pk},
    "registry:town_edit": lambda r: {"pk": r["town"].pk},
    "registry:import_detail": lambda r: {"pk": r["import_job"].pk},
    "registry:import_progress": lambda r: {"pk": r["import_job"].pk},
    "registry:import_confirm": lambda r: {"pk": r["import_job"].pk},
    "registry:village_add": lambda r: {"town_pk": r["town"].pk},
    "registry:village_edit": lambda r: {"town_pk": r["town"].pk, "pk": r["village"].pk},
    # Case plans (issue 14): officials and the child's teachers only.
    "plans:plan_detail": lambda r: {"pk": r["child"].pk},
    "plans:plan_open": lambda r: {"pk": r["child"].pk},
    "plans:action_add": lambda r: {"pk": r["child"].pk},
    "plans:action_edit": lambda r: {"pk": r["child"].pk, "action_pk": r["plan_action"].pk},
    "plans:action_done": lambda r: {"pk": r["child"].pk, "action_pk": r["plan_action"].pk},
    "plans:plan_review": lambda r: {"pk": r["child"].pk},
    "plans:plan_close": lambda r: {"pk": r["child"].pk},
    "programmes:visit_add": lambda r: {"pk": r["child"].pk},
    "programmes:visit_detail": lambda r: {"visit_pk": r["visit"].pk},
    "programmes:visit_edit": lambda r: {"visit_pk": r["visit"].pk},
    "programmes:call_add": lambda r: {"pk": r["child"].pk},
    "programmes:call_edit": lambda r: {"call_pk": r["call"].pk},
    "programmes:call_session": lambda r: {"room_pk": r["room"].pk},
    "programmes:parent_visit_add": lambda r: {"pk": r["child"].pk},
    "programmes:parent_visit_edit": lambda r: {"visit_pk": r["parent_visit"].pk},
    "programmes:child_received": lambda r: {"pk": r["child"].pk},
    "programmes:programme_detail": lambda r: {"pk": r["programme"].pk},
    "programmes:programme_edit": lambda r: {"pk": r["programme"].pk},
    "programmes:programme_enrol": lambda r: {"pk": r["programme"].pk},
    "programmes:session_add": lambda r: {"pk": r["programme"].pk},
    "programmes:enrol_child": lambda r: {"pk": r["child"].pk},
    "programmes:enrolment_end": lambda r: {"enrolment_pk": r["enrolment"].pk},
    "programmes:session_attendance": lambda r: {"session_pk": r["session"].pk},
    "programmes:donation_detail": lambda r: {"pk": r["donation"].pk},
    "programmes:donation_edit": lambda r: {"pk": r["donation"].pk},
    "programmes:handover_add": lambda r: {"pk": r["donation"].pk},
    "volunteers:detail": lambda r: {"pk": r["volunteer"].pk},
    "volunteers:edit": lambda r: {"pk": r["volunteer"].pk},
    "volunteers:assign_child": lambda r: {"pk": r["volunteer"].pk},
    "volunteers:organisation_edit": lambda r: {"pk": r["organisation"].pk},
    "volunteers:checkin_role_edit": lambda r: {"pk": r["checkin_role"].pk},
    "volunteers:assign_for_child": lambda r: {"pk": r["child"].pk},
    "volunteers:end_assignment": lambda r: {"pk": r["assignment"].pk},
    "volunteers:my_checkin": lambda r: {"pk": r["assignment"].pk},
    "volunteers:inbox_read": lambda r: {"pk": r["notification"].pk},
    # Recorded for a volunteer: officials, and the coordinator of the volunteer's organisation.
    "volunteers:checkin_for": lambda r: {"pk": r["assignment"].pk},
    "volunteers:sms_handled": lambda r: {"pk": _inbound_sms().pk},
    # Protection concerns (casework): officials and the child's teachers; nobody else.
    "casework:concern_detail": lambda r: {"pk": r["concern"].pk},
    "casework:concern_triage": lambda r: {"pk": r["concern"].pk},
    "casework:concern_action": lambda r: {"pk": r["concern"].pk},
    "casework:concern_close": lambda r: {"pk": r["concern"].pk},
    "casework:concern_reopen": lambda r: {"pk": r["concern"].pk},
    "casework:concern_add": lambda r: {"pk": r["child"].pk},
    # Referrals (casework): officials and the child's teachers; partners only their own
    # organisation's (its own pages); organisations are the officials'.
    "referrals:detail": lambda r: {"pk": r["referral"].pk},
    "referrals:partner_referral": lambda r: {"pk": r["referral"].pk},
    "referrals:refer_child": lambda r: {"pk": r["child"].pk},
    "referrals:refer_concern": lambda r: {"pk": r["concern"].pk},
    "referrals:agency_edit": lambda r: {"pk": r["agency"].pk},
    "referrals:agency_active": lambda r: {"pk": r["agency"].pk},
    "accounts:agency": lambda r: {"pk": r["account"].pk},
    # Accounts are the officials' alone: every other role gets 404 on any account's page.
    "accounts:detail": lambda r: {"pk": r["account"].pk},
    "accounts:role": lambda r: {"pk": r["account"].pk},
    "accounts:active": lambda r: {"pk": r["account"].pk},
    "accounts:county": lambda r: {"pk": r["account"].pk},
    "accounts:schools": lambda r: {"pk": r["account"].pk},
    "accounts:password": lambda r: {"pk": r["account"].pk},
    "accounts:second_factor": lambda r: {"pk": r["account"].pk},
    "issue_enrolment_code": lambda r: {"pk": r["official"].pk},
    # The REST API (issue 16): the same scope as the screens; a user's tokens are their own.
    "revoke_api_token": lambda r: {"pk": r["api_token"].pk},
    "api:child_detail": lambda r: {"pk": r["child"].pk},
    "api:home_visits": lambda r: {"pk": r["child"].pk},
    "api:family_calls": lambda r: {"pk": r["child"].pk},
    "api:assignments": lambda r: {"pk": r["child"].pk},
    "api:school_detail": lambda r: {"pk": r["school"].pk},
    # Suspected duplicates and merges (issue 14): the officials' alone, 404 for everyone else.
    "registry:duplicate_compare": lambda r: {"pk": r["child"].pk, "other_pk": r["duplicate"].pk},
    "registry:child_merge": lambda r: {"pk": r["merge"].pk},
}


def test_every_keyed_url_is_in_the_battery():
    """A new view that takes a record key must be added to OUT_OF_SCOPE, and so be tested."""
    assert set(_keyed_patterns()) == set(OUT_OF_SCOPE)


def _answer(client, url):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only view
        response = client.post(url, {})
    return response


# Every role but the official (who sees everything: see the next test) and teacher B, whose
# school these records belong to.
@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("official", "teacher_b")])
def test_records_outside_a_roles_scope_answer_404(personas, outside, role):
    client = personas.client_for(role)
    wrong = {}
    for name, keys in OUT_OF_SCOPE.items():
        url = reverse(name, kwargs=keys(outside))
        response = _answer(client, url)
        if role == "anonymous" and url.startswith("/api/"):
            ok = response.status_code == 401  # the API asks for a token
        elif role == "anonymous":
            ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            ok = response.status_code == 404
        if not ok:
            wrong[url] = response.status_code
    assert wrong == {}


def test_a_missing_record_answers_404_to_officials(personas, outside):
    client = personas.client_for("official")
    wrong = {}
    for name, keys in OUT_OF_SCOPE.items():
        missing = {k: (v if isinstance(v, str) else 987_654) for k, v in keys(outside).items()}
        response = _answer(client, reverse(name, kwargs=missing))
        if response.status_code != 404:
            wrong[name] = response.status_code
    assert wrong == {}


# Keys no key column holds: past PostgreSQL's bigint (and SQLite's integer), and far past it.
OUT_OF_RANGE = [str(2**63), "99999999999999999999", "9" * 40]


def test_every_key_in_a_url_is_a_bounded_key():
    """Record keys use ``<key:…>`` (core.converters), never Django's unbounded ``int``."""
    from django.urls.converters import IntConverter

    unbounded = [
        name
        for name, route, p in _patterns()
        if not route.startswith("admin/")
        and any(isinstance(c, IntConverter) for c in p.pattern.converters.values())
    ]
    assert unbounded == []


def test_a_key_out_of_range_answers_404(personas, outside):
    """``/children/99999999999999999999/`` answered 500 (PostgreSQL: bigint out of range)."""
    client = personas.client_for("official")
    wrong = {}
    for name, keys in OUT_OF_SCOPE.items():
        real = keys(outside)
        for field, value in real.items():
            if isinstance(value, str):
                continue
            marker = reverse(name, kwargs={**real, field: 7_654_321})
            for huge in OUT_OF_RANGE:
                url = marker.replace("/7654321/", f"/{huge}/")
                try:
                    status = _answer(client, url).status_code
                except Exception as exc:  # noqa: BLE001 — the test client re-raises a 500
                    status = type(exc).__name__
                if status != 404:
                    wrong[url] = status
    assert wrong == {}


# --- CSRF, redirects, URLs -------------------------------------------------------------------


def test_every_post_needs_its_csrf_token(personas, outside):
    client = login(Client(enforce_csrf_checks=True), personas.official)
    refused = {}
    for name, route, pattern in _patterns():
        if route.startswith("admin/") or route.startswith("static"):
            continue
        keys = OUT_OF_SCOPE[name](outside) if name in OUT_OF_SCOPE else {}
        url = reverse(name, kwargs=keys) if "<" in route or not route else None
        if url is None:
            try:
                url = reverse(name)
            except Exception:  # noqa: BLE001 — a pattern without a name cannot be posted to
                continue
        refused[url] = client.post(url, {"anything": "1"}).status_code
    assert refused and set(refused.values()) == {403}, refused


@pytest.mark.parametrize(
    "url, data",
    [
        ("/accounts/login/", {"username": "official", "password": "pw-for-tests-2026"}),
        ("/i18n/setlang/", {"language": "en"}),
    ],
)
def test_next_never_leaves_the_site(personas, url, data):
    response = Client().post(url, {**data, "next": "https://evil.example.com/x"})
    assert response.status_code == 302
    assert "evil.example.com" not in response["Location"]


def test_no_page_links_to_an_identity_number(personas, outside):
    """Numbers are in pages (masked but for officials), never in a URL they link to."""
    client = personas.client_for("official")
    numbers = {personas.child_a.id_number, personas.child_b.id_number}
    services.update_child(child=personas.child_a, by=personas.official, notes="x")
    pages = [
        "/", "/children/", personas.child_a.get_absolute_url(),
        reverse("registry:child_history", args=[personas.child_a.pk]), reverse("audit"),
        "/volunteers/", "/visits/follow-ups/", "/contact-gaps/", "/consent/missing/",
    ]  # fmt: skip
    links = re.compile(r'(?:href|action|src)="([^"]*)"')
    for page in pages:
        html = client.get(page).content.decode()
        for link in links.findall(html):
            assert not any(n in link for n in numbers), (page, link)


# --- Forms -------------------------------------------------------------------------------------


def _our_forms():
    for app in APPS:
        config = apps.get_app_config(app)
        for module_name in (f"{config.name}.forms", f"{config.name}.forms.contact"):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue
            yield from (v for v in vars(module).values() if isinstance(v, type))
    for module_name in ("programmes.forms.programmes", "programmes.forms.donations"):
        module = importlib.import_module(module_name)
        yield from (v for v in vars(module).values() if isinstance(v, type))


def test_forms_name_their_fields():
    model_forms = {
        f for f in _our_forms() if issubclass(f, forms.ModelForm) and f is not forms.ModelForm
    }
    assert len(model_forms) >= 10
    for form in model_forms:
        meta = form._meta
        assert isinstance(meta.fields, list | tuple), f"{form.__name__} must list its fields"
        assert meta.exclude is None, f"{form.__name__} uses exclude"


def test_extra_post_fields_are_ignored_on_a_volunteer_and_a_visit(personas):
    volunteer = VolunteerFactory(name="原名")
    client = personas.client_for("official")
    client.post(
        reverse("volunteers:edit", args=[volunteer.pk]),
        {
            "name": "新名", "town": volunteer.town.pk, "may_be_surrogate_parent": "on",
            "capacity": "3", "active": "on",
            # not fields of the form:
            "county": "999", "created_by": personas.teacher_b.pk,
            "vetted_by": personas.teacher_b.pk,
        },
    )  # fmt: skip
    volunteer.refresh_from_db()
    assert volunteer.name == "新名" and volunteer.vetted_by != personas.teacher_b
    assert volunteer.created_by != personas.teacher_b
    from programmes.models import HomeVisit

    teacher = personas.client_for("teacher_a")
    teacher.post(
        reverse("programmes:visit_add", args=[personas.child_a.pk]),
        {
            "date": TODAY.isoformat(), "met": "grandparents", "education": "按时写作业",
            # smuggled: another child, another visitor, another county
            "child": personas.child_b.pk, "visitor": personas.teacher_b.pk, "county": "999",
        },
    )  # fmt: skip
    for visit in HomeVisit.objects.all():
        assert visit.child == personas.child_a and visit.visitor == personas.teacher_a


# --- Hostile names -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '=HYPERLINK("http://x")'])
def test_hostile_names_are_stored_as_typed_and_shown_escaped(personas, name):
    child = services.update_child(child=personas.child_a, by=personas.official, name=name)
    child.refresh_from_db()
    assert child.name == name
    client = personas.client_for("official")
    for url in ["/children/", child.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
    if name.startswith("<"):
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt;"
            in client.get(child.get_absolute_url()).content.decode()
        )


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '=HYPERLINK("http://x")'])
def test_hostile_names_are_exported_neutralised(personas, name):
    """In CSV and XLSX, no cell starts with what a spreadsheet would run as a formula."""
    import csv
    import io

    from openpyxl import load_workbook

    services.update_child(child=personas.child_a, by=personas.official, name=name)
    client = personas.client_for("official")
    text = b"".join(client.get("/children/export/?format=csv").streaming_content).decode(
        "utf-8-sig"
    )
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    xlsx = b"".join(client.get("/children/export/?format=xlsx").streaming_content)
    book = load_workbook(io.BytesIO(xlsx))
    xlsx_cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type == "s" for c in xlsx_cells)  # never a formula cell
    for values in (cells, [c.value for c in xlsx_cells]):
        assert not [v for v in values if v and v.startswith(("=", "+", "-", "@", "\t", "\r"))]
        expected = "'" + name if name.startswith("=") else name
        assert expected in values


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("register.csv", b"a,b\r\n" + b"1,2\r\n" * 600, "the largest accepted is"),
        ("register.exe", b"MZ\x90\x00\x03\x00\x00\x00", "Only CSV and XLSX"),
        ("register.pdf", b"%PDF-1.7\n", "Only CSV and XLSX"),
        ("register.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken", "cannot be opened"),
        ("register.xlsx", b"<html>not a workbook</html>", "cannot be opened"),
        ("register.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a spreadsheet"),
    ],
)
def test_uploads_over_size_of_the_wrong_type_or_broken_are_refused(
    personas, settings, filename, data, reason
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from registry.models import ImportJob

    settings.IMPORT_MAX_BYTES = 2048
    client = personas.client_for("official")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload = SimpleUploadedFile(filename, data)
    with translation.override("en"):
        response = client.post("/imports/", {"kind": "children", "file": upload})
    assert response.status_code == 200 and reason in response.content.decode()
    assert not ImportJob.objects.exists()
