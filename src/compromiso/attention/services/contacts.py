"""Contacts on the other channels: a phone call, a web chat, an e-mail or a self-service
session, recorded by an agent, by a self-service module (`by=SYSTEM`, `source=kiosk`) or by an
import."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.attention.models import (
    Contact,
    ContactKind,
    ContactOutcome,
    ContactSource,
    Procedure,
)
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.actors import Actor, is_system, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require, scope_for
from compromiso.organizations.models import Organization

MAX_SECONDS = 7 * 24 * 3600  # a week: longer answer or handling times are typing mistakes


def record_contact(
    organization: Organization,
    *,
    kind: str,
    outcome: str,
    by: Actor,
    channel: Channel | None = None,
    touch_point: TouchPoint | None = None,
    service: Service | None = None,
    procedure: Procedure | None = None,
    started_at: dt.datetime | None = None,
    wait_seconds: int | None = None,
    handle_seconds: int | None = None,
    first_contact_resolution: bool | None = None,
    note: str = "",
    source: str = ContactSource.AGENT,
    external_id: str = "",
) -> Contact:
    """Log one contact. A person needs to serve visitors (in the touch point's unit when one is
    given); the system records a self-service module's sessions and imported rows."""
    if touch_point is not None:
        require(
            by,
            Perm.SERVE_VISITORS,
            organization_id=organization.pk,
            unit_path=touch_point.unit.path,
        )
    elif not is_system(by) and not scope_for(by, Perm.SERVE_VISITORS).touches(organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))
    if kind not in ContactKind.values:
        raise DomainError(_("Unknown kind of contact."), code="invalid_kind")
    if outcome not in ContactOutcome.values:
        raise DomainError(_("Unknown outcome."), code="invalid_outcome")
    if source not in ContactSource.values or (source != ContactSource.AGENT and not is_system(by)):
        raise DomainError(_("Only the system records imported or self-service contacts."))
    for item in (channel, touch_point, service, procedure):
        if item is not None and item.organization_id != organization.pk:
            raise DomainError(_("This belongs to another organisation."), code="other_org")
    if touch_point is not None and channel is None:
        channel = touch_point.channel
    for seconds in (wait_seconds, handle_seconds):
        if seconds is not None and not 0 <= seconds <= MAX_SECONDS:
            raise DomainError(
                _("Times are seconds between 0 and one week."), code="invalid_seconds"
            )
    started_at = started_at or timezone.now()
    if started_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("A contact cannot start in the future."), code="future")
    if outcome == ContactOutcome.ABANDONED and first_contact_resolution:
        raise DomainError(
            _("An abandoned contact cannot be resolved at the first contact."), code="invalid"
        )
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                organization=organization,
                kind=kind,
                channel=channel,
                touch_point=touch_point,
                service=service,
                procedure=procedure,
                started_at=started_at,
                wait_seconds=wait_seconds,
                handle_seconds=handle_seconds,
                outcome=outcome,
                first_contact_resolution=first_contact_resolution,
                agent=user_of(by),
                source=source,
                external_id=external_id[:80],
                note=note[:500],
            )
            if source != ContactSource.IMPORT:  # an import logs itself once, not per row
                log_action(contact, "attention.contact.recorded", by=by, data={"kind": kind})
    except IntegrityError as error:
        raise DomainError(
            _("Contact %(id)s was already recorded.") % {"id": external_id}, code="duplicate"
        ) from error
    return contact


def record_self_service(
    organization: Organization,
    *,
    touch_point: TouchPoint | None = None,
    service: Service | None = None,
    procedure: Procedure | None = None,
    outcome: str = ContactOutcome.RESOLVED,
    handle_seconds: int | None = None,
    started_at: dt.datetime | None = None,
    by: Actor,
) -> Contact:
    """A session at a self-service module (kiosk or totem), as the module reports it."""
    if not is_system(by):
        raise DomainError(_("Only the system records imported or self-service contacts."))
    return record_contact(
        organization,
        kind=ContactKind.SELF_SERVICE,
        outcome=outcome,
        by=by,
        touch_point=touch_point,
        service=service,
        procedure=procedure,
        handle_seconds=handle_seconds,
        started_at=started_at,
        source=ContactSource.KIOSK,
    )
