"""The service catalogue: /channels, /touch-points, /services and their /attributes."""

from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, Query, Router, Schema, Status
from ninja.pagination import paginate

from compromiso.api.inputs import InputFilter, InputSchema, Page
from compromiso.api.scoping import (
    changed_fields,
    get_visible,
    organization_of,
    resolve,
    resolve_many,
)
from compromiso.catalog import services
from compromiso.catalog.models import (
    Attribute,
    Audience,
    Channel,
    ChannelKind,
    Service,
    ServqualDimension,
    TouchPoint,
)
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.organizations.models import Unit

router = Router(tags=["catalogue"])

Name = Annotated[str, Field(min_length=1, max_length=200)]


class ChannelOut(Schema):
    id: int
    kind: ChannelKind
    name: str
    is_active: bool


class ChannelIn(InputSchema):
    kind: ChannelKind
    name: Annotated[str, Field(min_length=1, max_length=120)]


class ChannelPatch(InputSchema):
    kind: ChannelKind | None = None
    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    is_active: bool | None = None


class TouchPointOut(Schema):
    id: int
    name: str
    unit: int = Field(..., alias="unit_id")
    channel: int = Field(..., alias="channel_id")
    address: str
    opening_hours: str
    is_active: bool


class TouchPointIn(InputSchema):
    name: Name
    unit: int
    channel: int
    address: Annotated[str, Field(max_length=300)] = ""
    opening_hours: Annotated[str, Field(max_length=300)] = ""


class TouchPointPatch(InputSchema):
    name: Name | None = None
    unit: int | None = None
    channel: int | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    opening_hours: Annotated[str, Field(max_length=300)] | None = None
    is_active: bool | None = None


class AttributeOut(Schema):
    id: int
    service: int = Field(..., alias="service_id")
    name: str
    description: str
    dimension: ServqualDimension | None = None
    position: int
    is_active: bool

    @staticmethod
    def resolve_dimension(obj: Attribute) -> str | None:
        return obj.dimension or None


class AttributeIn(InputSchema):
    name: Name
    description: Annotated[str, Field(max_length=500)] = ""
    dimension: ServqualDimension | None = None
    position: Annotated[int, Field(ge=0, le=32767)] | None = None


class AttributePatch(InputSchema):
    name: Name | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    dimension: ServqualDimension | None = None
    position: Annotated[int, Field(ge=0, le=32767)] | None = None
    is_active: bool | None = None


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    description: str
    provider_unit: int = Field(..., alias="provider_unit_id")
    audience: Audience
    channels: list[int]
    is_active: bool

    @staticmethod
    def resolve_channels(obj: Service) -> list[int]:
        return sorted(channel.pk for channel in obj.channels.all())


class ServiceDetailOut(ServiceOut):
    attributes: list[AttributeOut]

    @staticmethod
    def resolve_attributes(obj: Service) -> list[Attribute]:
        return list(obj.attributes.all())


class ServiceIn(InputSchema):
    code: Annotated[str, Field(min_length=1, max_length=30)]
    name: Name
    description: Annotated[str, Field(max_length=5000)] = ""
    provider_unit: int
    audience: Audience = Audience.EXTERNAL
    channels: Annotated[list[int], Field(max_length=50)] = []
    attributes: Annotated[list[AttributeIn], Field(max_length=30)] = []


class ServicePatch(InputSchema):
    code: Annotated[str, Field(min_length=1, max_length=30)] | None = None
    name: Name | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    provider_unit: int | None = None
    audience: Audience | None = None
    channels: Annotated[list[int], Field(max_length=50)] | None = None
    is_active: bool | None = None


class ServiceFilter(InputFilter):
    provider_unit: Annotated[int | None, FilterLookup("provider_unit_id")] = None
    audience: Audience | None = None
    is_active: bool | None = None
    q: Annotated[
        str | None,
        Field(max_length=100),
        FilterLookup(["code__icontains", "name__icontains"]),
    ] = None


def _channels(request: AuthenticatedHttpRequest) -> QuerySet[Channel]:
    return Channel.objects.visible_to(request.user).filter(organization=organization_of(request))


def _units(request: AuthenticatedHttpRequest) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.user).filter(organization=organization_of(request))


def _touch_points(request: AuthenticatedHttpRequest) -> QuerySet[TouchPoint]:
    return TouchPoint.objects.visible_to(request.user).filter(organization=organization_of(request))


def _services(request: AuthenticatedHttpRequest) -> QuerySet[Service]:
    return (
        Service.objects.visible_to(request.user)
        .filter(organization=organization_of(request))
        .prefetch_related("channels")
    )


def _attributes(request: AuthenticatedHttpRequest) -> QuerySet[Attribute]:
    return Attribute.objects.visible_to(request.user).filter(
        service__organization=organization_of(request)
    )


def _unit(request: AuthenticatedHttpRequest, pk: int | None) -> Unit | None:
    return resolve(_units(request), pk, "unit", _("Unknown unit."))


def _channel(
    request: AuthenticatedHttpRequest, pk: int | None, field: str = "channel"
) -> Channel | None:
    return resolve(_channels(request), pk, field, _("Unknown channel."))


# Channels


@router.get("/channels", response=list[ChannelOut])
@paginate(Page)
def list_channels(request: AuthenticatedHttpRequest) -> QuerySet[Channel]:
    return _channels(request)


@router.get("/channels/{channel_id}", response=ChannelOut)
def get_channel(request: AuthenticatedHttpRequest, channel_id: int) -> Channel:
    return get_visible(_channels(request), channel_id)


