"""The attention protocols in force in the token's organisation (steps, standards, channel
variants and the touch points where each applies), and their compliance per touch point over a
period."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from compromiso.api.inputs import PlausibleDate
from compromiso.api.scoping import organization_of
from compromiso.catalog.models import TouchPoint
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.compliance import Share, compliance_table
from compromiso.servicemodel.models import Protocol, ProtocolStatus

router = Router(tags=["service model"])


class VariantOut(Schema):
    channel_kind: str
    text: str


class StepOut(Schema):
    order: int
    behaviour: str
    standard: str
    variants: list[VariantOut]

    @staticmethod
    def resolve_variants(obj: Any) -> list[Any]:
        return list(obj.variants.all())


class ProtocolOut(Schema):
    id: int
    name: str
    purpose: str
    channel_kind: str = Field(..., description="Empty: only where a touch point adds it")
    is_public: bool
    steps: list[StepOut]
    touch_points: list[int] = Field(..., description="Ids of the touch points where it applies")

    @staticmethod
    def resolve_steps(obj: Protocol) -> list[Any]:
        return list(obj.steps.all())


class ComplianceRowOut(Schema):
    touch_point: int
    touch_point_name: str
    unit: int
    observations: int
    met: int = Field(..., description="Applicable items met")
    applicable: int = Field(..., description="Items met or not met (not applicable left out)")
    share: float | None = Field(..., description="met / applicable, in %; null without items")


class ComplianceOut(Schema):
    start: dt.date
    end: dt.date
    observations: int
    met: int
    applicable: int
    share: float | None
    rows: list[ComplianceRowOut]


def _member(request: AuthenticatedHttpRequest) -> Any:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


@router.get(
    "/protocols",
    response=list[ProtocolOut],
    summary="The attention protocols in force, with their steps and channel variants",
)
def list_protocols(request: AuthenticatedHttpRequest) -> list[Protocol]:
    organization = _member(request)
    where: dict[int, list[int]] = {}
    visible = set(
        TouchPoint.objects.visible_to(request.user)
        .filter(organization=organization)
        .values_list("pk", flat=True)
    )
    for touch_point, ids in sorted(protocols_by_touch_point(organization).items()):
        for pk in ids:
            if touch_point in visible:
                where.setdefault(pk, []).append(touch_point)
    protocols = list(
        Protocol.objects.visible_to(request.user)
        .filter(organization=organization, status=ProtocolStatus.ACTIVE)
        .prefetch_related("steps__variants")
    )
    for protocol in protocols:
        protocol.touch_points = where.get(protocol.pk, [])  # type: ignore[attr-defined]
    return protocols


def _share(share: Share) -> dict[str, Any]:
    return {
        "observations": share.observations,
        "met": share.numerator,
        "applicable": share.denominator,
        "share": float(share.value) if share.value is not None else None,
    }


@router.get(
    "/protocols/compliance",
    response=ComplianceOut,
    summary="Protocol compliance per touch point over a period (default: the last 90 days)",
)
def get_compliance(
    request: AuthenticatedHttpRequest,
    start: Annotated[PlausibleDate | None, Query(alias="from")] = None,
    end: Annotated[PlausibleDate | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    organization = _member(request)
    end = end or organization.today()
    start = start or end - dt.timedelta(days=89)
    if start > end or (end - start).days > 3660:
        raise ValidationError(
            {"from": _("The period must start before it ends and last at most ten years.")}
        )
    table = compliance_table(
        organization,
        start,
        end,
        touch_points=TouchPoint.objects.visible_to(request.user).filter(organization=organization),
        units=[],
    )
    return {
        "start": start,
        "end": end,
        **_share(table.total),
        "rows": [
            {
                "touch_point": row.subject.pk,
                "touch_point_name": row.subject.name,
                "unit": row.subject.unit_id,
                **_share(row.share),
            }
            for row in table.touch_points
        ],
    }
