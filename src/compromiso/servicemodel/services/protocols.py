"""Every change of the attention protocols: drafting a protocol with its ordered steps and their
channel variants, putting it in force, retiring it, a touch point adding or excluding one, and
recording an observation of it with the checklist.

Editing a protocol in force must not corrupt the observations already recorded. The rule: a
protocol is edited freely while no observation of it exists; once one exists, the steps that
have results keep their behaviour and cannot be removed (their standard and channel variants may
still be refined, and new steps may be added). To change what an observed step asks, retire the
protocol and draft a new one. Editing needs `EDIT_CHARTERS`; putting in force and retiring
`APPROVE_CHARTERS`, as for the service model."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, has_perm, require
from compromiso.organizations.models import Organization
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.models import (
    MAX_STEPS,
    CheckMethod,
    Protocol,
    ProtocolCheck,
    ProtocolOverride,
    ProtocolStatus,
    ProtocolStep,
    StepOutcome,
    StepResult,
    StepVariant,
)

PROTOCOL_FIELDS = ("name", "purpose", "channel_kind", "is_public")


class ProtocolError(DomainError):
    pass


@dataclass
class StepInput:
    """A step as the form gives it; `id` names an existing step of the protocol (None: new)."""

    behaviour: str
    standard: str = ""
    variants: Mapping[str, str] = field(default_factory=dict)
    id: int | None = None


def _require(protocol: Protocol, by: Actor, perm: Perm) -> None:
    require(by, perm, organization_id=protocol.organization_id)


def _clean_steps(steps: Sequence[StepInput]) -> None:
    if not steps:
        return
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": _("At most %(count)d steps.") % {"count": MAX_STEPS}})
    for step in steps:
        if not step.behaviour.strip():
            raise ValidationError({"steps": _("Each step needs an observable behaviour.")})
        unknown = set(step.variants) - set(ChannelKind.values)
        if unknown:
            raise ValidationError({"steps": _("Unknown channel kind.")})


def _replace_steps(protocol: Protocol, steps: Sequence[StepInput]) -> None:
    """Make the protocol's steps these, in this order: update the ones named by id, add the
    new ones, remove the others (refused for a step with observed results)."""
    _clean_steps(steps)
    existing = {step.pk: step for step in protocol.steps.all()}
    observed = set(
        StepResult.objects.filter(step__protocol=protocol).values_list("step_id", flat=True)
    )
    kept: set[int] = set()
    for order, given in enumerate(steps, start=1):
        if given.id is not None:
            if given.id not in existing or given.id in kept:
                raise ValidationError({"steps": _("A step does not belong to this protocol.")})
            step = existing[given.id]
            if step.pk in observed and step.behaviour != given.behaviour.strip():
                raise ProtocolError(
                    _(
                        "The step “%(step)s” has recorded observations: its behaviour cannot "
                        "change. Retire the protocol and draft a new one to change it."
                    )
                    % {"step": step.behaviour},
                    code="observed_step",
                )
            kept.add(step.pk)
        else:
            step = ProtocolStep(protocol=protocol)
        step.order = order
        step.behaviour = given.behaviour.strip()
        step.standard = given.standard.strip()
        step.full_clean(exclude=["protocol"])
        step.save()
        _replace_variants(step, given.variants)
    for pk, step in existing.items():
        if pk in kept:
            continue
        if pk in observed:
            raise ProtocolError(
                _("The step “%(step)s” has recorded observations and cannot be removed.")
                % {"step": step.behaviour},
                code="observed_step",
            )
        step.delete()


def _replace_variants(step: ProtocolStep, variants: Mapping[str, str]) -> None:
    step.variants.all().delete()
    rows = [
        StepVariant(step=step, channel_kind=kind, text=text.strip())
        for kind, text in sorted(variants.items())
        if text and text.strip()
    ]
    for row in rows:
        row.full_clean(exclude=["step"])
    StepVariant.objects.bulk_create(rows)


def _set_fields(protocol: Protocol, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name not in PROTOCOL_FIELDS:
            raise TypeError(name)
        setattr(protocol, name, value)
    protocol.full_clean()


@transaction.atomic
def create_protocol(
    organization: Organization,
    *,
    by: Actor,
    steps: Sequence[StepInput] = (),
    **fields: Any,
) -> Protocol:
    """A new protocol, as a draft, with its steps in order."""
    protocol = Protocol(organization=organization)
    _require(protocol, by, Perm.EDIT_CHARTERS)
    _set_fields(protocol, fields)
    protocol.save()
    _replace_steps(protocol, steps)
    log_action(protocol, "servicemodel.protocol.created", by=by, data={"steps": len(steps)})
    return protocol


@transaction.atomic
def update_protocol(
    protocol: Protocol,
    *,
    by: Actor,
    steps: Sequence[StepInput] | None = None,
    **fields: Any,
) -> Protocol:
    """Change a protocol's texts and, when given, its steps (see the module's rule for a
    protocol already observed). A retired protocol is no longer edited."""
    _require(protocol, by, Perm.EDIT_CHARTERS)
    if protocol.status == ProtocolStatus.RETIRED:
        raise ProtocolError(_("A retired protocol cannot be edited."), code="retired")
    if protocol.status == ProtocolStatus.ACTIVE and steps is not None and not steps:
        raise ProtocolError(_("A protocol in force needs at least one step."), code="no_steps")
    before = snapshot(protocol, PROTOCOL_FIELDS)
    _set_fields(protocol, fields)
    protocol.save()
    if steps is not None:
        _replace_steps(protocol, steps)
    after = snapshot(protocol, PROTOCOL_FIELDS)
    data: dict[str, Any] = {"fields": [n for n in PROTOCOL_FIELDS if before[n] != after[n]]}
    if steps is not None:
        data["steps"] = len(steps)
    log_action(protocol, "servicemodel.protocol.updated", by=by, data=data)
    return protocol


def _move(protocol: Protocol, to: str, *, by: Actor) -> Protocol:
    data = {"from": protocol.status, "to": to}
    protocol.status = to
    protocol.save(update_fields=["status", "updated_at"])
    log_action(protocol, f"servicemodel.protocol.{to}", by=by, data=data)
    return protocol


@transaction.atomic
def activate_protocol(protocol: Protocol, *, by: Actor) -> Protocol:
    """Put a draft in force: it then applies at the touch points of its channel kind."""
    _require(protocol, by, Perm.APPROVE_CHARTERS)
    if protocol.status != ProtocolStatus.DRAFT:
        raise ProtocolError(_("Only a draft can be put in force."), code="not_draft")
    if not protocol.steps.exists():
        raise ProtocolError(_("A protocol needs at least one step to be put in force."))
    return _move(protocol, ProtocolStatus.ACTIVE, by=by)


@transaction.atomic
def retire_protocol(protocol: Protocol, *, by: Actor) -> Protocol:
    """A protocol in force stops applying; its observations stay."""
    _require(protocol, by, Perm.APPROVE_CHARTERS)
    if protocol.status != ProtocolStatus.ACTIVE:
        raise ProtocolError(_("Only a protocol in force can be retired."), code="not_active")
    return _move(protocol, ProtocolStatus.RETIRED, by=by)


@transaction.atomic
def set_protocol_override(
    protocol: Protocol, touch_point: TouchPoint, *, by: Actor, applies: bool | None
) -> ProtocolOverride | None:
    """A touch point adds the protocol (`applies=True`), excludes it (`False`), or follows its
    channel kind again (`None`)."""
    _require(protocol, by, Perm.EDIT_CHARTERS)
    if touch_point.organization_id != protocol.organization_id:
        raise ValidationError({"touch_point": _("Unknown touch point.")})
    existing = ProtocolOverride.objects.filter(protocol=protocol, touch_point=touch_point)
    data = {"touch_point": touch_point.pk, "applies": applies}
    if applies is None:
        existing.delete()
        log_action(protocol, "servicemodel.protocol.override_removed", by=by, data=data)
        return None
    override, _created = ProtocolOverride.objects.update_or_create(
        protocol=protocol, touch_point=touch_point, defaults={"applies": applies}
    )
    log_action(protocol, "servicemodel.protocol.override_set", by=by, data=data)
    return override


def can_observe(by: Actor, touch_point: TouchPoint) -> bool:
    """Unit heads observe their units' touch points; quality managers anywhere (both hold
    EDIT_CHARTERS there)."""
    if isinstance(by, SystemActor):
        return True
    return has_perm(
        by,
        Perm.EDIT_CHARTERS,
        organization_id=touch_point.organization_id,
        unit_path=touch_point.unit.path,
    )


@transaction.atomic
def record_protocol_check(
    protocol: Protocol,
    touch_point: TouchPoint,
    *,
    by: Actor,
    observed_on: dt.date,
    method: str,
    results: Mapping[int, tuple[str, str]],
    note: str = "",
) -> ProtocolCheck:
    """Record one observation: `results` maps every step id of the protocol to its outcome and
    a comment. The protocol must be in force at the touch point."""
    if not can_observe(by, touch_point):
        raise PermissionDenied(_("You do not have permission to do this."))
    if touch_point.organization_id != protocol.organization_id:
        raise ValidationError({"touch_point": _("Unknown touch point.")})
    if protocol.pk not in protocols_by_touch_point(protocol.organization).get(
        touch_point.pk, frozenset()
    ):
        raise ProtocolError(
            _("This protocol does not apply at this touch point."), code="not_applicable"
        )
    if observed_on > protocol.organization.today():
        raise ValidationError({"observed_on": _("The observation cannot be in the future.")})
    if method not in CheckMethod.values:
        raise ValidationError({"method": _("Choose how it was observed.")})
    steps = list(protocol.steps.all())
    if set(results) != {step.pk for step in steps}:
        raise ValidationError({"results": _("Give a result for every step of the protocol.")})
    check = ProtocolCheck(
        organization_id=protocol.organization_id,
        touch_point=touch_point,
        protocol=protocol,
        observed_on=observed_on,
        method=method,
        observer=user_of(by),
        note=note.strip(),
    )
    check.full_clean()
    check.save()
    rows = []
    for step in steps:
        outcome, comment = results[step.pk]
        if outcome not in StepOutcome.values:
            raise ValidationError({"results": _("Give a result for every step of the protocol.")})
        row = StepResult(check_of=check, step=step, outcome=outcome, comment=comment.strip())
        row.full_clean(exclude=["check_of"])
        rows.append(row)
    StepResult.objects.bulk_create(rows)
    counts = {value: sum(r.outcome == value for r in rows) for value in StepOutcome.values}
    log_action(
        check,
        "servicemodel.protocolcheck.created",
        by=by,
        data={"protocol": protocol.pk, "touch_point": touch_point.pk, **counts},
    )
    return check
