"""The children a batch page showed (a list, a search, an export), one row each, so that "who
has seen child X" is an index look-up. On PostgreSQL the table refuses UPDATE and DELETE like
the events themselves (the trigger function of 0003)."""

import django.db.models.deletion
from django.db import migrations, models


TRIGGER = """
DROP TRIGGER IF EXISTS lbc_audit_child_append_only ON lbc_office_auditeventchild;
CREATE TRIGGER lbc_audit_child_append_only BEFORE UPDATE OR DELETE ON lbc_office_auditeventchild
    FOR EACH ROW EXECUTE FUNCTION lbc_audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS lbc_audit_child_append_only ON lbc_office_auditeventchild;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('lbc_office', '0005_user_must_change_password'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEventChild',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('child_id', models.BigIntegerField(verbose_name='child')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='children', to='lbc_office.auditevent', verbose_name='event')),
            ],
            options={
                'verbose_name': 'child shown',
                'verbose_name_plural': 'children shown',
                'indexes': [models.Index(fields=['child_id', 'event'], name='audit_child_shown')],
            },
        ),
        migrations.RunPython(create, drop),
    ]
