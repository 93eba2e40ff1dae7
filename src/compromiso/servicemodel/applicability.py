"""Which protocols apply at which touch point: those in force for the touch point's channel
kind, plus the ones the touch point adds, minus the ones it excludes. One pass over the
organisation's touch points and overrides, so coverage figures over thousands of people ask the
database three times, not once per person."""

from collections import defaultdict

from compromiso.catalog.models import TouchPoint
from compromiso.organizations.models import Organization
from compromiso.servicemodel.models import Protocol, ProtocolOverride, ProtocolStatus


def protocols_by_touch_point(organization: Organization) -> dict[int, frozenset[int]]:
    """For every touch point of the organisation, the ids of the protocols in force there."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for pk, kind in Protocol.objects.filter(
        organization=organization, status=ProtocolStatus.ACTIVE
    ).values_list("pk", "channel_kind"):
        if kind:
            by_kind[kind].add(pk)
    overrides: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for touch_point_id, protocol_id, applies in ProtocolOverride.objects.filter(
        protocol__organization=organization, protocol__status=ProtocolStatus.ACTIVE
    ).values_list("touch_point_id", "protocol_id", "applies"):
        overrides[touch_point_id].append((protocol_id, applies))
    result: dict[int, frozenset[int]] = {}
    for touch_point_id, kind in TouchPoint.objects.filter(organization=organization).values_list(
        "pk", "channel__kind"
    ):
        ids = set(by_kind.get(kind, ()))
        for protocol_id, applies in overrides.get(touch_point_id, ()):
            if applies:
                ids.add(protocol_id)
            else:
                ids.discard(protocol_id)
        result[touch_point_id] = frozenset(ids)
    return result


def protocols_at(touch_point: TouchPoint) -> list[Protocol]:
    """The protocols in force at one touch point, by name."""
    ids = protocols_by_touch_point(touch_point.organization).get(touch_point.pk, frozenset())
    return list(Protocol.objects.filter(pk__in=ids).order_by("name"))
