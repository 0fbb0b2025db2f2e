"""The audit log is append-only at the database level too (等保 8.1.4.3, RULES.md §6).

On PostgreSQL a row trigger refuses UPDATE and DELETE of core_auditentry, so neither a raw
query nor a bulk `QuerySet.update()/delete()` can rewrite history. TRUNCATE stays possible
(row triggers do not fire on it): test teardown and a deliberate, logged purge by the DBA use
it. SQLite (development and tests) keeps only the model-level guard.
"""

from django.db import migrations

FUNCTION = "core_auditentry_append_only"
TRIGGER = "core_auditentry_append_only"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志不可修改或删除';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS {TRIGGER} ON core_auditentry;
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON core_auditentry;
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
