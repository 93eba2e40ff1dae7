"""Every change to channels, touch points, services and their attributes."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from compromiso.catalog.models import Attribute, Channel, Service, TouchPoint
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, Unit


def _same_organization(organization_id: int, **objects: Any) -> None:
    """Refuse references to rows of another organisation (an id from elsewhere)."""
    errors = {
        field: _("This belongs to another organisation.")
        for field, obj in objects.items()
        if obj is not None and obj.organization_id != organization_id
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_channel(*, organization: Organization, kind: str, name: str, by: Actor) -> Channel:
    """Add a channel through which users reach the organisation."""
    require(by, Perm.MANAGE_CATALOG, organization_id=organization.pk)
    channel = Channel(organization=organization, kind=kind, name=name)
    channel.full_clean()
    channel.save()
    log_action(channel, "catalog.channel.created", by=by, data={"kind": kind, "name": name})
    return channel


@transaction.atomic
def update_channel(channel: Channel, *, by: Actor, **fields: Any) -> Channel:
    """Rename or (de)activate a channel."""
    require(by, Perm.MANAGE_CATALOG, organization_id=channel.organization_id)
    names = [k for k in fields if k in ("kind", "name", "is_active")]
    before = snapshot(channel, names)
    for name in names:
        setattr(channel, name, fields[name])
    channel.full_clean()
    channel.save()
    diff = changes(before, snapshot(channel, names))
    if diff:
        log_action(channel, "catalog.channel.updated", by=by, data=diff)
    return channel


TOUCH_POINT_FIELDS = ("unit", "channel", "name", "address", "opening_hours", "is_active")


@transaction.atomic
def create_touch_point(
    *,
    organization: Organization,
    unit: Unit,
    channel: Channel,
    name: str,
    by: Actor,
    address: str = "",
    opening_hours: str = "",
) -> TouchPoint:
    """Add a place where users meet a unit through a channel."""
    _same_organization(organization.pk, unit=unit, channel=channel)
    require(by, Perm.MANAGE_CATALOG, organization_id=organization.pk, unit_path=unit.path)
    touch_point = TouchPoint(
        organization=organization,
        unit=unit,
        channel=channel,
        name=name,
        address=address,
        opening_hours=opening_hours,
    )
    touch_point.full_clean()
    touch_point.save()
    log_action(
        touch_point,
        "catalog.touch_point.created",
        by=by,
        data={"unit": unit.pk, "channel": channel.pk, "name": name},
    )
    return touch_point


@transaction.atomic
def update_touch_point(touch_point: TouchPoint, *, by: Actor, **fields: Any) -> TouchPoint:
    """Change a touch point's place, channel, address or hours."""
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=touch_point.organization_id,
        unit_path=touch_point.unit.path,
    )
    names = [k for k in fields if k in TOUCH_POINT_FIELDS]
    _same_organization(
        touch_point.organization_id, unit=fields.get("unit"), channel=fields.get("channel")
    )
    before = snapshot(touch_point, names)
    for name in names:
        setattr(touch_point, name, fields[name])
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=touch_point.organization_id,
        unit_path=touch_point.unit.path,
    )
    touch_point.full_clean()
    touch_point.save()
    diff = changes(before, snapshot(touch_point, names))
    if diff:
        log_action(touch_point, "catalog.touch_point.updated", by=by, data=diff)
    return touch_point


@transaction.atomic
def create_service(
    *,
    organization: Organization,
    code: str,
    name: str,
    provider_unit: Unit,
    by: Actor,
    description: str = "",
    audience: str = "external",
    channels: Iterable[Channel] = (),
    attributes: Sequence[Mapping[str, Any]] = (),
) -> Service:
    """Add a service with the channels it is offered through and its quality attributes."""
    channels = list(channels)
    _same_organization(organization.pk, provider_unit=provider_unit)
    if any(channel.organization_id != organization.pk for channel in channels):
        raise ValidationError({"channels": _("This belongs to another organisation.")})
    require(by, Perm.MANAGE_CATALOG, organization_id=organization.pk, unit_path=provider_unit.path)
    service = Service(
        organization=organization,
        code=code,
        name=name,
        description=description,
        provider_unit=provider_unit,
        audience=audience,
    )
    service.full_clean()
    service.save()
    service.channels.set(channels)
    log_action(
        service,
        "catalog.service.created",
        by=by,
        data={
            "code": code,
            "name": name,
            "provider_unit": provider_unit.pk,
            "audience": audience,
            "channels": sorted(c.pk for c in channels),
        },
    )
    for values in attributes:
        add_attribute(service, by=by, **values)
    return service


