"""The protocols in force at a touch point as checklist items: one item per step, with the
behaviour to observe, the standard it must meet and how it is done on the touch point's channel.

The observation page (`views/protocols.py`) and the audits and mystery shopping module (which
imports `checklist_for_touch_point`) both build their checklists here, so a step reads the same
wherever it is observed."""

from dataclasses import dataclass

from compromiso.catalog.models import TouchPoint
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.models import Protocol, ProtocolStep


@dataclass(frozen=True)
class ChecklistItem:
    protocol: Protocol
    step: ProtocolStep
    number: int  # the step's position in its protocol, from 1
    behaviour: str
    standard: str
    variant: str  # how it is done on the touch point's channel kind; "" when the same everywhere


def checklist_items(protocol: Protocol, channel_kind: str) -> list[ChecklistItem]:
    """One protocol's steps as checklist items for a channel kind."""
    items = []
    steps = protocol.steps.prefetch_related("variants").order_by("order", "pk")
    for number, step in enumerate(steps, start=1):
        variant = next((v.text for v in step.variants.all() if v.channel_kind == channel_kind), "")
        items.append(
            ChecklistItem(
                protocol=protocol,
                step=step,
                number=number,
                behaviour=step.behaviour,
                standard=step.standard,
                variant=variant,
            )
        )
    return items


def checklist_for_touch_point(
    touch_point: TouchPoint, protocol: Protocol | None = None
) -> list[ChecklistItem]:
    """Every step of the protocols in force at the touch point (or of one of them, if it applies
    there), in protocol name and step order. Empty when none applies."""
    ids = protocols_by_touch_point(touch_point.organization).get(touch_point.pk, frozenset())
    if protocol is not None:
        ids = ids & {protocol.pk}
    kind = touch_point.channel.kind
    items: list[ChecklistItem] = []
    for each in Protocol.objects.filter(pk__in=ids).order_by("name", "pk"):
        items.extend(checklist_items(each, kind))
    return items
