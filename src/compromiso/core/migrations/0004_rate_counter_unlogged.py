"""Rate counters in an unlogged table on PostgreSQL.

A counter is written on every hit of a public form (one upsert in its own transaction). In a
logged table that commit waits for the write-ahead log to reach the disk; an unlogged table
writes no log, so its commits do not wait. What that gives up: after a crash of the database
server (not a clean restart) PostgreSQL empties an unlogged table, so the limits start again from
zero, and a streaming replica has no copy (the router reads counters from the primary only).
SQLite has no such tables: nothing changes there."""

from django.db import migrations


def _persistence(kind: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "core_ratecounter" SET {kind}')

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_scheduled_run"),
    ]

    operations = [
        migrations.RunPython(_persistence("UNLOGGED"), _persistence("LOGGED")),
    ]
