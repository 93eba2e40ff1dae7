"""An import's life: the file uploaded and its header read, the columns mapped and the import
queued as a task, then run — each row stored or rejected with its reason."""

from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compromiso.attention.imports.fields import FIELDS
from compromiso.attention.imports.reading import MAX_BYTES, header_of, records
from compromiso.attention.imports.rows import ContactImport, IntervalImport
from compromiso.attention.imports.tasks import run_attention_import
from compromiso.attention.imports.visits import IMPORTER, VisitReplay
from compromiso.attention.models import Branch, ImportJob, ImportKind, ImportStatus
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization

MAX_LISTED = 10_000  # rejected rows kept on the job


def _require(by: Actor, organization: Organization, branch: Branch | None) -> None:
    require(
        by,
        Perm.MANAGE_ATTENTION,
        organization_id=organization.pk,
        unit_path=branch.touch_point.unit.path if branch is not None else None,
    )


def start_import(
    organization: Organization,
    upload: "UploadedFile[Any]",
    *,
    kind: str,
    by: Actor,
    branch: Branch | None = None,
) -> ImportJob:
    """Keep the file and read its header; the columns are mapped next."""
    _require(by, organization, branch)
    if kind not in ImportKind.values:
        raise DomainError(_("Choose what the file holds."), code="invalid_kind")
    if kind == ImportKind.VISITS:
        if branch is None:
            raise DomainError(_("Choose the branch the visits belong to."), code="no_branch")
        if branch.organization_id != organization.pk:
            raise DomainError(_("This branch belongs to another organisation."))
    else:
        branch = None
    name = (upload.name or "import.csv").replace("/", "_")[-200:]
    if not name.lower().endswith((".csv", ".txt", ".xlsx")):
        raise DomainError(_("Upload a CSV or XLSX file."), code="file_type")
    if (upload.size or 0) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    data = upload.read()
    headers = header_of(data, name)
    if not any(headers):
        raise DomainError(_("The file has no header row."), code="no_header")
    upload.seek(0)
    job = ImportJob.objects.create(
        organization=organization,
        kind=kind,
        branch=branch,
        file=upload,
        file_name=name,
        headers=headers,
        created_by=user_of(by),
    )
    log_action(job, "attention.import.uploaded", by=by, data={"kind": kind, "file": name})
    return job


@transaction.atomic
def map_import(job: ImportJob, *, mapping: Mapping[str, str], by: Actor) -> ImportJob:
    """Keep the mapping (field → column header) and queue the import."""
    _require(by, job.organization, job.branch)
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportStatus.UPLOADED:
        raise DomainError(_("This import has already run."), code="already_run")
    clean = {key: header for key, header in mapping.items() if header in job.headers}
    missing = [str(f.label) for f in FIELDS[job.kind] if f.required and f.key not in clean]
    if missing:
        raise DomainError(
            _("Choose the column of: %(fields)s.") % {"fields": ", ".join(missing)},
            code="unmapped",
        )
    job.mapping = clean
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["mapping", "status", "updated_at"])
    log_action(job, "attention.import.mapped", by=by, data={"mapping": clean})
    enqueue_with_transaction(
        run_attention_import, job_id=job.pk, language=translation.get_language() or ""
    )
    return job


def run_import(job: ImportJob) -> ImportJob:
    """Read the file and store each valid row (a visit: all its rows); keep every rejected row
    with its reason."""
    positions = {key: job.headers.index(header) for key, header in job.mapping.items()}
    try:
        job.file.open("rb")
        data = job.file.read()
        job.file.close()
        rows = list(records(data, job.file_name))
        ImportJob.objects.filter(pk=job.pk).update(total=len(rows))
        if job.kind == ImportKind.VISITS:
            assert job.branch is not None
            imported, rejected = VisitReplay(job.branch, positions).run(rows)
        elif job.kind == ImportKind.CONTACTS:
            imported, rejected = ContactImport(job, positions).run(rows)
        else:
            imported, rejected = IntervalImport(job, positions).run(rows)
    except DomainError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=error.message[:500]
        )
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=_("The import failed.")
        )
        raise
    else:
        job.status = ImportStatus.DONE
        job.total = len(rows)
        job.imported = imported
        job.rejected = rejected[:MAX_LISTED]
        job.message = (
            _("%(more)s more rejected rows are not listed.") % {"more": len(rejected) - MAX_LISTED}
            if len(rejected) > MAX_LISTED
            else ""
        )
        job.save()
        log_action(
            job,
            "attention.import.done",
            by=job.created_by or IMPORTER,
            data={"imported": imported, "rejected": len(rejected)},
        )
    job.refresh_from_db()
    return job
