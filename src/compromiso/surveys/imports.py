"""Importing responses from CSV or XLSX (an external measurer's data set, paper surveys typed in a
spreadsheet): read the header, map columns to the wave's fields and questions, check every row,
report each rejected row and why, and store the valid ones together — or nothing on failure."""

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, TouchPoint
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
    UserType,
    Wave,
)

MAX_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
PROGRESS_EVERY = 20_000
SPOOL_BYTES = 64 * 1024 * 1024
FIELDS = ("service", "channel", "touch_point", "date", "user_type", "age_band")


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


def _rows(data: bytes, name: str) -> Iterator[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SurveyImportError(_("The spreadsheet cannot be opened.")) from error
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else _cell(v) for v in row]
        book.close()
        return
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    yield from csv.reader(io.StringIO(text), dialect)


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def start_import(wave: Wave, upload: "UploadedFile[Any]", *, by: User | None) -> ImportJob:
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
        created_by=by,
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


def _parse_date(value: str) -> dt.datetime:
    value = value.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M"):
        try:
            return timezone.make_aware(dt.datetime.strptime(value, pattern))
        except ValueError:
            continue
    raise ValueError(value)


def _records(data: bytes, name: str) -> tuple[Iterator[list[str]], int]:
    """The file's records after the header, and an upper bound of their number (a CSV record
    takes at least one line) to reserve response numbers for."""
    rows = _rows(data, name)
    next(rows, None)  # the header
    if name.lower().endswith(".xlsx"):
        materialised = list(rows)
        return iter(materialised), len(materialised)
    return rows, data.count(b"\n") + 1


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _from_copy_text(value: str) -> str | None:
    if value == NULL:
        return None
    if "\\" not in value:
        return value
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            char = {"t": "\t", "n": "\n", "r": "\r"}.get(following := next(chars, ""), following)
        out.append(char)
    return "".join(out)


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
    "contact_ok",
    "contact_email",
    "panel_key",
)
ANSWER_COLUMNS = ("response_id", "question_id", "score", "choices", "text")


def _reserve_ids(count: int) -> Iterator[int]:
    """Numbers for `count` new responses that no concurrent insert can take: PostgreSQL draws
    them from the table's sequence; SQLite moves its AUTOINCREMENT counter past a block."""
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return iter([row[0] for row in cursor.fetchall()])
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
        return iter(range(first, first + count))


def _spool() -> "tempfile.SpooledTemporaryFile[str]":
    # Closed by the ExitStack of the import that uses it.
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8")


class _Batch:
    """Valid rows as lines of PostgreSQL's COPY text format in two spooled files (on disk past
    64 MB), stored in one go at the end: COPY on PostgreSQL, batched INSERTs on SQLite."""

    def __init__(self, stack: ExitStack) -> None:
        self.responses = stack.enter_context(_spool())
        self.answers = stack.enter_context(_spool())

    def store(self) -> None:
        for spool, model, columns in (
            (self.responses, Response, RESPONSE_COLUMNS),
            (self.answers, Answer, ANSWER_COLUMNS),
        ):
            spool.seek(0)
            table = model._meta.db_table
            names = ", ".join(f'"{c}"' for c in columns)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                        while chunk := spool.read(1 << 20):
                            copy.write(chunk)
                    continue
                marks = ", ".join(["%s"] * len(columns))
                sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
                while lines := spool.readlines(1 << 20):
                    cursor.executemany(sql, [_sqlite_values(line, model) for line in lines])


SUBMITTED_AT = RESPONSE_COLUMNS.index("submitted_at")


def _sqlite_values(line: str, model: type[Response | Answer]) -> list[str | None]:
    """A COPY line as SQLite values: SQLite keeps UTC date-times without an offset."""
    values = [_from_copy_text(v) for v in line.rstrip("\n").split("\t")]
    if model is Response:
        values[SUBMITTED_AT] = (values[SUBMITTED_AT] or "").removesuffix("+00")
    return values


