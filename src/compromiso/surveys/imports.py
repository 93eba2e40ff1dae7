"""Importing responses from CSV or XLSX (an external measurer's data set, paper surveys typed in a
spreadsheet): read the header, map columns to the wave's fields and questions, check every row,
report each rejected row and why, and store the valid ones together — or nothing on failure.

The rows are checked a column at a time with Polars, not one by one in Python: what a cell means
(a service, a date, a grade…) is worked out once per distinct cell, and the valid rows become
COPY text in bulk, so a million-row file imports in seconds (docs/performance.md)."""

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from polars.datatypes import DataType
from psycopg.copy import QueuedLibpqWriter

from compromiso.catalog.models import Channel, TouchPoint
from compromiso.core.actors import SYSTEM, Actor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import User
from compromiso.surveys import moments, segments, services
from compromiso.surveys.models import (
    AgeBand,
    Answer,
    ImportJob,
    ImportStatus,
    QuestionKind,
    Response,
    ResponseSource,
    UserType,
    Wave,
)

MAX_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
XLSX_MAX_EXPANDED_BYTES = (
    1024 * 1024 * 1024
)  # an XLSX's XML, uncompressed (core.archives.check_archive)
COPY_ROWS = 100_000  # rows per piece of COPY text: the server starts on the first meanwhile
FIELDS = ("service", "channel", "touch_point", "date", "user_type", "age_band", "respondent")
# The characters str.strip() removes, so that Polars strips cells exactly as Python does.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
BLANK = "blank"  # the column of empty cells that an unmapped field or question reads


class SurveyImportError(DomainError):
    pass


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 files from older spreadsheets are read too."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SurveyImportError(
            _("The file is not readable text: save it as CSV UTF-8 or as XLSX.")
        ) from error


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter (comma, semicolon or tab) and quote the start of the file shows."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _csv_rows(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[list[str]]:
    """A CSV's records. A doubled quote inside a quoted cell is always one quote, as spreadsheets
    write it: the sniffer only says so when the start of the file happens to show one."""
    return csv.reader(io.StringIO(text), dialect, doublequote=True)


def _rows(data: bytes, name: str) -> Iterator[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        from compromiso.core.archives import ArchiveTooLargeError, check_archive

        try:
            check_archive(io.BytesIO(data), max_total=XLSX_MAX_EXPANDED_BYTES)
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except ArchiveTooLargeError as error:
            raise SurveyImportError(
                _("The spreadsheet is not accepted: %(reason)s.") % {"reason": error}
            ) from None
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SurveyImportError(_("The spreadsheet cannot be opened.")) from error
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else _cell(v) for v in row]
        book.close()
        return
    text = _decode(data)
    yield from _csv_rows(text, _dialect(text))


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def start_import(wave: Wave, upload: "UploadedFile[Any]", *, by: Actor) -> ImportJob:
    """Keep the file and read its header; the columns are mapped next."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=wave.organization_id)
    name = upload.name or "responses.csv"
    if not name.lower().endswith((".csv", ".xlsx", ".txt")):
        raise ValidationError({"file": _("Upload a CSV or XLSX file.")})
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 100 MB.")})
    data = upload.read()
    header = next(_rows(data, name), None)
    headers = [h.strip() for h in header or []]
    if not headers or not any(headers):
        raise ValidationError({"file": _("The file has no header row.")})
    digest = hashlib.sha256(data).hexdigest()
    if ImportJob.objects.filter(wave=wave, sha256=digest, status=ImportStatus.DONE).exists():
        raise ValidationError({"file": _("This file was already imported into this wave.")})
    upload.seek(0)
    job = ImportJob.objects.create(
        wave=wave,
        file=upload,
        file_name=name[:200],
        sha256=digest,
        headers=headers,
        created_by=by if isinstance(by, User) else None,
    )
    log_action(wave, "surveys.import.uploaded", by=by, data={"job": job.pk, "file": name})
    return job


def guess_mapping(job: ImportJob) -> dict[str, str]:
    """Columns named like a field or a question (its text, q<order> or its id) map themselves."""
    lowered = {h.lower(): h for h in job.headers}
    aliases = {
        "service": ("service", "servicio", "servei", "service_code"),
        "channel": ("channel", "canal"),
        "date": ("date", "fecha", "data", "submitted_at"),
        "touch_point": ("touch_point", "office", "oficina", "sucursal", "punto de atención"),
        "user_type": ("user_type", "tipo", "tipus"),
        "age_band": ("age_band", "edad", "edat", "tramo de edad"),
        "respondent": (
            "respondent",
            "respondent_id",
            "response_id",
            "id",
            "folio",
            "encuestado",
            "id_respuesta",
        ),
    }
    mapping: dict[str, str] = {}
    for field, names in aliases.items():
        for alias in names:
            if alias in lowered:
                mapping[field] = lowered[alias]
                break
    for question in job.wave.questionnaire.questions.all():
        for alias in (f"q{question.order}", str(question.pk), question.text.lower()):
            if alias.lower() in lowered:
                mapping[f"q{question.pk}"] = lowered[alias.lower()]
                break
    return mapping


def _parse_date(value: str, zone: dt.tzinfo) -> dt.datetime:
    """A moment from the file; one without an offset is a time where the organisation is."""
    value = value.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return timezone.make_aware(moment, zone) if timezone.is_naive(moment) else moment
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(value, pattern), zone)
        except ValueError:
            continue
    raise ValueError(value)


def _month(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The first day of the moment's month where the organisation is."""
    return timezone.localtime(moment, zone).date().replace(day=1)


