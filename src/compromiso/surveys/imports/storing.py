"""Storing an import's valid rows: ids reserved from the sequences, the rows sent by COPY on
PostgreSQL (a bulk insert elsewhere)."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import polars as pl
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from compromiso.surveys.models import (
    Answer,
    Response,
)

COPY_ROWS = 100_000  # rows per piece of COPY text: the server starts on the first meanwhile

NULL = "\\N"
RESPONSE_COLUMNS = (
    "id",
    "wave_id",
    "service_id",
    "channel_id",
    "touch_point_id",
    "client_unit_id",
    "user_type",
    "age_band",
    "source",
    "submitted_at",
    "grades",
    "contact_ok",
    "contact_email",
    "panel_key",
)
ANSWER_COLUMNS = ("response_id", "question_id", "choices", "text")


def reserve_ids(count: int) -> list[int]:
    """Numbers for `count` new responses that no concurrent insert can take: PostgreSQL draws
    them from the table's sequence; SQLite moves its AUTOINCREMENT counter past a block."""
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once: pg_get_serial_sequence inside nextval() would run
            # for every number, and take most of the time.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
            )
            return [row[0] for row in cursor.fetchall()]
        with transaction.atomic():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            first = max(row[0] if row else 0, cursor.fetchone()[0]) + 1
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + count, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, first + count],
                )
        return list(range(first, first + count))


def _copy_text(value: pl.Expr) -> pl.Expr:
    """Text in PostgreSQL's COPY text format: backslash, tab, newline and CR escaped."""
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        value = value.str.replace_all(char, escaped, literal=True)
    return value


@contextmanager
def inserting(
    model: type[Response | Answer],
    columns: Sequence[str],
    valid: pl.DataFrame,
    rows: Callable[[pl.DataFrame], pl.DataFrame],
) -> Iterator[None]:
    """Insert `rows` of the valid rows by the end of the with block, a piece of COPY_ROWS at a
    time. On PostgreSQL a COPY: a piece becomes COPY text while the previous ones travel
    (psycopg's background writer sends them), and the server is still taking the rows in while
    the block runs — a million take seconds, which the block can use to work out the counts
    (it must not use the connection). On SQLite batched INSERTs, before the block (SQLite keeps
    UTC date-times without an offset)."""
    pieces = map(rows, valid.iter_slices(COPY_ROWS))
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(columns))
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
            for piece in pieces:
                if "submitted_at" in columns:
                    piece = piece.with_columns(pl.col("submitted_at").str.strip_suffix("+00"))
                cursor.executemany(sql, piece.select(columns).rows())
            yield
            return
        statement = f'COPY "{table}" ({names}) FROM STDIN'
        with cursor.cursor.copy(statement, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for piece in pieces:
                text = piece.select(columns).with_columns(_copy_text(pl.col(pl.String)))
                copy.write(
                    text.write_csv(
                        separator="\t", quote_style="never", null_value=NULL, include_header=False
                    )
                )
            yield
