"""The organisation, its units and the caller: /api/v1/me, /organization, /units."""

from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, Query, Router, Schema, Status
from ninja.pagination import paginate

from compromiso.api.inputs import InputFilter, InputSchema, LocalTime, Page
from compromiso.api.scoping import changed_fields, get_visible, organization_of, resolve
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Role
from compromiso.organizations import services
from compromiso.organizations.models import (
    JurisdictionProfile,
    Membership,
    Organization,
    Unit,
    UnitKind,
)

router = Router(tags=["organisation"])

Name = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(max_length=30)]


class RoleOut(Schema):
    role: Role
    unit: int | None = Field(None, alias="unit_id")


class MeOut(Schema):
    username: str
    name: str
    email: str
    organization: str
    roles: list[RoleOut]


class OrganizationOut(Schema):
    name: str
    slug: str
    country: str
    subdivision: str
    time_zone: str
    language: str
    jurisdiction: JurisdictionProfile
    office_opens_at: LocalTime
    office_closes_at: LocalTime
    weekmask: str


class OrganizationPatch(InputSchema):
    name: Name | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    subdivision: Annotated[str, Field(max_length=10)] | None = None
    time_zone: Annotated[str, Field(max_length=64)] | None = None
    language: Annotated[str, Field(pattern="^(es|ca|en)$")] | None = None
    jurisdiction: JurisdictionProfile | None = None
    office_opens_at: LocalTime | None = None
    office_closes_at: LocalTime | None = None
    weekmask: Annotated[str, Field(pattern="^[01]{7}$")] | None = None


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: UnitKind
    parent: int | None = Field(None, alias="parent_id")
    is_active: bool


class UnitIn(InputSchema):
    name: Name
    kind: UnitKind = UnitKind.AREA
    code: Code = ""
    parent: int | None = None


class UnitPatch(InputSchema):
    name: Name | None = None
    kind: UnitKind | None = None
    code: Code | None = None
    parent: int | None = None
    is_active: bool | None = None


class UnitFilter(InputFilter):
    kind: UnitKind | None = None
    is_active: bool | None = None
    parent: Annotated[int | None, FilterLookup("parent_id")] = None


def _units(request: AuthenticatedHttpRequest) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.user).filter(organization=organization_of(request))


def _parent(request: AuthenticatedHttpRequest, pk: int | None) -> Unit | None:
    return resolve(_units(request), pk, "parent", _("Unknown unit."))


@router.get("/me", response=MeOut, summary="The token's user and roles")
def me(request: AuthenticatedHttpRequest) -> dict[str, object]:
    organization = organization_of(request)
    user = request.user
    roles = Membership.objects.filter(user=user, organization=organization).order_by("role")
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "organization": organization.slug,
        "roles": list(roles),
    }


@router.get("/organization", response=OrganizationOut, summary="The token's organisation")
def get_organization(request: AuthenticatedHttpRequest) -> Organization:
    return organization_of(request)


@router.patch(
    "/organization", response=OrganizationOut, summary="Change the organisation's settings"
)
def patch_organization(
    request: AuthenticatedHttpRequest, payload: OrganizationPatch
) -> Organization:
    return services.update_organization(
        organization_of(request),
        by=request.user,
        **changed_fields(payload),
    )


@router.get("/units", response=list[UnitOut], summary="Units in the caller's scope")
@paginate(Page)
def list_units(request: AuthenticatedHttpRequest, filters: Query[UnitFilter]) -> QuerySet[Unit]:
    return filters.filter(_units(request).order_by("path"))


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request: AuthenticatedHttpRequest, unit_id: int) -> Unit:
    return get_visible(_units(request), unit_id)


@router.post("/units", response={201: UnitOut}, summary="Add a unit")
def create_unit(request: AuthenticatedHttpRequest, payload: UnitIn) -> Status[Unit]:
    unit = services.create_unit(
        organization=organization_of(request),
        name=payload.name,
        kind=payload.kind,
        code=payload.code,
        parent=_parent(request, payload.parent),
        by=request.user,
    )
    return Status(201, unit)


@router.patch("/units/{unit_id}", response=UnitOut, summary="Rename, move or (de)activate a unit")
def patch_unit(request: AuthenticatedHttpRequest, unit_id: int, payload: UnitPatch) -> Unit:
    unit = get_visible(_units(request), unit_id)
    fields = changed_fields(payload)
    if "parent" in fields:
        fields["parent"] = _parent(request, fields["parent"])
    return services.update_unit(unit, by=request.user, **fields)


@router.delete("/units/{unit_id}", response={204: None}, summary="Delete an unused unit")
def delete_unit(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    unit = get_visible(_units(request), unit_id)
    services.delete_unit(unit, by=request.user)
    return HttpResponse(status=204)
