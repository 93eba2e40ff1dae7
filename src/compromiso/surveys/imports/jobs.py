"""An import's life: the file uploaded and its header read, the columns mapped and the import
queued, then run — every row checked, the valid ones stored with the wave's counts in one
transaction, or nothing on failure."""

import hashlib
from collections.abc import Mapping
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.core.actors import SYSTEM, Actor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import User
from compromiso.surveys import moments, segments, services
from compromiso.surveys.imports.checking import RowCheck
from compromiso.surveys.imports.errors import SurveyImportError
from compromiso.surveys.imports.reading import MAX_BYTES, read_table, rows_of
from compromiso.surveys.imports.storing import (
    ANSWER_COLUMNS,
    RESPONSE_COLUMNS,
    inserting,
    reserve_ids,
)
from compromiso.surveys.models import (
    Answer,
    ImportJob,
    ImportStatus,
    Response,
    Wave,
)
from compromiso.surveys.tasks import import_responses


def start_import(wave: Wave, upload: "UploadedFile[Any]", *, by: Actor) -> ImportJob:
    """Keep the file and read its header; the columns are mapped next."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=wave.organization_id)
    name = upload.name or "responses.csv"
    if not name.lower().endswith((".csv", ".xlsx", ".txt")):
        raise ValidationError({"file": _("Upload a CSV or XLSX file.")})
    if (upload.size or 0) > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 100 MB.")})
    data = upload.read()
    header = next(rows_of(data, name), None)
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


@transaction.atomic
def map_import(job: ImportJob, *, mapping: Mapping[str, str], by: Actor) -> ImportJob:
    """Keep the columns' mapping (field or question → column header) and queue the import."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=job.wave.organization_id)
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.UPLOADED:
        raise SurveyImportError(_("This import has already run."))
    job.mapping = dict(mapping)
    job.save(update_fields=["mapping", "updated_at"])
    log_action(
        job.wave, "surveys.import.mapped", by=by, data={"job": job.pk, "mapping": job.mapping}
    )
    enqueue_with_transaction(import_responses, job_id=job.pk)
    return job


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
        check = RowCheck(wave, questions, job.headers, mapping)
        table = read_table(data, job.file_name, check.positions)
        total = table.height
        ImportJob.objects.filter(pk=job.pk).update(total=total)
        valid, rejected = check.check(table)
        ImportJob.objects.filter(pk=job.pk).update(done=total)
        # Numbered and stored in the order of their dates, the responses go in near the end of
        # the wave's date index rather than all over it, which saves about a second of COPY at
        # a million rows.
        valid = valid.sort("submitted_at", maintain_order=True)
        valid = valid.with_columns(pl.Series("id", reserve_ids(valid.height), dtype=pl.Int64))
        scale_questions = moments.scale_questions(wave)
        with transaction.atomic():
            with inserting(Response, RESPONSE_COLUMNS, valid, check.responses):
                # Worked out while the database takes the responses in.
                cells = check.cells(valid)
                sums = check.moments(valid, scale_questions)
                in_segments = check.segment_rows(valid)
            with inserting(Answer, ANSWER_COLUMNS, valid, check.answers):
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
