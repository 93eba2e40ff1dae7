"""Service charters through the API: the charters in the caller's scope, one version with its
sections and commitments (each with its latest result), every measurement, and computing the
indicators on demand."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from compromiso.api.inputs import InputSchema, Page
from compromiso.api.scoping import get_visible, organization_of
from compromiso.charters import services
from compromiso.charters.models import Charter, CharterStatus, Measurement
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, has_perm

router = Router(tags=["charters"])


class CharterOut(Schema):
    id: int
    title: str
    version: int
    status: CharterStatus
    unit: int | None = Field(None, alias="unit_id")
    profile: str
    language: str
    valid_from: dt.date
    valid_to: dt.date
    approval_reference: str
    published_at: dt.datetime | None


class MeasurementOut(Schema):
    id: int
    commitment: int = Field(..., alias="commitment_id")
    period_start: dt.date
    period_end: dt.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    n: int
    compliance: str
    achievement: Decimal | None
    is_manual: bool


class CommitmentOut(Schema):
    id: int
    lineage: str
    service: int = Field(..., alias="service_id")
    channel: int | None = Field(None, alias="channel_id")
    text: str
    is_minimum_standard: bool
    is_guarantee: bool
    redress_policy: str
    indicator: str
    source: str
    case_kind: str
    threshold_days: int | None
    comparator: str
    target: Decimal
    unit: str = Field(..., alias="unit_symbol", description="Unit shown beside the values")
    periodicity: str
    latest: MeasurementOut | None


class SectionOut(Schema):
    kind: str
    body: str


class CharterDetailOut(CharterOut):
    services: list[int]
    sections: list[SectionOut]
    commitments: list[CommitmentOut]
    missing_for_publication: list[str]


class ComputeOut(Schema):
    written: int
    breaches: int


def _charters(request: AuthenticatedHttpRequest) -> QuerySet[Charter]:
    return Charter.objects.visible_to(request.user).filter(organization=organization_of(request))


class CharterFilter(InputSchema):
    status: CharterStatus | None = None


@router.get("/charters", response=list[CharterOut], summary="Service charters (every version)")
@paginate(Page)
def list_charters(
    request: AuthenticatedHttpRequest, filters: Query[CharterFilter]
) -> QuerySet[Charter]:
    charters = _charters(request)
    if filters.status:
        charters = charters.filter(status=filters.status)
    return charters.order_by("title", "-version", "pk")


@router.get("/charters/{charter_id}", response=CharterDetailOut)
def get_charter(request: AuthenticatedHttpRequest, charter_id: int) -> dict[str, Any]:
    charter = get_visible(_charters(request), charter_id)
    commitments = list(charter.commitments.all())
    latest: dict[int, Measurement] = {}
    for row in Measurement.objects.filter(commitment__in=commitments).order_by(
        "commitment_id", "-period_start"
    ):
        latest.setdefault(row.commitment_id, row)
    return {
        **CharterOut.from_orm(charter).dict(),
        "services": sorted(charter.services.values_list("pk", flat=True)),
        "sections": list(charter.sections.values("kind", "body")),
        "commitments": [
            {
                **c.__dict__,
                "lineage": str(c.lineage),
                "unit_symbol": c.unit_symbol,
                "latest": latest.get(c.pk),
            }
            for c in commitments
        ],
        "missing_for_publication": services.missing_for_publication(charter),
    }


@router.get(
    "/charters/{charter_id}/measurements",
    response=list[MeasurementOut],
    summary="Every measurement of the charter's commitments, manual ones awaiting approval too",
)
@paginate(Page)
def list_measurements(request: AuthenticatedHttpRequest, charter_id: int) -> Any:
    charter = get_visible(_charters(request), charter_id)
    return (
        Measurement.objects.filter(commitment__charter=charter)
        .select_related("commitment")
        .order_by("commitment__order", "commitment_id", "period_start")
    )


@router.post(
    "/charters/{charter_id}/compute",
    response=ComputeOut,
    summary="Compute the indicators for every closed period now (idempotent)",
)
def compute(request: AuthenticatedHttpRequest, charter_id: int) -> dict[str, int]:
    charter = get_visible(_charters(request).select_related("unit", "organization"), charter_id)
    if not has_perm(
        request.user,
        Perm.EDIT_CHARTERS,
        organization_id=charter.organization_id,
        unit_path=charter.unit.path if charter.unit is not None else None,
    ):
        raise PermissionDenied
    return services.compute_measurements(charter.organization, charter=charter)
