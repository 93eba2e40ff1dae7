"""The audit cycle and the programme's own figures.

The cycle: for each active service of the organisation, the last closed audit that covered it,
when it ended (its actual end, else its planned end) and when the next one is due — that end
plus the programme's `cycle_months`. A service never audited, overdue, or falling due by the
end of the programme's period is proposed, unless an open audit or a pending proposal already
covers it.

The review figures (ISO 19011 §5.6): the programme's audits planned (cancelled ones left out),
done (closed), cancelled and late (open past their planned end); its nonconformities, how many
are closed (remedy verified or closed) and how many of those on time — their improvement
action completed on or before its due date (a closed nonconformity without an action is
counted closed, not on time: there is no date to judge)."""

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Audit,
    AuditProgramme,
    AuditProposal,
    AuditStatus,
    Finding,
    FindingStatus,
    GradeKind,
    ProposalStatus,
)
from compromiso.catalog.models import Service
from compromiso.core.calendar import add_months

type CycleStatus = Literal["never", "overdue", "due", "later", "planned"]
PROPOSED: frozenset[str] = frozenset({"never", "overdue", "due"})
CLOSED_FINDING = (FindingStatus.VERIFIED, FindingStatus.CLOSED)


def audit_end(audit: Audit) -> dt.date:
    return audit.actual_end or audit.planned_end


@dataclass(frozen=True)
class CycleRow:
    service: Service
    last_audit: Audit | None
    last_end: dt.date | None
    due: dt.date | None  # None: never audited, due now
    status: CycleStatus

    @property
    def proposed(self) -> bool:
        return self.status in PROPOSED


def cycle(programme: AuditProgramme, today: dt.date) -> list[CycleRow]:
    """Each active service with its last closed audit, its next due date and its status."""
    organization_id = programme.organization_id
    services = list(
        Service.objects.filter(organization_id=organization_id, is_active=True).order_by(
            "name", "pk"
        )
    )
    links = Audit.services.through.objects.filter(
        audit__organization_id=organization_id
    ).select_related("audit")
    last: dict[int, Audit] = {}
    busy: set[int] = set()
    for link in links:
        audit = link.audit
        if audit.status == AuditStatus.CLOSED:
            known = last.get(link.service_id)
            if known is None or audit_end(audit) > audit_end(known):
                last[link.service_id] = audit
        elif audit.status in OPEN_AUDIT_STATUSES:
            busy.add(link.service_id)
    busy |= set(
        AuditProposal.services.through.objects.filter(
            auditproposal__organization_id=organization_id,
            auditproposal__status__in=(ProposalStatus.DRAFT, ProposalStatus.SUBMITTED),
        ).values_list("service_id", flat=True)
    )
    rows = []
    for service in services:
        closed = last.get(service.pk)
        end = audit_end(closed) if closed else None
        due = add_months(end, programme.cycle_months) if end else None
        status: CycleStatus
        if service.pk in busy:
            status = "planned"
        elif due is None:
            status = "never"
        elif due < today:
            status = "overdue"
        elif due <= programme.period_end:
            status = "due"
        else:
            status = "later"
        rows.append(CycleRow(service, closed, end, due, status))
    return rows


@dataclass(frozen=True)
class ReviewFigures:
    planned: int
    done: int
    cancelled: int
    late: int
    nonconformities: int
    closed: int
    closed_on_time: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def review_figures(programme: AuditProgramme, today: dt.date) -> ReviewFigures:
    counts: dict[str, int] = defaultdict(int)
    late = 0
    for status, planned_end in programme.audits.values_list("status", "planned_end"):
        counts[status] += 1
        if status in OPEN_AUDIT_STATUSES and planned_end < today:
            late += 1
    findings = Finding.objects.filter(
        audit__programme=programme, grade__kind=GradeKind.NONCONFORMITY
    ).exclude(audit__status=AuditStatus.CANCELLED)
    nonconformities = closed = on_time = 0
    for status, completed_at, due_date, zone in findings.values_list(
        "status", "action__completed_at", "action__due_date", "audit__organization__time_zone"
    ):
        nonconformities += 1
        if status not in CLOSED_FINDING:
            continue
        closed += 1
        if (
            completed_at is not None
            and due_date is not None
            and completed_at.astimezone(ZoneInfo(zone or "UTC")).date() <= due_date
        ):
            on_time += 1
    total = sum(counts.values())
    return ReviewFigures(
        planned=total - counts[AuditStatus.CANCELLED],
        done=counts[AuditStatus.CLOSED],
        cancelled=counts[AuditStatus.CANCELLED],
        late=late,
        nonconformities=nonconformities,
        closed=closed,
        closed_on_time=on_time,
    )