@dataclass(frozen=True)
class _Column:
    """How one question's cell becomes an answer line (COPY text after the response number)."""

    question_id: int
    position: int | None
    label: str
    kind: str
    required: bool
    scores: dict[str, int]
    allowed: frozenset[str]
    low: int
    messages: dict[str, str]
    overall: bool = False
    segment: bool = False


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
                low=scale[0] if scale else 0,
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


def _answer(column: _Column, cell: str) -> tuple[str, int | None] | None:
    """The answer's COPY columns after the question (score, choices, text) and its score; None
    when the cell is empty and may be. Raises ValueError with the reason."""
    if not cell:
        if column.required:
            raise ValueError(column.messages["required"])
        return None
    kind = column.kind
    if kind == QuestionKind.SCALE:
        score = column.scores.get(cell)
        if score is None:
            digits = cell.lstrip("-")
            if digits.isdigit() and len(digits) <= 4 and str(int(cell)) in column.scores:
                score = int(cell)
            else:
                raise ValueError(column.messages["scale"])
        return f"{score}\t[]\t", score
    if kind == QuestionKind.YES_NO:
        value = YES_NO.get(cell.lower())
        if value is None:
            raise ValueError(column.messages["yes_no"])
        return f'{NULL}\t["{value}"]\t', None
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = [v.strip() for v in cell.split("|") if v.strip()] if kind == "multiple" else [cell]
        if not values:
            if column.required:
                raise ValueError(column.messages["required"])
            return None
        if any(v not in column.allowed for v in values):
            raise ValueError(column.messages["choice"])
        return f"{NULL}\t{_copy_text(json.dumps(values))}\t", None
    if len(cell) > services.TEXT_LIMIT:
        raise ValueError(column.messages["text"])
    return f"{NULL}\t[]\t{_copy_text(cell)}", None


YES_NO = {"sí": "yes", "si": "yes", "yes": "yes", "no": "no"}


def run_import(job: ImportJob) -> ImportJob:
    """Check every row (saving progress as it goes), then store the valid rows in one
    transaction with the wave's score counts brought up to date. A row is rejected with its
    reason: an unknown service, a bad date, an answer out of range, a duplicate of an earlier
    row. Rows are turned straight into COPY lines, not model objects, so a million-row file
    imports in seconds (docs/performance.md)."""
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
    stack = ExitStack()
    batch = _Batch(stack)
    try:
        job.file.open("rb")
        data = job.file.read()
        job.file.close()
        records, bound = _records(data, job.file_name)
        ImportJob.objects.filter(pk=job.pk).update(total=min(bound, MAX_ROWS))
        reader = _Reader(wave, questions, job.headers, mapping)
        ids = _reserve_ids(min(bound, MAX_ROWS))
        total, imported, rejected = reader.read(records, ids, batch, job.pk)
        with transaction.atomic():
            batch.store()
            services.add_cells(reader.cells(wave))
            moments.add(wave, moments.scale_questions(wave), reader.moments())
            segments.add(reader.segment_rows())
            job.status = ImportStatus.DONE
            job.total = job.done = total
            job.imported = imported
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
                by=job.created_by,
                data={"job": job.pk, "imported": imported, "rejected": len(rejected)},
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
    finally:
        stack.close()
    job.refresh_from_db()
    return job


