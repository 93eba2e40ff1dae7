"""The service model in force of the token's organisation (its axes and promises), and the
coverage of its acknowledgement by the staff, per unit."""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema

from compromiso.api.scoping import organization_of
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.coverage import coverage
from compromiso.servicemodel.models import ServiceModel

router = Router(tags=["service model"])


class AxisOut(Schema):
    order: int
    name: str
    description: str


class PromiseOut(Schema):
    order: int
    text: str


class ServiceModelOut(Schema):
    id: int
    version: int
    project_name: str
    slogans: list[str] = Field(..., alias="slogan_list")
    value_proposition: str
    quality_policy: str
    tangible_arguments: str
    intangible_arguments: str
    approval_reference: str
    valid_from: dt.date | None = Field(..., description="In force since (organisation's date)")
    axes: list[AxisOut]
    promises: list[PromiseOut]

    @staticmethod
    def resolve_axes(obj: ServiceModel) -> list[Any]:
        return list(obj.axes.all())

    @staticmethod
    def resolve_promises(obj: ServiceModel) -> list[Any]:
        return list(obj.promises.all())


class CoverageRowOut(Schema):
    unit: int | None = Field(..., description="Null: the whole organisation")
    unit_name: str | None
    staff: int = Field(..., description="Distinct active users with a role in the unit's subtree")
    acknowledged: int = Field(..., description="Of them, those who read the model in force")
    share: float | None = Field(..., description="acknowledged / staff; null with no staff")


class CoverageOut(Schema):
    service_model: int | None = Field(..., description="The version in force; null with none")
    rows: list[CoverageRowOut]


def _in_force(request: AuthenticatedHttpRequest) -> ServiceModel:
    organization = organization_of(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    model = services.in_force(organization)
    if model is None:
        raise Http404
    return model


@router.get(
    "/service-model", response=ServiceModelOut, summary="The service model in force (404: none)"
)
def get_service_model(request: AuthenticatedHttpRequest) -> ServiceModel:
    return _in_force(request)


@router.get(
    "/service-model/coverage",
    response=CoverageOut,
    summary="Staff who have read the model in force, per unit in the caller's drafting scope",
)
def get_coverage(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    organization = organization_of(request)
    scope = scope_for(request.user, Perm.EDIT_CHARTERS)
    if not scope.touches(organization.pk):
        raise Http404
    model = services.in_force(organization)
    units = (
        Unit.objects.visible_to(request.user, Perm.EDIT_CHARTERS)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )
    rows = coverage(organization, model, units, whole=scope.covers_organization(organization.pk))
    return {
        "service_model": model.pk if model else None,
        "rows": [
            {
                "unit": row.unit.pk if row.unit else None,
                "unit_name": row.unit.name if row.unit else None,
                "staff": row.staff,
                "acknowledged": row.acknowledged,
                "share": row.share,
            }
            for row in rows
        ],
    }
