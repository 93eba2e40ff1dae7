"""Audits of the token's organisation: the audit programmes, the audits (scoped to what the
token's user may open there), and one audit with its scope, state, team and counts. An access
grant to another organisation's audit opens that audit's staff pages only, never this API: a
token acts inside the organisation it was issued for."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from compromiso.api.inputs import Page
from compromiso.api.scoping import get_visible, organization_of
from compromiso.audits import access
from compromiso.audits.models import (
    Agreement,
    Audit,
    AuditProgramme,
    AuditStatus,
    FindingStatus,
    GradeKind,
    ProgrammeStatus,
)
from compromiso.audits.services import has_conflict
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for

router = Router(tags=["audits"])


class ProgrammeOut(Schema):
    id: int
    title: str
    status: ProgrammeStatus
    period_start: dt.date
    period_end: dt.date
    objectives: str
    cycle_months: int
    approved_at: dt.datetime | None
    reviewed_at: dt.datetime | None


class AuditOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    auditor_kind: str
    status: AuditStatus
    programme: int | None = Field(None, alias="programme_id")
    unit: int | None = Field(None, alias="unit_id")
    follow_up_of: int | None = Field(None, alias="follow_up_of_id")
    period_start: dt.date
    period_end: dt.date
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    lead: int | None = Field(None, alias="lead_id")


class TeamMemberOut(Schema):
    user: int = Field(..., alias="user_id")
    name: str
    role: str
    affiliation: str
    independent: bool | None
    conflict_declared: bool
    declared_at: dt.datetime | None


class CountsOut(Schema):
    team: int
    findings: int
    nonconformities: int
    open_nonconformities: int
    evidence: int
    information_requests: int
    checklist_items: int


class AuditDetailOut(AuditOut):
    objectives: str
    scope: str
    criteria: str
    methods: str
    places: str
    services: list[int]
    charters: list[int]
    touch_points: list[int]
    framework: int | None = Field(None, alias="framework_id")
    agreement_signed: bool
    results_decision: str
    team: list[TeamMemberOut]
    counts: CountsOut

    @staticmethod
    def resolve_services(obj: Audit) -> list[int]:
        return sorted(obj.services.values_list("pk", flat=True))

    @staticmethod
    def resolve_charters(obj: Audit) -> list[int]:
        return sorted(obj.charters.values_list("pk", flat=True))

    @staticmethod
    def resolve_touch_points(obj: Audit) -> list[int]:
        return sorted(obj.touch_points.values_list("pk", flat=True))

    @staticmethod
    def resolve_agreement_signed(obj: Audit) -> bool:
        agreement = Agreement.objects.filter(audit=obj).first()
        return agreement is not None and agreement.is_signed

    @staticmethod
    def resolve_team(obj: Audit) -> list[dict[str, Any]]:
        return [
            {
                "user_id": member.user_id,
                "name": str(member.user),
                "role": member.role,
                "affiliation": member.affiliation,
                "independent": member.independent,
                "conflict_declared": has_conflict(member),
                "declared_at": member.declared_at,
            }
            for member in obj.team.select_related("user")
        ]

    @staticmethod
    def resolve_counts(obj: Audit) -> dict[str, int]:
        return _counts(obj)


def _member(request: AuthenticatedHttpRequest) -> Any:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _audits(request: AuthenticatedHttpRequest) -> QuerySet[Audit]:
    organization = _member(request)
    return access.audits_for(request.user).filter(organization=organization)


@router.get(
    "/audit-programmes",
    response=list[ProgrammeOut],
    summary="The audit programmes of the organisation",
)
@paginate(Page)
def list_programmes(request: AuthenticatedHttpRequest) -> QuerySet[AuditProgramme]:
    return AuditProgramme.objects.filter(organization=_member(request)).order_by(
        "-period_start", "pk"
    )


@router.get("/audits", response=list[AuditOut], summary="The audits of the organisation")
@paginate(Page)
def list_audits(request: AuthenticatedHttpRequest) -> QuerySet[Audit]:
    return _audits(request).order_by("-planned_start", "pk")


def _counts(audit: Audit) -> dict[str, int]:
    nonconformity = Q(grade__kind=GradeKind.NONCONFORMITY)
    closed = Q(status__in=(FindingStatus.VERIFIED, FindingStatus.CLOSED))
    findings = audit.findings.aggregate(
        all=Count("pk"),
        nonconformities=Count("pk", filter=nonconformity),
        open=Count("pk", filter=nonconformity & ~closed),
    )
    return {
        "team": audit.team.count(),
        "findings": findings["all"],
        "nonconformities": findings["nonconformities"],
        "open_nonconformities": findings["open"],
        "evidence": audit.evidence.count(),
        "information_requests": audit.requests.count(),
        "checklist_items": audit.checklist.count(),
    }


@router.get(
    "/audits/{audit_id}",
    response=AuditDetailOut,
    summary="One audit: its scope, state, team (with declared conflicts) and counts",
)
def get_audit(request: AuthenticatedHttpRequest, audit_id: int) -> Audit:
    return get_visible(_audits(request), audit_id)
