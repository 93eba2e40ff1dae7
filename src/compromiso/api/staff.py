"""The staff list of the token's organisation: who serves users, in which unit, in which role
and at which touch points. A unit head's token sees their unit's subtree."""

from typing import Annotated

from django.db.models import Q, QuerySet
from ninja import Field, FilterLookup, Query, Router, Schema
from ninja.pagination import paginate

from compromiso.api.inputs import InputFilter, Page
from compromiso.api.scoping import organization_of
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import MAX_ID
from compromiso.organizations.models import Unit
from compromiso.servicemodel.models import StaffMember, StaffRole

router = Router(tags=["staff"])


class StaffMemberOut(Schema):
    id: int
    code: str = Field(..., description="The employee number")
    name: str
    email: str
    unit: int = Field(..., alias="unit_id")
    role: StaffRole
    is_manager: bool = Field(..., description="A middle manager")
    touch_points: list[int]
    user: int | None = Field(..., alias="user_id", description="The linked user account, if any")
    is_active: bool

    @staticmethod
    def resolve_touch_points(obj: StaffMember) -> list[int]:
        return [tp.pk for tp in obj.touch_points.all()]


class StaffFilter(InputFilter):
    unit: Annotated[
        int | None,
        Field(ge=1, le=MAX_ID, description="People of this unit and the units inside it"),
    ] = None
    role: StaffRole | None = None
    touch_point: Annotated[int | None, Field(ge=1, le=MAX_ID), FilterLookup("touch_points__id")] = (
        None
    )
    is_manager: bool | None = None
    is_active: bool | None = None
    q: Annotated[
        str | None,
        Field(max_length=100),
        FilterLookup(["code__icontains", "name__icontains"]),
    ] = None

    def filter_unit(self, value: int | None) -> Q:
        if value is None:
            return Q()
        unit = Unit.objects.filter(pk=value).only("path").first()
        if unit is None:
            return Q(pk__in=[])
        return Q(unit__organization_id=unit.organization_id, unit__path__startswith=unit.path)


@router.get(
    "/staff",
    response=list[StaffMemberOut],
    summary="The staff list, in the caller's scope (a unit head: their unit's people)",
)
@paginate(Page)
def list_staff(
    request: AuthenticatedHttpRequest, filters: Query[StaffFilter]
) -> QuerySet[StaffMember]:
    people = (
        StaffMember.objects.visible_to(request.user)
        .filter(organization=organization_of(request))
        .prefetch_related("touch_points")
    )
    result: QuerySet[StaffMember] = filters.filter(people).distinct()
    return result