# --- reading ------------------------------------------------------------------------------------


def _table(data: bytes, name: str, positions: list[int]) -> pl.DataFrame:
    """The file's records after the header that have a cell that is not blank: "number", the
    record's number in the file (the header is 1, and blank records use up their number too),
    and the stripped cells at `positions`, in columns named by the position ("0", "3"…)."""
    if name.lower().endswith(".xlsx"):
        return _table_of_rows(_rows(data, name), positions)
    text = _decode(data)
    dialect = _dialect(text)
    frame = _read_csv(text, dialect)
    if frame is None:
        return _table_of_rows(_csv_rows(text, dialect), positions)
    names = frame.columns
    frame = (
        frame.with_row_index("number", offset=1)
        .slice(1)  # the header
        .with_columns(pl.col(names).fill_null("").str.strip_chars(WHITESPACE))
        .filter(pl.any_horizontal(pl.col(names) != ""))
    )
    if frame.height > MAX_ROWS:
        raise SurveyImportError(_("The file has more than 1,000,000 rows."))
    return frame.select(
        pl.col("number").cast(pl.Int64),
        *((pl.col(names[p]) if p < len(names) else pl.lit("")).alias(str(p)) for p in positions),
    )


def _read_csv(text: str, dialect: type[csv.Dialect] | csv.Dialect) -> pl.DataFrame | None:
    """Every record of a CSV as cells of text, read by Polars; None for a file that Polars does
    not read as the csv module does (lines ended by a bare CR, spaces before a quoted cell,
    records longer than the header, stray quotes): the csv module reads those."""
    quote = dialect.quotechar or '"'
    if dialect.skipinitialspace and quote in text:
        return None
    if text.count("\r") != text.count("\r\n") or not _well_quoted(text, dialect.delimiter, quote):
        return None
    try:
        return pl.read_csv(
            text.encode(),
            has_header=False,
            infer_schema=False,
            separator=dialect.delimiter,
            quote_char=quote,
        )
    except pl.exceptions.PolarsError:
        return None


def _well_quoted(text: str, delimiter: str, quote: str) -> bool:
    """Whether every quote is part of a quoted cell: one that opens a cell and closes right
    before a delimiter or a line end, with any quote inside doubled. The csv module and Polars
    read other quotes differently (a quote inside an unquoted cell, text after a closing
    quote)."""
    if quote not in text:
        return True
    d, q = re.escape(delimiter), re.escape(quote)
    cell = rf"(?:^|(?<=[{d}\n])){q}[^{q}]*(?:{q}{q}[^{q}]*)*{q}(?=[{d}\r\n]|\Z)"
    return not any(match["other"] for match in re.finditer(rf"{cell}|(?P<other>{q})", text))


