"""An import of the staff list in two steps: the upload, checked and kept until the preview is
confirmed; then applying it, checked again against the list as it is by then. Rows are upserted
by employee number; nobody is deleted, and those absent from the file are deactivated only when
asked."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action
from compromiso.core.permissions import scope_for
from compromiso.organizations.models import Organization
from compromiso.servicemodel.models import ImportStatus, StaffImport, StaffMember, StaffRole
from compromiso.servicemodel.services.model import ServiceModelError
from compromiso.servicemodel.services.people import PERM
from compromiso.servicemodel.staff_import import Plan, check_file

BATCH = 1000
KEPT_FOR = dt.timedelta(days=1)  # an upload never confirmed is deleted after this


def _require(organization: Organization, by: Actor) -> None:
    if not isinstance(by, SystemActor) and not scope_for(by, PERM).touches(organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))


def plan_of(job: StaffImport, *, by: Actor) -> Plan:
    """What confirming the upload would do now."""
    return check_file(
        bytes(job.content),
        job.file_name,
        job.organization,
        by=by,
        deactivate_missing=job.deactivate_missing,
    )


@transaction.atomic
def upload_staff_list(
    organization: Organization,
    *,
    by: Actor,
    file_name: str,
    data: bytes,
    deactivate_missing: bool = False,
) -> tuple[StaffImport, Plan]:
    """Keep an uploaded staff list for its preview. A file that cannot be read at all is
    refused (StaffImportError) and nothing is kept."""
    _require(organization, by)
    StaffImport.objects.filter(
        organization=organization,
        status=ImportStatus.PENDING,
        created_at__lt=timezone.now() - KEPT_FOR,
    ).delete()
    plan = check_file(data, file_name, organization, by=by, deactivate_missing=deactivate_missing)
    job = StaffImport.objects.create(
        organization=organization,
        created_by=user_of(by),
        file_name=file_name[-200:],
        content=data,
        deactivate_missing=deactivate_missing,
    )
    return job, plan


def _pending(job: StaffImport) -> None:
    if job.status != ImportStatus.PENDING:
        raise ServiceModelError(_("This import has already been applied or discarded."))


@transaction.atomic
def discard_staff_import(job: StaffImport, *, by: Actor) -> StaffImport:
    _require(job.organization, by)
    _pending(job)
    job.status = ImportStatus.DISCARDED
    job.content = b""
    job.save()
    return job


@transaction.atomic
def apply_staff_import(job: StaffImport, *, by: Actor) -> StaffImport:
    """Apply the confirmed upload: add, update and (when asked) deactivate, all or nothing."""
    _require(job.organization, by)
    job = StaffImport.objects.select_for_update().get(pk=job.pk)
    _pending(job)
    plan = plan_of(job, by=by)
    now = timezone.now()
    created = StaffMember.objects.bulk_create(
        [
            StaffMember(
                organization=job.organization,
                unit=row.unit,
                code=row.code,
                name=row.name,
                email=row.email,
                role=row.role or StaffRole.CONTACT,
                is_manager=bool(row.is_manager),
                created_at=now,
                updated_at=now,
            )
            for row in plan.create
        ],
        batch_size=BATCH,
    )
    links = [
        (member.pk, pk)
        for member, row in zip(created, plan.create, strict=True)
        for pk in row.touch_point_ids
    ]
    # Each changed value is written to all the people it is new for at once: a file that
    # changes one column for everyone costs a few statements, not one per person.
    groups: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for row in plan.update:
        known = row.member
        assert known is not None
        new = {
            "name": row.name,
            "email": row.email or known.email,
            "unit_id": row.unit.pk,
            "role": row.role or known.role,
            "is_manager": known.is_manager if row.is_manager is None else row.is_manager,
            "is_active": True,
        }
        old = {
            "name": known.name,
            "email": known.email,
            "unit_id": known.unit.pk,
            "role": known.role,
            "is_manager": known.is_manager,
            "is_active": known.is_active,
        }
        for name, value in new.items():
            if value != old[name]:
                groups[(name, value)].append(known.pk)
        links.extend((known.pk, pk) for pk in row.touch_point_ids)
    for (name, value), pks in groups.items():
        for start in range(0, len(pks), BATCH):
            StaffMember.objects.filter(pk__in=pks[start : start + BATCH]).update(
                **{name: value, "updated_at": now}
            )
    updated = [row.member.pk for row in plan.update if row.member is not None]
    through = StaffMember.touch_points.through
    for start in range(0, len(updated), BATCH):
        batch = updated[start : start + BATCH]
        through.objects.filter(staffmember_id__in=batch).delete()
    through.objects.bulk_create(
        [through(staffmember_id=m, touchpoint_id=t) for m, t in links], batch_size=BATCH
    )
    StaffMember.objects.filter(pk__in=[m.pk for m in plan.deactivate]).update(
        is_active=False, updated_at=timezone.now()
    )
    outcome: dict[str, Any] = {
        "created": len(plan.create),
        "updated": len(plan.update),
        "unchanged": plan.unchanged,
        "deactivated": len(plan.deactivate),
        "rejected": len(plan.rejected),
    }
    job.status = ImportStatus.APPLIED
    job.content = b""
    job.outcome = outcome
    job.rejected = [r.as_list() for r in plan.rejected]
    job.save()
    log_action(job, "servicemodel.staffimport.applied", by=by, data=outcome)
    return job
