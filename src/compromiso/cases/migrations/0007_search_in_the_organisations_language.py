"""Full-text search in each organisation's language: every case stores the text-search
configuration of its organisation's language (`regconfig` on PostgreSQL), and the Spanish-only
GIN index of migration 0003 becomes one index over `to_tsvector(search_config, …)`."""

from django.db import migrations

import compromiso.cases.models

OLD_INDEX = "cases_case_search_es"
OLD_EXPRESSION = (
    "to_tsvector('spanish'::regconfig, coalesce(subject, '') || ' ' || coalesce(description, ''))"
)
INDEX = "cases_case_search"
EXPRESSION = "to_tsvector(search_config, coalesce(subject, '') || ' ' || coalesce(description, ''))"
CONFIG_FOR_LANGUAGE = {"es": "spanish", "en": "english", "ca": "catalan"}


def configure(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each organisation's cases get its language's configuration (or `simple` where the
    server has none), and the index follows."""
    connection = schema_editor.connection
    available = {"simple", "spanish", "english"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_catalog.pg_ts_config")
            available = {name for (name,) in cursor.fetchall()}
    organization = apps.get_model("organizations", "Organization")
    case = apps.get_model("cases", "Case")
    for language in organization.objects.values_list("language", flat=True).distinct():
        config = CONFIG_FOR_LANGUAGE.get(language, "simple")
        config = config if config in available else "simple"
        if config != "spanish":
            case.objects.filter(organization__language=language).update(search_config=config)
    if connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_case USING gin ({EXPRESSION})"
        )


def back_to_spanish(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON cases_case USING gin ({OLD_EXPRESSION})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_event_from_requester"),
        ("organizations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_config",
            field=compromiso.cases.models.TextSearchConfigField(
                default="spanish", editable=False, max_length=32
            ),
        ),
        migrations.RunPython(configure, back_to_spanish),
    ]
