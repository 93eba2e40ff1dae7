"""The checklist an audit's scope calls for, built from what the organisation promised. It only
reads; `services.checklists.generate_checklist` writes the items.

- (a) every commitment of the charters in scope — of the version in force of each (the published
  one of its lineage; the version linked when none is published) — at every touch point in scope
  where it applies: a commitment tied to a touch point applies only there, one tied to a channel
  only at that channel's touch points; otherwise it applies where its service is offered (any
  touch point when the service names no channels) inside the charter's unit (anywhere for a
  charter of the whole organisation);
- (b) the steps of the attention protocols in force at each touch point in scope
  (`servicemodel.checklists.checklist_for_touch_point`);
- (c) the legal requirements of the organisation's jurisdiction profile (`audits.legal`);
- (d) the assessable criteria of the audit's criteria framework.

Each item has a key made of what it checks, so that generating again adds only what is new:
`c:<commitment lineage>:<touch point>`, `p:<protocol step>:<touch point>`,
`l:<profile>:<requirement>`, `f:<framework node>`. Texts are written in the organisation's
language."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from compromiso.audits.legal import requirements_for
from compromiso.audits.models import Audit, FrameworkNode, ItemSource
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Charter, CharterStatus, Commitment
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.models import ProtocolStep


@dataclass(frozen=True)
class ItemSpec:
    key: str
    source: str
    section: str
    text: str
    guidance: str = ""
    commitment: Commitment | None = None
    touch_point: TouchPoint | None = None
    protocol_step: ProtocolStep | None = None
    framework_node: FrameworkNode | None = None


def charters_in_force(audit: Audit) -> list[Charter]:
    """For each charter in scope, the version in force: the published one of its lineage, or
    the version linked when none is published. One per lineage."""
    chosen: dict[str, Charter] = {}
    for charter in audit.charters.select_related("unit").order_by("title", "pk"):
        key = str(charter.lineage)
        if key in chosen:
            continue
        published = (
            Charter.objects.filter(lineage=charter.lineage, status=CharterStatus.PUBLISHED)
            .select_related("unit")
            .order_by("-version")
            .first()
        )
        chosen[key] = published or charter
    return list(chosen.values())


def commitment_applies(
    commitment: Commitment, charter: Charter, touch_point: TouchPoint, service_channels: set[int]
) -> bool:
    """Does this commitment apply at this touch point? (`service_channels`: the channels its
    service is offered on, empty when it names none.)"""
    if commitment.touch_point_id is not None:
        return commitment.touch_point_id == touch_point.pk
    if commitment.channel_id is not None:
        return commitment.channel_id == touch_point.channel_id
    if service_channels and touch_point.channel_id not in service_channels:
        return False
    if charter.unit is not None:
        return touch_point.unit.path.startswith(charter.unit.path)
    return True


def touch_points_in_scope(audit: Audit) -> list[TouchPoint]:
    return list(
        audit.touch_points.select_related("unit", "channel").order_by(
            "unit__path", "channel__kind", "name", "pk"
        )
    )


def _target(commitment: Commitment) -> str:
    return _("Indicator: %(indicator)s; target %(comparator)s %(target)s%(unit)s.") % {
        "indicator": commitment.indicator,
        "comparator": commitment.get_comparator_display(),
        "target": f"{commitment.target.normalize():f}",
        "unit": f" {commitment.unit_symbol}" if commitment.unit_symbol else "",
    }


def commitment_items(audit: Audit, touch_points: list[TouchPoint]) -> list[ItemSpec]:
    specs: list[ItemSpec] = []
    for charter in charters_in_force(audit):
        commitments = list(
            Commitment.objects.filter(charter=charter)
            .select_related("service")
            .prefetch_related("service__channels")
            .order_by("order", "pk")
        )
        for touch_point in touch_points:
            for commitment in commitments:
                channels = {c.pk for c in commitment.service.channels.all()}
                if not commitment_applies(commitment, charter, touch_point, channels):
                    continue
                specs.append(
                    ItemSpec(
                        key=f"c:{commitment.lineage}:{touch_point.pk}",
                        source=ItemSource.COMMITMENT,
                        section=str(charter.title)[:200],
                        text=commitment.text,
                        guidance=_target(commitment),
                        commitment=commitment,
                        touch_point=touch_point,
                    )
                )
    return specs


def protocol_items(touch_points: list[TouchPoint]) -> list[ItemSpec]:
    specs: list[ItemSpec] = []
    for touch_point in touch_points:
        for item in checklist_for_touch_point(touch_point):
            guidance = [part for part in (item.standard, item.variant) if part]
            specs.append(
                ItemSpec(
                    key=f"p:{item.step.pk}:{touch_point.pk}",
                    source=ItemSource.PROTOCOL,
                    section=item.protocol.name[:200],
                    text=f"{item.number}. {item.behaviour}"[:2000],
                    guidance=" · ".join(guidance)[:2000],
                    protocol_step=item.step,
                    touch_point=touch_point,
                )
            )
    return specs


def legal_items(audit: Audit) -> list[ItemSpec]:
    profile = audit.organization.jurisdiction
    section = _("Legal requirements")
    return [
        ItemSpec(
            key=f"l:{profile}:{requirement.code}",
            source=ItemSource.LEGAL,
            section=section,
            text=str(requirement.text),
            guidance=_("%(citation)s. %(how)s")
            % {"citation": requirement.citation, "how": requirement.guidance},
        )
        for requirement in requirements_for(profile)
    ]


def framework_items(audit: Audit) -> list[ItemSpec]:
    if audit.framework_id is None:
        return []
    nodes = FrameworkNode.objects.filter(framework_id=audit.framework_id).select_related(
        "parent", "framework"
    )
    specs = []
    for node in nodes.filter(assessable=True).order_by("order", "pk"):
        parent = node.parent
        section = f"{parent.ref} {parent.title}" if parent else node.framework.name
        specs.append(
            ItemSpec(
                key=f"f:{node.pk}",
                source=ItemSource.FRAMEWORK,
                section=section[:200],
                text=f"{node.ref} {node.title}"[:2000],
                guidance=node.text[:2000],
                framework_node=node,
            )
        )
    return specs


def build_checklist(audit: Audit) -> list[ItemSpec]:
    """Every item the audit's scope calls for, in the order the checklist shows them: per touch
    point its commitments and protocol steps, then the legal requirements and the framework's
    criteria."""
    with translation.override(audit.organization.language):
        touch_points = touch_points_in_scope(audit)
        by_touch_point: dict[int, list[ItemSpec]] = {tp.pk: [] for tp in touch_points}
        for spec in commitment_items(audit, touch_points) + protocol_items(touch_points):
            assert spec.touch_point is not None
            by_touch_point[spec.touch_point.pk].append(spec)
        ordered = [spec for tp in touch_points for spec in by_touch_point[tp.pk]]
        return ordered + legal_items(audit) + framework_items(audit)