class _Reader:
    """Turns the file's rows into COPY lines and score counts, rejecting bad rows with reasons."""

    def __init__(
        self, wave: Wave, questions: list[Any], headers: list[str], mapping: dict[str, str]
    ) -> None:
        index = {h: i for i, h in enumerate(headers)}
        self.wave = wave
        self.fields = {f: index.get(mapping.get(f, "")) for f in FIELDS}
        self.columns = _columns(questions, mapping, index)
        self.key_positions = [
            p for p in (*self.fields.values(), *(c.position for c in self.columns)) if p is not None
        ]
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
        self.dates: dict[str, tuple[str, dt.date]] = {}
        now = timezone.now()
        self.now = (f"{now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(now))
        # Score counts: a cell number per (service, channel, touch point, month), then one code
        # per scale answer = (cell × questions + question) × span + score − scale minimum.
        self.cell_keys: dict[tuple[int, int, int, dt.date], int] = {}
        self.span = 1 + max(
            (max(c.scores.values()) - c.low for c in self.columns if c.scores), default=0
        )
        self.codes = array("q")
        # Complete responses for the key-driver sums: their scale scores in column order.
        self.scale_ids = [c.question_id for c in self.columns if c.scores]
        self.vectors = array("h")
        # The overall grade by segment: (service, segment, value, grade) → respondents.
        self.in_segments: Counter[tuple[int, str, str, int]] = Counter()
        self.vector_services = array("q")

    def _date(self, value: str) -> tuple[str, dt.date]:
        found = self.dates.get(value)
        if found is None:
            moment = _parse_date(value)  # ValueError for a bad date
            found = (f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}+00", _month(moment))
            self.dates[value] = found
        return found

    def read(
        self, records: Iterator[list[str]], ids: Iterator[int], batch: "_Batch", job_id: int
    ) -> tuple[int, int, list[list[Any]]]:
        wave_id, columns, fields = self.wave.pk, self.columns, self.fields
        service_at, channel_at, date_at = fields["service"], fields["channel"], fields["date"]
        user_type_at, touch_point_at, age_band_at = (
            fields["user_type"],
            fields["touch_point"],
            fields["age_band"],
        )
        width = 1 + max(self.key_positions, default=0)
        user_types, age_bands = set(UserType.values), set(AgeBand.values)
        n_questions, span = len(columns), self.span
        seen: dict[int, int] = {}
        rejected: list[list[Any]] = []
        write_response, write_answer = batch.responses.write, batch.answers.write
        codes, vectors, vector_services = self.codes, self.vectors, self.vector_services
        in_segments = self.in_segments
        segment_columns = [c for c in columns if c.segment]
        n_scale = len(self.scale_ids)
        total = imported = 0
        for number, row in enumerate(records, start=2):
            if len(row) < width:
                row = row + [""] * (width - len(row))
            row = [cell.strip() for cell in row]
            if not any(row):
                continue
            total += 1
            if total > MAX_ROWS:
                raise SurveyImportError(_("The file has more than 1,000,000 rows."))
            if total % PROGRESS_EVERY == 0:
                ImportJob.objects.filter(pk=job_id).update(done=total)
            # Two identical rows are one respondent entered twice. (A 64-bit hash of the row:
            # the odds of two different rows colliding in a million are about 1 in 30 million.)
            key = hash(tuple(row[p] for p in self.key_positions))
            earlier = seen.get(key)
            if earlier is not None:
                rejected.append([number, _("Duplicate of row %(row)s.") % {"row": earlier}])
                continue
            seen[key] = number
            errors = []
            service_text = row[service_at] if service_at is not None else ""
            service = self.services.get(service_text.lower())
            if service is None:
                errors.append(_("Unknown service “%(value)s”.") % {"value": service_text[:60]})
            channel = None
            if channel_at is not None and row[channel_at]:
                channel = self.channels.get(row[channel_at].lower())
                if channel is None:
                    errors.append(
                        _("Unknown channel “%(value)s”.") % {"value": row[channel_at][:60]}
                    )
            touch_point = None
            if touch_point_at is not None and row[touch_point_at]:
                touch_point = self.touch_points.get(row[touch_point_at].lower())
                if touch_point is None:
                    errors.append(
                        _("Unknown touch point “%(value)s”.") % {"value": row[touch_point_at][:60]}
                    )
            submitted, month = self.now
            if date_at is not None and row[date_at]:
                try:
                    submitted, month = self._date(row[date_at])
                except ValueError:
                    errors.append(
                        _("“%(value)s” is not a date (use 2026-03-31).")
                        % {"value": row[date_at][:40]}
                    )
            user_type = row[user_type_at] if user_type_at is not None else ""
            if user_type and user_type not in user_types:
                errors.append(_("Unknown user type “%(value)s”.") % {"value": user_type[:40]})
            age_band = row[age_band_at] if age_band_at is not None else ""
            if age_band and age_band not in age_bands:
                errors.append(_("Unknown age band “%(value)s”.") % {"value": age_band[:40]})
            answers = []
            for position, column in enumerate(columns):
                try:
                    answer = _answer(
                        column, row[column.position] if column.position is not None else ""
                    )
                except ValueError as error:
                    errors.append(f"{column.label}: {error}")
                    continue
                if answer is not None:
                    answers.append((position, column, answer))
            if errors or service is None:
                rejected.append([number, " ".join(errors)])
                continue
            response_id = next(ids)
            imported += 1
            write_response(
                f"{response_id}\t{wave_id}\t{service}\t{channel or NULL}\t{touch_point or NULL}"
                f"\t{NULL}\t{user_type}\t{age_band}\timport\t{submitted}\t0\t\t\n"
            )
            cell = self.cell_keys.setdefault(
                (service, channel or 0, touch_point or 0, month),
                len(self.cell_keys),  # type: ignore[arg-type]
            )
            scored = []
            overall_score = None
            for position, column, (line, score) in answers:
                write_answer(f"{response_id}\t{column.question_id}\t{line}\n")
                if score is not None:
                    codes.append((cell * n_questions + position) * span + score - column.low)
                    scored.append(score)
                    if column.overall:
                        overall_score = score
            if len(scored) == n_scale:
                vectors.extend(scored)
                vector_services.append(service)
            if overall_score is not None:
                if user_type:
                    in_segments[(service, "user_type", user_type, overall_score)] += 1
                if age_band:
                    in_segments[(service, "age_band", age_band, overall_score)] += 1
                for column in segment_columns:
                    value = row[column.position] if column.position is not None else ""
                    if value:
                        in_segments[
                            (service, f"q{column.question_id}", value[:60], overall_score)
                        ] += 1
        return total, imported, rejected

    def moments(self) -> dict[int, tuple[int, Any, Any]]:
        """Key-driver sums per service, the columns in the order of moments.scale_questions."""
        if not self.vector_services or not self.scale_ids:
            return {}
        matrix = np.frombuffer(self.vectors, dtype=np.int16).reshape(-1, len(self.scale_ids))
        order = [self.scale_ids.index(q) for q in moments.scale_questions(self.wave)]
        return moments.group(np.frombuffer(self.vector_services, dtype=np.int64), matrix[:, order])

    def segment_rows(self) -> list[tuple[Any, ...]]:
        overall = next((c.question_id for c in self.columns if c.overall), None)
        if overall is None:
            return []
        return [
            (self.wave.pk, overall, service, name, value, score, count)
            for (service, name, value, score), count in self.in_segments.items()
        ]

    def cells(self, wave: Wave) -> list[tuple[Any, ...]]:
        """(wave, question, service, channel, touch point, client unit, month, score, count)."""
        if not self.codes:
            return []
        found, counts = np.unique(np.frombuffer(self.codes, dtype=np.int64), return_counts=True)
        keys = list(self.cell_keys)
        rows = []
        for code, count in zip(found.tolist(), counts.tolist(), strict=True):
            cell, rest = divmod(code, len(self.columns) * self.span)
            position, offset = divmod(rest, self.span)
            column = self.columns[position]
            service, channel, touch_point, month = keys[cell]
            rows.append(
                (
                    wave.pk,
                    column.question_id,
                    service,
                    channel,
                    touch_point,
                    0,
                    month,
                    column.low + offset,
                    count,
                )
            )
        return rows


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)
