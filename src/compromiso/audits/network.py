"""Audit coverage across the network, for the network analyst: per active organisation, the
audits closed in a year (by the date their fieldwork ended, in the organisation's calendar),
the audits open now, the nonconformities still open (remedy not verified, audit not cancelled)
counted by grade, and the state of its quality seal. Counts only — never a finding's text."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Audit,
    AuditStatus,
    Finding,
    FindingStatus,
    GradeKind,
)
from compromiso.audits.seal import seal_status
from compromiso.organizations.models import Organization


@dataclass
class OrganizationRow:
    organization: Organization
    closed_in_year: int = 0
    open_audits: int = 0
    open_nonconformities: list[tuple[str, int]] = field(default_factory=list)
    seal: Any = None

    @property
    def open_nonconformity_total(self) -> int:
        return sum(count for _label, count in self.open_nonconformities)


def network_figures(year: int) -> list[OrganizationRow]:
    rows = {
        o.pk: OrganizationRow(o)
        for o in Organization.objects.filter(is_active=True).order_by("name")
    }
    for organization_id, count in (
        Audit.objects.filter(organization_id__in=rows, status__in=OPEN_AUDIT_STATUSES)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    ):
        rows[organization_id].open_audits = count
    for organization_id, count in (
        Audit.objects.filter(
            organization_id__in=rows, status=AuditStatus.CLOSED, actual_end__year=year
        )
        .values("organization_id")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "n")
    ):
        rows[organization_id].closed_in_year = count
    by_grade: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for organization_id, label, severity, count in (
        Finding.objects.filter(audit__organization_id__in=rows, grade__kind=GradeKind.NONCONFORMITY)
        .exclude(status__in=(FindingStatus.VERIFIED, FindingStatus.CLOSED))
        .exclude(audit__status=AuditStatus.CANCELLED)
        .values("audit__organization_id", "grade__label", "grade__severity")
        .annotate(n=Count("pk"))
        .values_list("audit__organization_id", "grade__label", "grade__severity", "n")
    ):
        by_grade[organization_id].append((severity, label, count))
    for organization_id, row in rows.items():
        grades = sorted(by_grade.get(organization_id, []), key=lambda g: (-g[0], g[1]))
        row.open_nonconformities = [(label, count) for _severity, label, count in grades]
        row.seal = seal_status(row.organization)
    return list(rows.values())
