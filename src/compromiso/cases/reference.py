"""What intake reads of an organisation for every case — its channels, its public services (the
public form's list), legal deadline policies, closure days and whether it routes by rules — kept
in each process until the organisation's `reference_stamp` changes.

These rows change a few times a year and are read on every case: on the API's path they were a
third of the intake's queries. Whoever saves or deletes one gives the organisation a new stamp
in the same transaction (the receivers below), and every request reads the organisation afresh
(the API with its token), so the next request of any process sees the new stamp and reloads.
Only callers holding an organisation read in the current request may pass it here: an instance
kept from before a change carries the old stamp.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save

from compromiso.cases.models import AssignmentRule, DeadlinePolicy
from compromiso.catalog.models import Audience, Channel, Service
from compromiso.organizations.models import ClosureDay, Organization, new_reference_stamp


@dataclass(frozen=True)
class IntakeReference:
    channels: dict[int, Channel]
    # Active services for the public, in the catalogue's order, with their provider unit.
    public_services: tuple[Service, ...]
    policies: dict[str, DeadlinePolicy]
    closed_days: frozenset[dt.date]
    routes: bool  # an active assignment rule exists


_loaded: dict[int, tuple[str, IntakeReference]] = {}


def intake_reference(organization: Organization) -> IntakeReference:
    """The organisation's reference data as of its stamp (the organisation must be fresh)."""
    kept = _loaded.get(organization.pk)
    if kept is not None and kept[0] == organization.reference_stamp:
        return kept[1]
    reference = IntakeReference(
        channels={c.pk: c for c in Channel.objects.filter(organization=organization)},
        public_services=tuple(
            Service.objects.filter(
                organization=organization, is_active=True, audience=Audience.EXTERNAL
            ).select_related("provider_unit")
        ),
        policies={p.kind: p for p in DeadlinePolicy.objects.filter(organization=organization)},
        closed_days=frozenset(organization.closure_days.values_list("date", flat=True)),
        routes=AssignmentRule.objects.filter(organization=organization, is_active=True).exists(),
    )
    _loaded[organization.pk] = (organization.reference_stamp, reference)
    return reference


def restamp(organization_id: int) -> str:
    """Tell every process that the organisation's reference data changed. The receivers below
    call it for every save and delete; a bulk `update()` of those rows, which sends no signal,
    must call it itself."""
    stamp = new_reference_stamp()
    Organization.objects.filter(pk=organization_id).update(reference_stamp=stamp)
    return stamp


def _restamp(sender: Any, instance: Any, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if sender is AssignmentRule and update_fields is not None and "is_active" not in update_fields:
        return  # the round-robin's position, saved on every routed case, is not reference data
    stamp = restamp(instance.organization_id)
    # The organisation the saving code holds (if it loaded one) learns its new stamp; asking
    # the relation's cache never reads the organisation from the database.
    organization_field = instance._meta.get_field("organization")
    organization = organization_field.get_cached_value(instance, default=None)
    if organization is not None:
        organization.reference_stamp = stamp


for model in (Channel, Service, DeadlinePolicy, ClosureDay, AssignmentRule):
    post_save.connect(_restamp, sender=model, dispatch_uid=f"restamp-{model.__name__}")
    post_delete.connect(_restamp, sender=model, dispatch_uid=f"restamp-{model.__name__}-del")
