"""A city's children list and searches (issue 15): one county's list by (name, id), a name's
first characters, and one or two characters anywhere in a name (PostgreSQL only, like the
trigram index of 0002: the trigram index needs three characters)."""

from django.db import migrations, models

# Every character and every pair of neighbouring characters of a name: 张小明 →
# {张, 小, 明, 张小, 小明}. A GIN index on it finds the names holding one or two characters.
NAME_GRAMS = """
CREATE OR REPLACE FUNCTION lbc_name_grams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr($1, i, n)), '{}')
  FROM generate_series(1, char_length($1)) AS i, (VALUES (1), (2)) AS v(n)
  WHERE i + n - 1 <= char_length($1)
$$
"""


def add_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(NAME_GRAMS)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS child_name_grams ON registry_child "
        "USING gin (lbc_name_grams(name))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS child_name_prefix ON registry_child (name text_pattern_ops)"
    )


def drop_name_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS child_name_prefix")
    schema_editor.execute("DROP INDEX IF EXISTS child_name_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS lbc_name_grams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0015_users_county"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["county", "status", "name", "id"], name="child_county_list"
            ),
        ),
        migrations.RunPython(add_name_indexes, drop_name_indexes),
    ]
