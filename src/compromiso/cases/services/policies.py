"""The legal answer deadlines of an organisation: installing its jurisdiction's presets and
adjusting them."""

from typing import Any

from django.db import transaction

from compromiso.cases.models import (
    DeadlinePolicy,
)
from compromiso.cases.presets import PRESETS
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization


def missing_deadline_policies(organization: Organization) -> list[DeadlinePolicy]:
    """The legal deadlines of the organisation's jurisdiction it does not have yet, unsaved: what
    `install_deadline_presets` would add (shown before anyone installs them)."""
    presets = PRESETS.get(organization.jurisdiction, PRESETS["other"])
    existing = set(organization.deadline_policies.values_list("kind", flat=True))
    return [
        DeadlinePolicy(
            organization=organization,
            kind=kind,
            unit=preset.unit.value,
            amount=preset.amount,
            extension=preset.extension,
            extension_unit=preset.extension_unit.value if preset.extension_unit else "",
            extension_requires_notice=preset.extension_requires_notice,
            legal_basis=preset.legal_basis,
            external_recourse=preset.external_recourse,
        )
        for kind, preset in presets.items()
        if kind not in existing
    ]


@transaction.atomic
def install_deadline_presets(organization: Organization, *, by: Actor) -> list[DeadlinePolicy]:
    """Give the organisation the legal deadlines of its jurisdiction for every kind it lacks."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    created = missing_deadline_policies(organization)
    for policy in created:
        policy.save(force_insert=True)
        log_action(policy, "cases.deadline_policy.created", by=by, data={"kind": policy.kind})
    return created


POLICY_FIELDS = (
    "unit",
    "amount",
    "extension",
    "extension_unit",
    "extension_requires_notice",
    "legal_basis",
    "external_recourse",
)


@transaction.atomic
def update_deadline_policy(policy: DeadlinePolicy, *, by: Actor, **fields: Any) -> DeadlinePolicy:
    """Adjust a legal deadline. Cases already received keep the terms they were received under."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=policy.organization_id)
    names = [k for k in fields if k in POLICY_FIELDS]
    before = snapshot(policy, names)
    for name in names:
        setattr(policy, name, fields[name])
    policy.full_clean()
    policy.save()
    diff = changes(before, snapshot(policy, names))
    if diff:
        log_action(policy, "cases.deadline_policy.updated", by=by, data=diff)
    return policy