@router.post("/channels", response={201: ChannelOut})
def create_channel(request: AuthenticatedHttpRequest, payload: ChannelIn) -> Status[Channel]:
    channel = services.create_channel(
        organization=organization_of(request),
        kind=payload.kind,
        name=payload.name,
        by=request.user,
    )
    return Status(201, channel)


@router.patch("/channels/{channel_id}", response=ChannelOut)
def patch_channel(
    request: AuthenticatedHttpRequest, channel_id: int, payload: ChannelPatch
) -> Channel:
    channel = get_visible(_channels(request), channel_id)
    return services.update_channel(channel, by=request.user, **changed_fields(payload))


# Touch points


@router.get("/touch-points", response=list[TouchPointOut])
@paginate(Page)
def list_touch_points(request: AuthenticatedHttpRequest) -> QuerySet[TouchPoint]:
    return _touch_points(request)


@router.get("/touch-points/{touch_point_id}", response=TouchPointOut)
def get_touch_point(request: AuthenticatedHttpRequest, touch_point_id: int) -> TouchPoint:
    return get_visible(_touch_points(request), touch_point_id)


@router.post("/touch-points", response={201: TouchPointOut})
def create_touch_point(
    request: AuthenticatedHttpRequest, payload: TouchPointIn
) -> Status[TouchPoint]:
    unit = _unit(request, payload.unit)
    channel = _channel(request, payload.channel)
    assert unit is not None
    assert channel is not None
    touch_point = services.create_touch_point(
        organization=organization_of(request),
        unit=unit,
        channel=channel,
        name=payload.name,
        address=payload.address,
        opening_hours=payload.opening_hours,
        by=request.user,
    )
    return Status(201, touch_point)


@router.patch("/touch-points/{touch_point_id}", response=TouchPointOut)
def patch_touch_point(
    request: AuthenticatedHttpRequest, touch_point_id: int, payload: TouchPointPatch
) -> TouchPoint:
    touch_point = get_visible(_touch_points(request), touch_point_id)
    fields = changed_fields(payload)
    if "unit" in fields:
        fields["unit"] = _unit(request, fields["unit"])
    if "channel" in fields:
        fields["channel"] = _channel(request, fields["channel"])
    return services.update_touch_point(touch_point, by=request.user, **fields)


# Services and attributes


@router.get("/services", response=list[ServiceOut])
@paginate(Page)
def list_services(
    request: AuthenticatedHttpRequest, filters: Query[ServiceFilter]
) -> QuerySet[Service]:
    return filters.filter(_services(request))


@router.get("/services/{service_id}", response=ServiceDetailOut)
def get_service(request: AuthenticatedHttpRequest, service_id: int) -> Service:
    return get_visible(_services(request), service_id)


@router.post("/services", response={201: ServiceDetailOut})
def create_service(request: AuthenticatedHttpRequest, payload: ServiceIn) -> Status[Service]:
    provider = resolve(_units(request), payload.provider_unit, "provider_unit", _("Unknown unit."))
    assert provider is not None
    service = services.create_service(
        organization=organization_of(request),
        code=payload.code,
        name=payload.name,
        description=payload.description,
        provider_unit=provider,
        audience=payload.audience,
        channels=resolve_many(_channels(request), payload.channels, "channels"),
        attributes=[a.dict(exclude_none=True) for a in payload.attributes],
        by=request.user,
    )
    return Status(201, service)


@router.patch("/services/{service_id}", response=ServiceDetailOut)
def patch_service(
    request: AuthenticatedHttpRequest, service_id: int, payload: ServicePatch
) -> Service:
    service = get_visible(_services(request), service_id)
    fields = changed_fields(payload)
    if "provider_unit" in fields:
        fields["provider_unit"] = resolve(
            _units(request), fields["provider_unit"], "provider_unit", _("Unknown unit.")
        )
    if "channels" in fields:
        fields["channels"] = resolve_many(_channels(request), fields["channels"] or [], "channels")
    return services.update_service(service, by=request.user, **fields)


@router.get("/services/{service_id}/attributes", response=list[AttributeOut])
def list_attributes(request: AuthenticatedHttpRequest, service_id: int) -> QuerySet[Attribute]:
    service = get_visible(_services(request), service_id)
    return service.attributes.all()


@router.post("/services/{service_id}/attributes", response={201: AttributeOut})
def create_attribute(
    request: AuthenticatedHttpRequest, service_id: int, payload: AttributeIn
) -> Status[Attribute]:
    service = get_visible(_services(request), service_id)
    attribute = services.add_attribute(
        service,
        by=request.user,
        **payload.dict(exclude_none=True),
    )
    return Status(201, attribute)


@router.patch("/attributes/{attribute_id}", response=AttributeOut)
def patch_attribute(
    request: AuthenticatedHttpRequest, attribute_id: int, payload: AttributePatch
) -> Attribute:
    attribute = get_visible(_attributes(request), attribute_id)
    fields = changed_fields(payload)
    if "dimension" in fields and fields["dimension"] is None:
        fields["dimension"] = ""
    return services.update_attribute(attribute, by=request.user, **fields)


@router.delete("/attributes/{attribute_id}", response={204: None})
def delete_attribute(request: AuthenticatedHttpRequest, attribute_id: int) -> HttpResponse:
    attribute = get_visible(_attributes(request), attribute_id)
    services.remove_attribute(attribute, by=request.user)
    return HttpResponse(status=204)