SERVICE_FIELDS = (
    "code",
    "name",
    "description",
    "provider_unit",
    "audience",
    "channels",
    "is_active",
)


@transaction.atomic
def update_service(service: Service, *, by: Actor, **fields: Any) -> Service:
    """Change a service; moving it to another provider unit needs permission on both units."""
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=service.organization_id,
        unit_path=service.provider_unit.path,
    )
    names = [k for k in fields if k in SERVICE_FIELDS]
    before = snapshot(service, names)
    channels = list(fields["channels"]) if "channels" in fields else None
    _same_organization(service.organization_id, provider_unit=fields.get("provider_unit"))
    if channels is not None and any(c.organization_id != service.organization_id for c in channels):
        raise ValidationError({"channels": _("This belongs to another organisation.")})
    for name in names:
        if name != "channels":
            setattr(service, name, fields[name])
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=service.organization_id,
        unit_path=service.provider_unit.path,
    )
    service.full_clean()
    service.save()
    if channels is not None:
        service.channels.set(channels)
    diff = changes(before, snapshot(service, names))
    if diff:
        log_action(service, "catalog.service.updated", by=by, data=diff)
    return service


ATTRIBUTE_FIELDS = ("name", "description", "dimension", "position", "is_active")


@transaction.atomic
def add_attribute(
    service: Service,
    *,
    name: str,
    by: Actor,
    description: str = "",
    dimension: str = "",
    position: int | None = None,
) -> Attribute:
    """Add a quality aspect users will rate for this service."""
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=service.organization_id,
        unit_path=service.provider_unit.path,
    )
    if position is None:
        position = (service.attributes.aggregate(m=Max("position"))["m"] or 0) + 1
    attribute = Attribute(
        service=service, name=name, description=description, dimension=dimension, position=position
    )
    attribute.full_clean()
    attribute.save()
    log_action(
        attribute,
        "catalog.attribute.created",
        by=by,
        data={"service": service.pk, "name": name, "dimension": dimension},
    )
    return attribute


@transaction.atomic
def update_attribute(attribute: Attribute, *, by: Actor, **fields: Any) -> Attribute:
    """Rename, describe, re-classify, reorder or (de)activate an attribute."""
    service = attribute.service
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=service.organization_id,
        unit_path=service.provider_unit.path,
    )
    names = [k for k in fields if k in ATTRIBUTE_FIELDS]
    before = snapshot(attribute, names)
    for name in names:
        setattr(attribute, name, fields[name])
    attribute.full_clean()
    attribute.save()
    diff = changes(before, snapshot(attribute, names))
    if diff:
        log_action(attribute, "catalog.attribute.updated", by=by, data=diff)
    return attribute


@transaction.atomic
def remove_attribute(attribute: Attribute, *, by: Actor) -> None:
    """Delete an attribute nobody has rated yet; a rated one can only be deactivated."""
    service = attribute.service
    require(
        by,
        Perm.MANAGE_CATALOG,
        organization_id=service.organization_id,
        unit_path=service.provider_unit.path,
    )
    try:
        with transaction.atomic():
            log_action(
                attribute,
                "catalog.attribute.removed",
                by=by,
                data={"service": service.pk, "name": attribute.name},
            )
            attribute.delete()
    except ProtectedError as error:
        raise DomainError(
            _("“%(name)s” already has data recorded against it; deactivate it instead.")
            % {"name": attribute.name},
            code="attribute_in_use",
        ) from error