def _table_of_rows(rows: Iterable[list[str]], positions: list[int]) -> pl.DataFrame:
    """The same table as _table, from rows of cells (a spreadsheet, or a CSV that Polars does
    not read): short rows have empty cells at the end."""
    records = iter(rows)
    next(records, None)  # the header
    numbers: list[int] = []
    columns: list[list[str]] = [[] for _p in positions]
    for number, row in enumerate(records, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(numbers) == MAX_ROWS:
            raise SurveyImportError(_("The file has more than 1,000,000 rows."))
        numbers.append(number)
        for values, position in zip(columns, positions, strict=True):
            values.append(cells[position] if position < len(cells) else "")
    return pl.DataFrame(
        {"number": numbers} | {str(p): v for p, v in zip(positions, columns, strict=True)},
        schema={"number": pl.Int64} | {str(p): pl.String for p in positions},
    )


# --- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """A question and the column of the file that answers it."""

    question_id: int
    position: int | None
    label: str
    kind: str
    required: bool
    scores: dict[str, int]
    allowed: frozenset[str]
    messages: dict[str, str]
    overall: bool = False
    segment: bool = False

    @property
    def cell(self) -> str:
        """The table's column with this question's cells."""
        return BLANK if self.position is None else str(self.position)

    @property
    def grade(self) -> str:
        """The checked column with the grade of a scale question."""
        return f"grade_{self.question_id}"

    @property
    def answer(self) -> str:
        """The checked column with the choices (JSON) or the text of another question."""
        return f"answer_{self.question_id}"


def _columns(questions: list[Any], mapping: dict[str, str], index: dict[str, int]) -> list[_Column]:
    columns = []
    for question in questions:
        column = mapping.get(f"q{question.pk}")
        scale = question.scale
        columns.append(
            _Column(
                question_id=question.pk,
                position=index.get(column) if column else None,
                label=question.text[:60],
                kind=question.kind,
                required=question.required,
                scores={str(v): v for v in scale},
                allowed=frozenset(v for v, _label in question.choice_items()),
                overall=question.is_overall and bool(scale),
                segment=question.is_segment and question.kind == QuestionKind.SINGLE,
                messages={
                    "required": _("Please answer this question."),
                    "scale": _("Choose a value from %(low)s to %(high)s.")
                    % {"low": question.scale_min, "high": question.scale_max},
                    "yes_no": _("Answer yes or no."),
                    "choice": _("Choose among the options offered."),
                    "text": _("At most %(limit)s characters.") % {"limit": services.TEXT_LIMIT},
                },
            )
        )
    return columns


def _answer(column: _Column, cell: str) -> tuple[int | None, str | None, str | None]:
    """A cell of a scale, yes/no or choice question as (grade, choices as JSON, reason it is
    refused after the question's label); all None when the cell is empty and may be."""
    if not cell:
        return None, None, _refusal(column, "required") if column.required else None
    kind = column.kind
    if kind == QuestionKind.SCALE:
        score = column.scores.get(cell)
        if score is None:
            digits = cell.lstrip("-")
            if (
                digits.isascii()
                and digits.isdigit()
                and len(digits) <= 4
                and str(int(cell)) in column.scores
            ):
                score = int(cell)
            else:
                return None, None, _refusal(column, "scale")
        return score, None, None
    if kind == QuestionKind.YES_NO:
        value = YES_NO.get(cell.lower())
        if value is None:
            return None, None, _refusal(column, "yes_no")
        return None, f'["{value}"]', None
    values = [v.strip() for v in cell.split("|") if v.strip()] if kind == "multiple" else [cell]
    if not values:
        return None, None, _refusal(column, "required") if column.required else None
    if any(v not in column.allowed for v in values):
        return None, None, _refusal(column, "choice")
    return None, json.dumps(values), None


def _refusal(column: _Column, reason: str) -> str:
    return f"{column.label}: {column.messages[reason]}"


YES_NO = {"sí": "yes", "si": "yes", "yes": "yes", "no": "no"}


def _each_distinct(
    table: pl.DataFrame,
    name: str,
    outcome: Callable[[str], tuple[Any, ...]],
    dtypes: Sequence[DataType | type[DataType]],
) -> list[pl.Expr]:
    """What `outcome` makes of each cell of column `name`, one expression per result, worked
    out once per distinct cell: a file holds few distinct services, dates or grades."""
    distinct = table.get_column(name).unique().to_list()
    results = [outcome(cell) for cell in distinct]
    return [
        pl.col(name).replace_strict(
            distinct, [result[i] for result in results], default=None, return_dtype=dtype
        )
        for i, dtype in enumerate(dtypes)
    ]


class _Check:
    """The checks of every row of a file for a wave, and what the valid rows store and count."""

    def __init__(
        self, wave: Wave, questions: list[Any], headers: list[str], mapping: dict[str, str]
    ) -> None:
        index = {h: i for i, h in enumerate(headers)}
        self.wave = wave
        self.fields = {f: index.get(mapping.get(f, "")) for f in FIELDS}
        self.columns = _columns(questions, mapping, index)
        self.positions = sorted(
            {
                p
                for p in (*self.fields.values(), *(c.position for c in self.columns))
                if p is not None
            }
        )
        measured = list(wave.services.all())
        self.services = {s.code.lower(): s.pk for s in measured} | {
            s.name.lower(): s.pk for s in measured
        }
        self.channels = {
            key.lower(): c.pk
            for c in Channel.objects.filter(organization=wave.organization)
            for key in (c.kind, c.name)
        }
        self.touch_points = {
            t.name.lower(): t.pk for t in TouchPoint.objects.filter(organization=wave.organization)
        }
        self.zone = wave.organization.zone
        now = timezone.now()
        self.now = (f"{now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(now, self.zone))

    def _field_cell(self, field: str) -> str:
        position = self.fields[field]
        return BLANK if position is None else str(position)

    def _service(self, cell: str) -> tuple[int | None, str | None]:
        found = self.services.get(cell.lower())
        if found is None:
            return None, _("Unknown service “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _channel(self, cell: str) -> tuple[int | None, str | None]:
        found = self.channels.get(cell.lower()) if cell else None
        if cell and found is None:
            return None, _("Unknown channel “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _touch_point(self, cell: str) -> tuple[int | None, str | None]:
        found = self.touch_points.get(cell.lower()) if cell else None
        if cell and found is None:
            return None, _("Unknown touch point “%(value)s”.") % {"value": cell[:60]}
        return found, None

    def _date(self, cell: str) -> tuple[str | None, dt.date | None, str | None]:
        """The moment in UTC as COPY text and its local month; now when there is no date."""
        if not cell:
            return *self.now, None
        try:
            moment = _parse_date(cell, self.zone)
        except ValueError:
            return (
                None,
                None,
                _("“%(value)s” is not a date (use 2026-03-31).") % {"value": cell[:40]},
            )
        return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(moment, self.zone), None

    @staticmethod
    def _user_type(cell: str) -> tuple[str | None, str | None]:
        if cell and cell not in UserType.values:
            return None, _("Unknown user type “%(value)s”.") % {"value": cell[:40]}
        return cell, None

    @staticmethod
    def _age_band(cell: str) -> tuple[str | None, str | None]:
        if cell and cell not in AgeBand.values:
            return None, _("Unknown age band “%(value)s”.") % {"value": cell[:40]}
        return cell, None

    def check(self, table: pl.DataFrame) -> tuple[pl.DataFrame, list[list[Any]]]:
        """The valid rows with what they store, and [row number, reasons] for each rejected
        row: a duplicate of an earlier row is only that; otherwise every reason the row is
        refused, in the order of the columns. A row is a duplicate only when the mapped
        respondent or response identifier repeats an earlier row's: identical anonymous answers
        (all 7s, no identifier) are different people and all count."""
        table = table.with_columns(pl.lit("").alias(BLANK))
        values: list[pl.Expr] = []
        errors: list[pl.Expr] = []
        for field, outcome, dtypes in (
            ("service", self._service, [pl.Int64]),
            ("channel", self._channel, [pl.Int64]),
            ("touch_point", self._touch_point, [pl.Int64]),
            ("date", self._date, [pl.String, pl.Date]),
            ("user_type", self._user_type, [pl.String]),
            ("age_band", self._age_band, [pl.String]),
        ):
            *found, error = _each_distinct(
                table, self._field_cell(field), outcome, [*dtypes, pl.String]
            )
            names = ["submitted_at", "month"] if field == "date" else [field]
            values += [value.alias(name) for value, name in zip(found, names, strict=True)]
            errors.append(error)
        for column in self.columns:
            if column.kind == QuestionKind.TEXT:
                cell = pl.col(column.cell)
                values.append(pl.when(cell != "").then(cell).alias(column.answer))
                errors.append(
                    pl.when(cell.str.len_chars() > services.TEXT_LIMIT)
                    .then(pl.lit(_refusal(column, "text")))
                    .when((cell == "") & column.required)
                    .then(pl.lit(_refusal(column, "required")))
                )
                continue
            score, choices, error = _each_distinct(
                table, column.cell, partial(_answer, column), [pl.Int16, pl.String, pl.String]
            )
            values.append(
                score.alias(column.grade) if column.scores else choices.alias(column.answer)
            )
            errors.append(error)
        template = _("Duplicate of row %(row)s (same respondent or response identifier).") % {
            "row": "\0"
        }
        before, _row, after = template.partition("\0")
        identifier = pl.col(self._field_cell("respondent"))
        first = pl.col("number").min().over(identifier)
        checked = table.with_columns(
            *values,
            pl.when((identifier != "") & (first != pl.col("number")))
            .then(pl.concat_str(pl.lit(before), first.cast(pl.String), pl.lit(after)))
            .otherwise(pl.concat_str(errors, separator=" ", ignore_nulls=True))
            .alias("reason"),
        )
        rejected = checked.filter(pl.col("reason") != "").select("number", "reason")
        return checked.filter(pl.col("reason") == ""), [list(row) for row in rejected.rows()]

    # --- what the valid rows store --------------------------------------------------------------

    def responses(self, valid: pl.DataFrame) -> pl.DataFrame:
        """The valid rows as responses, in the columns of RESPONSE_COLUMNS. The grades are the
        JSON object question id → grade, written compactly."""
        grades = [
            pl.concat_str(pl.lit(f'"{c.question_id}":'), pl.col(c.grade).cast(pl.String))
            for c in self.columns
            if c.scores
        ]
        return valid.select(
            pl.col("id"),
            pl.lit(self.wave.pk, dtype=pl.Int64).alias("wave_id"),
            pl.col("service").alias("service_id"),
            pl.col("channel").alias("channel_id"),
            pl.col("touch_point").alias("touch_point_id"),
            pl.lit(None, dtype=pl.Int64).alias("client_unit_id"),
            pl.col("user_type"),
            pl.col("age_band"),
            pl.lit(ResponseSource.IMPORT.value).alias("source"),
            pl.col("submitted_at"),
            pl.concat_str(
                pl.lit("{"),
                pl.concat_str(grades, separator=",", ignore_nulls=True) if grades else pl.lit(""),
                pl.lit("}"),
            ).alias("grades"),
            pl.lit(False).alias("contact_ok"),
            pl.lit("").alias("contact_email"),
            pl.lit("").alias("panel_key"),
        )

    def answers(self, valid: pl.DataFrame) -> pl.DataFrame:
        """The answers that are not grades (yes/no, choices, open text), in the columns of
        ANSWER_COLUMNS: a response's answers together, in the order of the questions."""
        parts = [
            valid.filter(pl.col(c.answer).is_not_null()).select(
                pl.col("id").alias("response_id"),
                pl.lit(c.question_id, dtype=pl.Int64).alias("question_id"),
                (pl.lit("[]") if c.kind == QuestionKind.TEXT else pl.col(c.answer)).alias(
                    "choices"
                ),
                (pl.col(c.answer) if c.kind == QuestionKind.TEXT else pl.lit("")).alias("text"),
            )
            for c in self.columns
            if not c.scores
        ]
        if not parts:
            return pl.DataFrame(schema=dict.fromkeys(ANSWER_COLUMNS, pl.String))
        return pl.concat(parts).sort("response_id", maintain_order=True)

    # --- what the valid rows count --------------------------------------------------------------

    def cells(self, valid: pl.DataFrame) -> list[tuple[Any, ...]]:
        """(wave, question, service, channel, touch point, client unit, month, score, count)."""
        keys = ["service", "channel", "touch_point", "month"]
        rows = valid.lazy().select(
            "service",
            pl.col("channel").fill_null(0),
            pl.col("touch_point").fill_null(0),
            "month",
            *(pl.col(c.grade) for c in self.columns if c.scores),
        )
        counts = [
            rows.drop_nulls(c.grade)
            .group_by(*keys, c.grade)
            .len()
            .select(
                pl.lit(c.question_id, dtype=pl.Int64).alias("question"),
                *keys,
                pl.col(c.grade).alias("score"),
                "len",
            )
            for c in self.columns
            if c.scores
        ]
        if not counts:
            return []
        return [
            (self.wave.pk, question, service, channel, touch_point, 0, month, score, count)
            for question, service, channel, touch_point, month, score, count in pl.concat(counts)
            .sort(pl.all())
            .collect()
            .iter_rows()
        ]

    def moments(
        self, valid: pl.DataFrame, scale_questions: list[int]
    ) -> dict[int, tuple[int, Any, Any]]:
        """Key-driver sums per service from the responses that graded every scale question,
        the columns in the order of moments.scale_questions (`scale_questions`)."""
        grade = {c.question_id: c.grade for c in self.columns if c.scores}
        if not grade:
            return {}
        complete = valid.filter(pl.all_horizontal(pl.col(list(grade.values())).is_not_null()))
        if complete.is_empty():
            return {}
        order = [grade[q] for q in scale_questions]
        matrix = complete.select(pl.col(order).cast(pl.Int64)).to_numpy(order="c")
        return moments.group(complete.get_column("service").to_numpy(), matrix)

    def segment_rows(self, valid: pl.DataFrame) -> list[tuple[Any, ...]]:
        """(wave, overall question, service, segment, value, overall grade, count) for the
        user type, the age band and each segment question's answer (its first 60 characters)."""
        overall = next((c for c in self.columns if c.overall), None)
        if overall is None:
            return []
        graded = valid.filter(pl.col(overall.grade).is_not_null())
        segments_of = [
            ("user_type", pl.col("user_type")),
            ("age_band", pl.col("age_band")),
            *(
                (f"q{c.question_id}", pl.col(c.cell).str.slice(0, 60))
                for c in self.columns
                if c.segment
            ),
        ]
        parts = [
            graded.select(
                "service",
                pl.lit(name).alias("segment"),
                value.alias("value"),
                pl.col(overall.grade).alias("score"),
            )
            .filter(pl.col("value") != "")
            .group_by("service", "segment", "value", "score")
            .len()
            for name, value in segments_of
        ]
        return [
            (self.wave.pk, overall.question_id, *row)
            for part in parts
            for row in part.sort(pl.all()).iter_rows()
        ]


# --- storing ------------------------------------------------------------------------------------

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


def _reserve_ids(count: int) -> list[int]:
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
def _inserting(
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


def run_import(job: ImportJob) -> ImportJob:
    """Check every row, then store the valid rows in one transaction with the wave's score
    counts brought up to date. A row is rejected with its reason: an unknown service, a bad
    date, an answer out of range, a repeated respondent or response identifier. The progress is
    saved after reading the file and after checking it."""
    wave = job.wave
    if job.status != ImportStatus.UPLOADED:
        raise SurveyImportError(_("This import has already run."))
    mapping = job.mapping
    if "service" not in mapping:
        raise SurveyImportError(_("Map the column that holds the service code."))
    questions = list(wave.questionnaire.questions.select_related("questionnaire"))
    if not any(f"q{q.pk}" in mapping for q in questions):
        raise SurveyImportError(_("Map at least one question to a column."))
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status", "updated_at"])
    try:
        job.file.open("rb")
        data = job.file.read()
        job.file.close()
        check = _Check(wave, questions, job.headers, mapping)
        table = _table(data, job.file_name, check.positions)
        total = table.height
        ImportJob.objects.filter(pk=job.pk).update(total=total)
        valid, rejected = check.check(table)
        ImportJob.objects.filter(pk=job.pk).update(done=total)
        # Numbered and stored in the order of their dates, the responses go in near the end of
        # the wave's date index rather than all over it, which saves about a second of COPY at
        # a million rows.
        valid = valid.sort("submitted_at", maintain_order=True)
        valid = valid.with_columns(pl.Series("id", _reserve_ids(valid.height), dtype=pl.Int64))
        scale_questions = moments.scale_questions(wave)
        with transaction.atomic():
            with _inserting(Response, RESPONSE_COLUMNS, valid, check.responses):
                # Worked out while the database takes the responses in.
                cells = check.cells(valid)
                sums = check.moments(valid, scale_questions)
                in_segments = check.segment_rows(valid)
            with _inserting(Answer, ANSWER_COLUMNS, valid, check.answers):
                pass  # nothing more to work out
            services.add_cells(cells)
            moments.add(wave, scale_questions, sums)
            segments.add(in_segments)
            job.status = ImportStatus.DONE
            job.total = job.done = total
            job.imported = valid.height
            job.rejected = rejected[:10000]
            job.message = (
                _("%(more)s more rejected rows are not listed.") % {"more": len(rejected) - 10000}
                if len(rejected) > 10000
                else ""
            )
            job.save()
            log_action(
                wave,
                "surveys.import.done",
                by=job.created_by or SYSTEM,
                data={"job": job.pk, "imported": valid.height, "rejected": len(rejected)},
            )
    except (SurveyImportError, ValidationError) as error:
        message = (
            error.message if isinstance(error, SurveyImportError) else " ".join(error.messages)
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=message[:500]
        )
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=_("The import failed: nothing was imported.")
        )
        raise
    job.refresh_from_db()
    return job
