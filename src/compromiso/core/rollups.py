"""Adding to additive rollups (counts per cell) safely under concurrent writers: one
`INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count`. PostgreSQL receives every
row at once as arrays (unnest), SQLite a batch of statements."""

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


def add_counts(
    model: type[models.Model], keys: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Add rows of (*key values in the order of `keys`, count) to `model`'s "count" column,
    creating the missing cells. Rows with the same key are summed first."""
    totals: Counter[tuple[Any, ...]] = Counter()
    for *key, count in rows:
        totals[tuple(key)] += count
    if not totals:
        return
    table = model._meta.db_table
    columns = ", ".join(f'"{c}"' for c in (*keys, "count"))
    conflict = ", ".join(f'"{c}"' for c in keys)
    upsert = (
        f'ON CONFLICT ({conflict}) DO UPDATE SET "count" = "{table}"."count" + excluded."count"'
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fields = {f.column: f for f in model._meta.concrete_fields}
            types = [fields[c].db_type(connection) for c in (*keys, "count")]
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            values = [
                list(column) for column in zip(*((*k, n) for k, n in totals.items()), strict=True)
            ]
            cursor.execute(
                f'INSERT INTO "{table}" ({columns}) SELECT * FROM unnest({arrays}) {upsert}',
                values,
            )
            return
        marks = ", ".join(["%s"] * (len(keys) + 1))
        cursor.executemany(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) {upsert}',
            [(*k, n) for k, n in totals.items()],
        )
