"""Shared fixtures: the personas every access test is written against.

official — the county office; teacher_a — teacher of school A; teacher_b — teacher of school B;
volunteer — a volunteer (no assignment yet); viewer — a report viewer; partner — the liaison of
a partner organisation (``agency``, the women's federation), who sees only the referrals sent to
it and no child through the register; anonymous — nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from lbc_office.core.models import Role
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    partner_of,
)


@dataclass
class Personas:
    official: object
    teacher_a: object
    teacher_b: object
    volunteer: object
    viewer: object
    school_a: object
    school_b: object
    child_a: object
    child_b: object
    partner: object = None
    agency: object = None

    def client_for(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            login(client, getattr(self, name))
        return client


def search(client: Client, url: str, q: str = "", **filters):
    """Search as the page does: POST what was typed, follow the redirect to ``?s=<token>``."""
    response = client.post(url, {"q": q, **filters})
    assert response.status_code == 302, response.status_code
    assert q == "" or q not in response["Location"]  # what was typed never goes in a URL
    return client.get(response["Location"])


def login(client: Client, user) -> Client:
    """Sign ``client`` in as ``user``; an official's session also has its second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if user.role == Role.OFFICIAL:
        device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def pytest_configure(config):
    from django.conf import settings

    # Hashing passwords properly takes a third of a second each: tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Printed batches (registry/printing) go to a directory of the test run, not var/.
    import tempfile

    settings.PRINT_DIR = tempfile.mkdtemp(prefix="lbc-prints-")


@pytest.fixture(autouse=True)
def _replica_only_where_asked(request):
    """With a read replica configured (CI), only the tests that ask for its database read from
    it (tests/lbc_office/test_replica.py); every other test reads the primary, so that a test
    writing through the ORM and then opening a page never races the standby's replay."""
    from lbc_office.core import replica

    marker = request.node.get_closest_marker("django_db")
    databases = (marker.kwargs.get("databases") if marker else None) or ()
    if replica.ALIAS in databases:
        replica.forget_status()
        yield
        replica.forget_status()
    else:
        with replica.switched_off():
            yield


ROLES = ["official", "teacher_a", "teacher_b", "volunteer", "viewer", "partner", "anonymous"]


@pytest.fixture
def personas(db) -> Personas:
    school_a = SchoolFactory(name="甲小学", code="A001")
    school_b = SchoolFactory(name="乙小学", code="B001", town=school_a.town)
    teacher_a = TeacherFactory(user__username="teacher_a", schools=[school_a]).user
    teacher_b = TeacherFactory(user__username="teacher_b", schools=[school_b]).user
    agency = AgencyFactory(county=school_a.county, name="县妇联", kind="womens_federation")
    return Personas(
        partner=partner_of(agency, username="partner"),
        agency=agency,
        official=UserFactory(username="official", role=Role.OFFICIAL),
        teacher_a=teacher_a,
        teacher_b=teacher_b,
        volunteer=UserFactory(username="volunteer", role=Role.VOLUNTEER),
        viewer=UserFactory(username="viewer", role=Role.VIEWER),
        school_a=school_a,
        school_b=school_b,
        child_a=ChildFactory(school=school_a, name="张小明"),
        child_b=ChildFactory(school=school_b, name="李小红", sex="F"),
    )


@pytest.fixture
def official_client(personas) -> Client:
    return personas.client_for("official")
