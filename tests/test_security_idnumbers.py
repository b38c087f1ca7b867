"""The battery's identity-number probe (issue 12, finding 1): no full identity number reaches
anyone but a county official, and no mask shows them its sequence digits.

Every URL pattern of the site (walked from the URL configuration, keyed and unkeyed, so a new
view is covered without editing this file) is requested as every non-official role — both
teachers, the volunteer, the report viewer, the partner and an anonymous visitor — with
children in their scope and out of it (the partner: a referral to their organisation and one
to another's): by GET (plain and as every download format), then the links with a query
string the pages show (downloads, filters, further pages), then by an empty POST (a form's
answer with errors). No response (headers, body, an XLSX's unzipped members) and no e-mail,
SMS or inbox message sent afterwards may contain any child's whole number, plain or with
spaces, dashes or markup between its characters, nor a masked number showing any of positions
15-18. The same probe on an official's page finds the number: it is not blind.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from registry import services
from registry.models import Child, Guardian, ImportJob
from tests.casework.factories import ConcernFactory
from tests.factories import FamilyRoomFactory, HealthCheckFactory, UserFactory, VillageFactory
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    FamilyCallFactory,
    HomeVisitFactory,
    ParentVisitFactory,
    ProgrammeFactory,
)
from tests.registry.pdf_text import pdf_text
from tests.test_security import (
    OUT_OF_SCOPE,
    _api_token,
    _casework_records,
    _patterns,
    _sharing_override,
)
from tests.volunteers.factories import AssignmentFactory, OrganisationFactory, VolunteerFactory
from volunteers.models import CheckinRole, MonthlyCheckin, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NON_OFFICIALS = ["teacher_a", "teacher_b", "volunteer", "viewer", "partner", "anonymous"]


def _records_around(child, *, volunteer_user, notified, agency=None):
    """One record of every kind tied to ``child`` (the keys ``OUT_OF_SCOPE`` builds URLs from)."""
    room = FamilyRoomFactory(school=child.school)
    programme = ProgrammeFactory(starts_on=TODAY - datetime.timedelta(days=100))
    volunteer = VolunteerFactory(user=volunteer_user) if volunteer_user else VolunteerFactory()
    assignment = AssignmentFactory(child=child, volunteer=volunteer)
    checkin = MonthlyCheckin.objects.create(
        assignment=assignment, county=child.county, month=TODAY.replace(day=1)
    )
    from programmes.models import ProgrammeSession

    HealthCheckFactory(child=child)
    from registry.models import ExportLayout, PrintJob

    return {
        **_casework_records(child, notified, agency),
        "print_job": PrintJob.objects.create(
            kind="batch", requested_by=notified, child_ids=[child.pk], total=1
        ),
        "layout": ExportLayout.objects.create(
            name=f"layout {child.pk}", columns=[], created_by=notified
        ),
        "import_job": ImportJob.objects.create(
            kind="children", filename="x.csv", size=1, data=b"x", uploaded_by=notified
        ),
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
        "enrolment": EnrolmentFactory(programme=programme, child=child),
        "session": ProgrammeSession.objects.create(
            programme=programme, county=child.county, date=TODAY, topic="家长课堂"
        ),
        "donation": DonationFactory(),
        "volunteer": volunteer,
        "organisation": OrganisationFactory(),
        "checkin_role": CheckinRole.objects.first() or CheckinRole.objects.create(name="x"),
        "checkin": checkin,
        "assignment": assignment,
        # The account pages and the enrolment-code page are keyed by a user.
        "account": notified,
        "official": UserFactory(),
        "sharing_override": _sharing_override(child),
        "api_token": _api_token(notified),
        "concern": ConcernFactory(child=child, raised_by=notified),
        "notification": Notification.objects.create(
            recipient_key=f"user:{notified.pk}",
            user=notified,
            kind="concern",
            period="x",
            subject="s",
            body="b",
        ),  # fmt: skip
    }


@pytest.fixture
def world(personas):
    """Children in every role's scope (teacher A's and the volunteer's child A, teacher B's
    child B), each with a history (its number once changed by the office) and its records."""
    for child in (personas.child_a, personas.child_b):
        services.update_child(child=child, by=personas.official, notes="改过一次")
    return [
        _records_around(
            personas.child_a,
            volunteer_user=personas.volunteer,
            notified=personas.teacher_a,
            agency=personas.agency,  # the partner's own referral: its page is walked too
        ),
        _records_around(personas.child_b, volunteer_user=None, notified=personas.teacher_b),
    ]


def _urls(records_sets) -> list[str]:
    """Every URL of the site: unkeyed patterns as they are, keyed ones once per record set."""
    urls = []
    for name, route, pattern in _patterns():
        if not name or route.startswith("static"):
            continue
        if pattern.pattern.converters:
            if name in OUT_OF_SCOPE:
                urls += [reverse(name, kwargs=OUT_OF_SCOPE[name](r)) for r in records_sets]
            # other keyed patterns are the admin's (officials only; refused before any record)
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:  # a pattern with regex groups: none of ours
            continue
    return sorted(set(urls))


def _body(response) -> str:
    """Everything a response carries, as text: headers, body, a ZIP's (XLSX's) members, and a
    PDF's text (its streams are compressed: the bytes alone would hide any number)."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [str(dict(response.headers)), data.decode("utf-8", "replace")]
    if data[:5] == b"%PDF-":
        parts.append(pdf_text(data))
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    return "\n".join(parts)


