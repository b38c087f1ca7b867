"""The surrogate parent's six monthly roles (DOMAIN.md). The office can edit them afterwards."""

from django.db import migrations

ROLES = [
    ("与孩子沟通交流", "Communicating with the child"),
    ("检查作业", "Checking homework"),
    ("分享生活经验", "Sharing life experience"),
    ("心理疏导", "Psychological counselling"),
    ("生活上的帮助", "Help with the practical side of living"),
    ("与外出的父母保持联系", "Keeping in touch with the parents who are away"),
]


def add_roles(apps, schema_editor):
    CheckinRole = apps.get_model("volunteers", "CheckinRole")
    if CheckinRole.objects.exists():
        return
    CheckinRole.objects.bulk_create(
        [CheckinRole(name=zh, name_en=en, position=i) for i, (zh, en) in enumerate(ROLES, 1)]
    )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(add_roles, migrations.RunPython.noop)]
