"""A PostgreSQL full-text index (Spanish configuration) over subject and description; other
databases search with a plain substring match and need no index."""

from django.db import migrations

INDEX = "cases_case_search_es"
EXPRESSION = (
    "to_tsvector('spanish'::regconfig, coalesce(subject, '') || ' ' || coalesce(description, ''))"
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin ({EXPRESSION})"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_taxonomy_redress_attachments_facts")]

    operations = [migrations.RunPython(create, drop)]
