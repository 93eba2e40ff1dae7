"""An import of the staff list in two steps: the upload, checked and kept until the preview is
confirmed; then applying it, checked again against the list as it is by then. Rows are upserted
by employee number; nobody is deleted, and those absent from the file are deactivated only when
asked."""

import datetime as dt
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
    for row in plan.create:
        member = StaffMember.objects.create(
            organization=job.organization,
            unit=row.unit,
            code=row.code,
            name=row.name,
            email=row.email,
            role=row.role or StaffRole.CONTACT,
            is_manager=bool(row.is_manager),
        )
        member.touch_points.set(row.touch_points or [])
    for row in plan.update:
        assert row.member is not None
        member = row.member
        member.name, member.unit, member.is_active = row.name, row.unit, True
        if row.email:
            member.email = row.email
        if row.role is not None:
            member.role = row.role
        if row.is_manager is not None:
            member.is_manager = row.is_manager
        member.save()
        if row.touch_points is not None:
            member.touch_points.set(row.touch_points)
        else:  # those outside a new unit go
            member.touch_points.set(
                [tp for tp in member.touch_points.all() if tp.unit.path.startswith(row.unit.path)]
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
