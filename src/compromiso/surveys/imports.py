"""Importing responses from CSV or XLSX (an external measurer's data set, paper surveys typed in a
spreadsheet): read the header, map columns to the wave's fields and questions, check every row,
report each rejected row and why, and store the valid ones together — or nothing on failure."""

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import User
from compromiso.surveys import services
from compromiso.surveys.models import (
    Answer,
    ImportJob,
    ImportStatus,
    QuestionKind,
    Response,
    ResponseSource,
    UserType,
    Wave,
)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 1_000_000
PROGRESS_EVERY = 500
FIELDS = ("service", "channel", "date", "user_type")


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
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
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
        "user_type": ("user_type", "tipo", "tipus"),
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


def run_import(job: ImportJob) -> ImportJob:
    """Check every row (saving progress as it goes), then store the valid rows in one
    transaction with the wave's score counts rebuilt. A row is rejected with its reason: an
    unknown service, a bad date, an answer out of range, a duplicate of an earlier row."""
    wave = job.wave
    if job.status != ImportStatus.UPLOADED:
        raise SurveyImportError(_("This import has already run."))
    mapping = job.mapping
    if "service" not in mapping:
        raise SurveyImportError(_("Map the column that holds the service code."))
    questions = list(wave.questionnaire.questions.select_related("questionnaire"))
    if not any(f"q{q.pk}" in mapping for q in questions):
        raise SurveyImportError(_("Map at least one question to a column."))
    index = {h: i for i, h in enumerate(job.headers)}
    services_by_code = {s.code.lower(): s for s in wave.services.all()} | {
        s.name.lower(): s for s in wave.services.all()
    }
    channels = {
        key.lower(): c
        for c in Channel.objects.filter(organization=wave.organization)
        for key in (c.kind, c.name)
    }
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status", "updated_at"])
    try:
        job.file.open("rb")
        data = job.file.read()
        job.file.close()
        expected = max(sum(1 for _row_ in _rows(data, job.file_name)) - 1, 0)
        ImportJob.objects.filter(pk=job.pk).update(total=expected)
        rows = _rows(data, job.file_name)
        next(rows, None)  # the header
        valid: list[tuple[Response, list[Answer]]] = []
        rejected: list[list[Any]] = []
        seen: dict[tuple[str, ...], int] = {}
        total = 0
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            total += 1
            if total > MAX_ROWS:
                raise SurveyImportError(_("The file has more than 1,000,000 rows."))

            def value(field: str, row: list[str] = row) -> str:
                column = mapping.get(field)
                if not column or column not in index or index[column] >= len(row):
                    return ""
                return row[index[column]].strip()

            key = tuple(value(f) for f in (*FIELDS, *(f"q{q.pk}" for q in questions)))
            if key in seen:
                rejected.append([number, _("Duplicate of row %(row)s.") % {"row": seen[key]}])
                continue
            seen[key] = number
            try:
                valid.append(_row(wave, questions, value, services_by_code, channels))
            except ValidationError as error:
                rejected.append([number, " ".join(error.messages)])
            if total % PROGRESS_EVERY == 0:
                ImportJob.objects.filter(pk=job.pk).update(done=total)
        with transaction.atomic():
            Response.objects.bulk_create([r for r, _a in valid], batch_size=2000)
            answers = []
            for response, items in valid:
                for answer in items:
                    answer.response = response
                    answers.append(answer)
            Answer.objects.bulk_create(answers, batch_size=5000)
            services.rebuild_counts(wave)
            job.status = ImportStatus.DONE
            job.total = job.done = total
            job.imported = len(valid)
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
                data={"job": job.pk, "imported": len(valid), "rejected": len(rejected)},
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


def _row(
    wave: Wave,
    questions: list[Any],
    value: Any,
    services_by_code: dict[str, Service],
    channels: dict[str, Channel],
) -> tuple[Response, list[Answer]]:
    service = services_by_code.get(value("service").lower())
    if service is None:
        raise ValidationError(_("Unknown service “%(value)s”.") % {"value": value("service")[:60]})
    channel = None
    if value("channel"):
        channel = channels.get(value("channel").lower())
        if channel is None:
            raise ValidationError(
                _("Unknown channel “%(value)s”.") % {"value": value("channel")[:60]}
            )
    submitted = timezone.now()
    if value("date"):
        try:
            submitted = _parse_date(value("date"))
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a date (use 2026-03-31).") % {"value": value("date")[:40]}
            ) from None
    user_type = value("user_type")
    if user_type and user_type not in UserType.values:
        raise ValidationError(_("Unknown user type “%(value)s”.") % {"value": user_type[:40]})
    raw: dict[int, Any] = {}
    for question in questions:
        cell = value(f"q{question.pk}")
        if question.kind == QuestionKind.MULTIPLE:
            raw[question.pk] = [v.strip() for v in cell.split("|") if v.strip()]
        elif question.kind == QuestionKind.YES_NO:
            raw[question.pk] = {"sí": "yes", "si": "yes", "yes": "yes", "no": "no"}.get(
                cell.lower(), cell
            )
        else:
            raw[question.pk] = cell
    answers, errors = services.clean_answers(questions, raw)
    if errors:
        labels = {f"q{q.pk}": q.text for q in questions}
        raise ValidationError(
            [f"{labels.get(k, k)[:60]}: {message}" for k, message in errors.items()]
        )
    response = Response(
        wave=wave,
        service=service,
        channel=channel,
        user_type=user_type,
        source=ResponseSource.IMPORT,
        submitted_at=submitted,
    )
    return response, answers
