"""Every account of an existing install belongs to its county (issue 15: counties as tenants).

Before this, an install held one county and every account worked in it. Each account without a
county gets one: a teacher their first school's county, anyone else the install's only county.
With several counties and no way to tell, an account is left for an official to place (it then
reads as city-wide only if it is an official's: the account screens show it)."""

from django.db import migrations


def place_accounts(apps, schema_editor):
    User = apps.get_model("lbc_office", "User")
    County = apps.get_model("registry", "County")
    Teacher = apps.get_model("registry", "Teacher")
    counties = list(County.objects.values_list("code", flat=True)[:2])
    for teacher in Teacher.objects.filter(user__county_code="").prefetch_related("schools"):
        school = teacher.schools.select_related("county").order_by("pk").first()
        if school is not None:
            User.objects.filter(pk=teacher.user_id).update(county_code=school.county.code)
    if len(counties) == 1:
        User.objects.filter(county_code="").update(county_code=counties[0])


class Migration(migrations.Migration):
    dependencies = [
        ("lbc_office", "0009_user_county"),
        ("registry", "0014_closure_and_transfers"),
    ]

    operations = [migrations.RunPython(place_accounts, migrations.RunPython.noop)]
