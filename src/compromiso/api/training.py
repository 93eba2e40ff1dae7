"""Training through the API, in the token's organisation: the catalogue, a programme's
trainers' cascade, and the share of contact staff trained in the protocols of their touch
points (the figure a charter indicator or the seal's verification matrix reads)."""

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from compromiso.api.inputs import InputSchema, PlausibleDate
from compromiso.api.scoping import get_visible, organization_of, resolve
from compromiso.catalog.models import TouchPoint
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import TrainingProgramme
from compromiso.servicemodel.training_coverage import (
    CascadeNode,
    Share,
    TrainingData,
    cascade,
    trained_share,
    unit_figures,
)

router = Router(tags=["training"])


class ProgrammeOut(Schema):
    id: int
    key: str = Field(..., description="Set on the standard programmes")
    name: str
    kind: str
    hours: int | None
    validity_months: int | None = Field(..., description="Null: the competence never lapses")
    is_active: bool
    protocols: list[int] = Field(..., description="Ids of the protocols it trains in")

    @staticmethod
    def resolve_protocols(obj: TrainingProgramme) -> list[int]:
        return sorted(p.pk for p in obj.covers_protocols.all())


class NodeOut(Schema):
    staff_member: int
    name: str
    unit: int
    certified_on: dt.date
    revoked_on: dt.date | None
    revocation_reason: str = Field("", description="Why it was revoked (empty while valid)")
    external_body: str
    level: int = Field(..., description="1: certified by an external body")
    levels: int = Field(..., description="Generations of the subtree, itself included")
    reach: int = Field(..., description="Trainers certified below, directly or down the line")
    children: list["NodeOut"]


class ShareOut(Schema):
    on: dt.date
    numerator: int = Field(..., description="Contact staff trained in their protocols")
    denominator: int = Field(..., description="Contact staff with at least one protocol")
    share: float | None = Field(..., description="numerator / denominator; null when empty")


class UnitRowOut(Schema):
    unit: int | None = Field(..., description="Null: the whole organisation")
    trained: int
    with_protocols: int
    share: float | None
    no_protocol: int = Field(..., description="Contact staff whom no protocol applies to")
    trainers: int
    never_trained: int
    refresh_median_days: float | None
    refresh_max_days: int | None


class CoverageQuery(InputSchema):
    on: PlausibleDate | None = Field(None, description="Default: today in the organisation")
    unit: int | None = Field(None, description="A unit: its subtree")
    touch_point: int | None = None


def _organization(request: AuthenticatedHttpRequest) -> Organization:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


@router.get("/training/programmes", response=list[ProgrammeOut], summary="The training catalogue")
def list_programmes(request: AuthenticatedHttpRequest) -> Any:
    return (
        TrainingProgramme.objects.filter(organization=_organization(request))
        .prefetch_related("covers_protocols")
        .order_by("name", "pk")
    )


def _node(node: CascadeNode) -> dict[str, Any]:
    c = node.certification
    return {
        "staff_member": c.staff_member_id,
        "name": c.staff_member.name,
        "unit": c.staff_member.unit_id,
        "certified_on": c.certified_on,
        "revoked_on": c.revoked_on,
        "revocation_reason": c.revocation_reason,
        "external_body": c.external_body,
        "level": node.level,
        "levels": node.levels,
        "reach": node.reach,
        "children": [_node(child) for child in node.children],
    }


@router.get(
    "/training/programmes/{programme_id}/cascade",
    response=list[NodeOut],
    summary="The programme's trainers' cascade, as trees",
)
def get_cascade(request: AuthenticatedHttpRequest, programme_id: int) -> Any:
    programmes = TrainingProgramme.objects.filter(organization=_organization(request))
    return [_node(root) for root in cascade(get_visible(programmes, programme_id))]


@router.get(
    "/training/coverage",
    response=ShareOut,
    summary="Share of contact staff trained in the protocols of their touch points",
)
def get_coverage(request: AuthenticatedHttpRequest, query: Query[CoverageQuery]) -> Any:
    organization = _organization(request)
    units = Unit.objects.visible_to(request.user).filter(organization=organization)
    unit = resolve(units, query.unit, "unit", _("Unknown unit."))
    if unit is None and not scope_for(request.user, Perm.VIEW).covers_organization(organization.pk):
        raise Http404
    touch_points = scope_for(request.user, Perm.VIEW).filter(
        TouchPoint.objects.filter(organization=organization), path_field="unit__path"
    )
    point = resolve(touch_points, query.touch_point, "touch_point", _("Unknown touch point."))
    on = query.on or organization.today()
    share: Share = trained_share(
        TrainingData.load(organization), on, unit=unit, touch_point=point.pk if point else None
    )
    return {
        "on": on,
        "numerator": share.numerator,
        "denominator": share.denominator,
        "share": share.value,
    }


@router.get(
    "/training/coverage/units",
    response=list[UnitRowOut],
    summary="Training figures per unit in the caller's scope (subtrees)",
)
def get_unit_coverage(request: AuthenticatedHttpRequest, on: PlausibleDate | None = None) -> Any:
    organization = _organization(request)
    scope = scope_for(request.user, Perm.VIEW)
    units = list(
        Unit.objects.visible_to(request.user)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )
    day = on or organization.today()
    rows = unit_figures(
        TrainingData.load(organization),
        day,
        units,
        whole=scope.covers_organization(organization.pk),
    )
    return [
        {
            "unit": row.unit.pk if row.unit else None,
            "trained": row.trained.numerator,
            "with_protocols": row.trained.denominator,
            "share": row.trained.value,
            "no_protocol": row.no_protocol,
            "trainers": row.trainers,
            "never_trained": row.never_trained,
            "refresh_median_days": row.refresh_median,
            "refresh_max_days": row.refresh_max,
        }
        for row in rows
    ]
