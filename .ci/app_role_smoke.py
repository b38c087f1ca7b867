"""CI: the application, connected as the application role (owns nothing), does what it does:
writes records and audit events, imports by COPY, serves pages, counts figures, backs up with
pg_dump. Run by .ci/run after `migrate` as the owner role; DATABASE_URL is the app role's."""

import datetime
import os
import sys
import tempfile

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lbc_office.settings")
os.environ["TWO_FACTOR_REQUIRED"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from lbc_office.core.models import AuditEvent, Role, User  # noqa: E402
from lbc_office.reports.figures import count_day  # noqa: E402
from lbc_office.upkeep.backup import make_backup  # noqa: E402
from registry.idnumber import check_digit_for  # noqa: E402
from registry.importing import import_file  # noqa: E402
from registry.models import Child, County, School, Town  # noqa: E402

with connection.cursor() as cursor:
    cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    role, superuser = cursor.fetchone()
assert not superuser, f"{role} must not be a superuser"
official, _ = User.objects.get_or_create(username="ci-official", defaults={"role": Role.OFFICIAL})
county, _ = County.objects.get_or_create(code="500238", defaults={"name": "巫溪县"})
town, _ = Town.objects.get_or_create(county=county, name="城厢镇")
School.objects.get_or_create(
    code="S001", defaults={"county": county, "town": town, "name": "城厢小学", "level": "primary"}
)
header = (
    "id_number,name,sex,date_of_birth,school_code,grade,town,village,father_away,mother_away,"
    "guardian,boarding,poor"
)
lines = []
for n in range(5):
    first17 = f"50023820150305{n * 2 + 1:03d}"
    number = first17 + check_digit_for(first17)
    lines.append(f"{number},王小{n},M,2015-03-05,S001,5,城厢镇,东风村,yes,yes,grandparents,no,no")
data = ("\r\n".join([header, *lines]) + "\r\n").encode()
report = import_file("children", data, by=official)
assert report.ok, report.errors if hasattr(report, "errors") else report
report = import_file("children", data.replace(b",5,", b",6,"), by=official)
assert report.ok
client = Client()
client.force_login(official)
child = Child.objects.order_by("pk").first()
for url in ["/", "/children/", f"/children/{child.pk}/", "/audit/", "/reports/"]:
    status = client.get(url).status_code
    assert status == 200, (url, status)
count_day(datetime.date.today())
with tempfile.TemporaryDirectory() as directory:
    path = make_backup(directory=directory)
    assert path.stat().st_size > 0
print(f"app role {role}: {Child.objects.count()} children, {AuditEvent.objects.count()} events")
