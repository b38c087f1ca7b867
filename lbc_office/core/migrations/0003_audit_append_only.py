"""On PostgreSQL, the audit table refuses UPDATE and DELETE, whoever asks (officials, the admin,
a script, a superuser at the psql prompt short of dropping the trigger). TRUNCATE stays possible
for the test suite's table flushes; no application code issues it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION lbc_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS lbc_audit_append_only ON lbc_office_auditevent;
CREATE TRIGGER lbc_audit_append_only BEFORE UPDATE OR DELETE ON lbc_office_auditevent
    FOR EACH ROW EXECUTE FUNCTION lbc_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS lbc_audit_append_only ON lbc_office_auditevent;
DROP FUNCTION IF EXISTS lbc_audit_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # the SQL has a literal %: no parameters


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("lbc_office", "0002_audit_event")]

    operations = [migrations.RunPython(create, drop)]
