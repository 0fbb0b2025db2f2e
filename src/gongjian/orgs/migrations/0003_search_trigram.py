"""Trigram indexes for name / pinyin / initials search on PostgreSQL (SQLite scans instead)."""

from django.db import migrations

TABLES = {"orgs_organization": "org", "orgs_grid": "grid", "orgs_unit": "unit"}
COLUMNS = ["name", "name_pinyin", "name_initials"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, short in TABLES.items():
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {short}_{column}_trgm ON {table} "
                f"USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for short in TABLES.values():
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {short}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_path_prefix_index")]
    operations = [migrations.RunPython(create, drop)]