def test_the_walk_reads_the_text_of_pdfs(personas):
    """The personal file's PDF is compressed: the walk finds a whole number in it only because
    ``_body`` extracts its text (an official's copy holds it, a teacher's only the mask)."""
    child = personas.child_a
    url = reverse("registry:child_file_pdf", args=[child.pk])
    patterns = _number_patterns([child.id_number])
    official = personas.client_for("official").get(url)
    assert child.id_number not in official.content.decode("latin-1")
    assert _leaks(_body(official), patterns) == [child.id_number]
    assert _leaks(_body(personas.client_for("teacher_a").get(url)), patterns) == []


def _number_patterns(numbers):
    """A whole number, typed plain or with spaces, dashes or markup between its characters."""
    gap = r"(?:\s|-|&nbsp;|<[^>]*>)*"
    return [(n, re.compile(gap.join(re.escape(ch) for ch in n), re.IGNORECASE)) for n in numbers]


# A masked number as pages show it: 18 characters of digits, X and at least one star.
_MASKED = re.compile(r"(?<![\d*])(?=[\d*]{0,17}\*)[\d*]{17}[\dX*](?![\d*X])")


def _leaks(text: str, patterns) -> list[str]:
    """The whole numbers in ``text``, and any mask that shows a character of positions 15-18
    (the sequence digits and the check character: with the birth date, sex and area code a
    non-official also sees, they would leave a handful of candidates; see idnumber.mask)."""
    found = [number for number, pattern in patterns if pattern.search(text)]
    return found + [m for m in _MASKED.findall(text) if m[14:] != "****"]


_LINK = re.compile(r'href="(/[^"#]*\?[^"#]*)"')
FORMATS = ("csv", "xlsx", "json")


def _walk(client, urls, patterns) -> dict[str, list[str]]:
    """Each URL by GET (also as each download format), then the links with a query string the
    pages showed (downloads, filters, pages: found, not listed), then each URL by an empty POST
    (a form answering with its errors)."""
    found = {}

    def probe(method, url):
        response = client.post(url, {}) if method == "post" else client.get(url)
        text = _body(response)
        leaked = _leaks(text, patterns)
        if leaked:
            found[f"{method.upper()} {url} ({response.status_code})"] = leaked
        return text if response.status_code == 200 else ""

    linked = set()
    for url in urls:
        for variant in (url, *(f"{url}?format={f}" for f in FORMATS)):
            linked.update(html.unescape(link) for link in _LINK.findall(probe("get", variant)))
    for url in sorted(linked - set(urls))[:400]:
        probe("get", url)
    for url in urls:
        probe("post", url)
    return found


@pytest.mark.parametrize("role", NON_OFFICIALS)
def test_no_response_to_a_non_official_contains_a_whole_identity_number(
    personas, world, role, settings, tmp_path
):
    settings.SMS_BACKEND = "volunteers.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    urls = _urls(world)
    assert len(urls) > 80  # the walk found the site
    patterns = _number_patterns(Child.objects.values_list("id_number", flat=True))
    client = personas.client_for(role)
    if role == "volunteer":  # the volunteer's own check-in, with a concern: messages go out
        client.post(
            reverse("volunteers:my_checkin", args=[world[0]["assignment"].pk]),
            {"contacted": "on", "concern": "on", "notes": "担心"},
        )
    assert _walk(client, urls, patterns) == {}
    # What the site sent meanwhile and what the month's work sends: e-mails, SMS, inbox.
    from volunteers.services import monthly, notify

    monthly.open_month(TODAY)
    monthly.remind_missing(TODAY.replace(day=28))
    monthly.close_months(TODAY + datetime.timedelta(days=40))
    notify.sweep()
    sent = [f"{m.subject}\n{m.body}" for m in mail.outbox]
    sent += [f"{n.subject}\n{n.body}\n{n.link}" for n in Notification.objects.all()]
    sms = tmp_path / "sms.jsonl"
    sent.append(sms.read_text(encoding="utf-8") if sms.exists() else "")
    assert [_leaks(text, patterns) for text in sent if _leaks(text, patterns)] == []


def test_the_probe_sees_a_number_when_one_is_shown(personas, world):
    """The official's walk finds the numbers: the probe is not blind."""
    patterns = _number_patterns([personas.child_a.id_number])
    client = personas.client_for("official")
    found = _walk(client, [personas.child_a.get_absolute_url()], patterns)
    assert found, "the official's file page shows the whole number"
    spaced = " ".join(personas.child_a.id_number[i : i + 6] for i in (0, 6, 12))
    assert _leaks(f"<p>{spaced}</p>", patterns) == [personas.child_a.id_number]


def test_every_keyed_url_of_ours_is_walked():
    """A keyed pattern outside the admin without keys here would escape the walk."""
    keyed = {
        name
        for name, route, p in _patterns()
        if p.pattern.converters and name and not route.startswith("admin/")
    }
    assert keyed <= set(OUT_OF_SCOPE)


def test_the_probe_sees_a_mask_that_shows_the_sequence_digits():
    """The probe refuses the mask the tester broke (birth date hidden, last four shown)."""
    assert _leaks("<span>500238********0578</span>", []) == ["500238********0578"]
    assert _leaks("<span>500238************</span> 2026-01-01 *******", []) == []
