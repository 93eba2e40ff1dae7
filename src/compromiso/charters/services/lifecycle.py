"""A charter's life: drafted, sent for review, returned, approved, published (superseding the
version it renews). Each step writes an audit entry."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Service
from compromiso.charters import completeness
from compromiso.charters.models import Charter, CharterStatus, SectionKind, validate_validity
from compromiso.charters.services.guards import CharterError, ensure_editable, require_on_charter
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.permissions import Perm
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization, Unit


def _check_services(organization: Organization, services: Iterable[Service]) -> list[Service]:
    chosen = list(services)
    if any(service.organization_id != organization.pk for service in chosen):
        raise ValidationError({"services": _("Choose services of this organisation.")})
    return chosen


CHARTER_FIELDS = ("title", "unit", "profile", "language", "valid_from", "valid_to")


@transaction.atomic
def create_charter(
    organization: Organization,
    *,
    by: Actor,
    title: str,
    valid_from: dt.date,
    valid_to: dt.date,
    unit: Unit | None = None,
    profile: str = "",
    language: str = "",
    services: Iterable[Service] = (),
) -> Charter:
    """Start a new charter as a draft, version 1."""
    if unit is not None and unit.organization_id != organization.pk:
        raise ValidationError({"unit": _("Choose a unit of this organisation.")})
    charter = Charter(
        organization=organization,
        unit=unit,
        title=title,
        profile=profile or organization.jurisdiction,
        language=language or organization.language,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    require_on_charter(charter, by)
    validate_validity(valid_from, valid_to)
    chosen = _check_services(organization, services)
    charter.full_clean()
    charter.save()
    charter.services.set(chosen)
    log_action(charter, "charters.charter.created", by=by, data={"title": title})
    return charter


@transaction.atomic
def update_charter(
    charter: Charter,
    *,
    by: Actor,
    services: Iterable[Service] | None = None,
    **fields: Any,
) -> Charter:
    require_on_charter(charter, by)
    ensure_editable(charter)
    before = snapshot(charter, CHARTER_FIELDS)
    for name, value in fields.items():
        if name not in CHARTER_FIELDS:
            raise TypeError(name)
        setattr(charter, name, value)
    if charter.unit is not None and charter.unit.organization_id != charter.organization_id:
        raise ValidationError({"unit": _("Choose a unit of this organisation.")})
    require_on_charter(charter, by)
    validate_validity(charter.valid_from, charter.valid_to)
    charter.full_clean()
    charter.save()
    data: dict[str, Any] = {"changes": changes(before, snapshot(charter, CHARTER_FIELDS))}
    if services is not None:
        chosen = _check_services(charter.organization, services)
        covered = {s.pk for s in chosen}
        orphaned = charter.commitments.exclude(service_id__in=covered)
        if orphaned.exists():
            raise ValidationError(
                {"services": _("Remove the commitments of a service before removing the service.")}
            )
        charter.services.set(chosen)
        data["services"] = sorted(covered)
    log_action(charter, "charters.charter.updated", by=by, data=data)
    return charter


def missing_for_publication(charter: Charter) -> list[str]:
    """Why the charter cannot be published yet, in words; empty when it is complete."""
    problems: list[str] = []
    filled = set(charter.sections.exclude(body="").values_list("kind", flat=True))
    for kind in SectionKind:
        if kind in completeness.required_sections(charter.profile) and kind not in filled:
            problems.append(_("The section “%(section)s” is empty.") % {"section": kind.label})
    services = list(charter.services.all())
    if not services:
        problems.append(_("The charter covers no service."))
    committed = set(charter.commitments.values_list("service_id", flat=True))
    if completeness.EVERY_SERVICE_NEEDS_A_COMMITMENT:
        for service in services:
            if service.pk not in committed:
                problems.append(
                    _("The service “%(service)s” has no commitment.") % {"service": service.name}
                )
    return problems


def move(charter: Charter, to: str, *, by: Actor, data: dict[str, Any]) -> Charter:
    data = {"from": charter.status, "to": to, **data}
    charter.status = to
    charter.save()
    log_action(charter, f"charters.charter.{to}", by=by, data=data)
    return charter


@transaction.atomic
def submit_for_review(charter: Charter, *, by: Actor) -> Charter:
    require_on_charter(charter, by)
    if charter.status != CharterStatus.DRAFT:
        raise CharterError(_("Only a draft can be sent for review."))
    return move(charter, CharterStatus.IN_REVIEW, by=by, data={})


@transaction.atomic
def return_to_draft(charter: Charter, *, by: Actor, comment: str = "") -> Charter:
    require_on_charter(charter, by, Perm.APPROVE_CHARTERS)
    if charter.status not in (CharterStatus.IN_REVIEW, CharterStatus.APPROVED):
        raise CharterError(_("Only a charter in review or approved can go back to draft."))
    charter.approved_at = None
    charter.approved_by = None
    return move(charter, CharterStatus.DRAFT, by=by, data={"comment": comment[:1000]})


@transaction.atomic
def approve_charter(charter: Charter, *, by: Actor, reference: str) -> Charter:
    """Record the approval: who, when, and the act or resolution (e.g. the DGGP report)."""
    require_on_charter(charter, by, Perm.APPROVE_CHARTERS)
    if charter.status != CharterStatus.IN_REVIEW:
        raise CharterError(_("Only a charter in review can be approved."))
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationError({"reference": _("Give the act or resolution that approves it.")})
    if len(reference) > 300:
        raise ValidationError({"reference": _("At most 300 characters.")})
    charter.approval_reference = reference
    charter.approved_at = timezone.now()
    charter.approved_by = user_of(by)
    return move(charter, CharterStatus.APPROVED, by=by, data={"reference": reference})


@transaction.atomic
def publish_charter(charter: Charter, *, by: Actor, today: dt.date | None = None) -> Charter:
    """Publish an approved, complete charter; the version it renews is superseded."""
    require_on_charter(charter, by, Perm.APPROVE_CHARTERS)
    today = today or charter.organization.today()
    if charter.status != CharterStatus.APPROVED:
        raise CharterError(_("Only an approved charter can be published."))
    if charter.valid_to < today:
        raise CharterError(_("Its validity has already ended: renew it instead."))
    problems = missing_for_publication(charter)
    if problems:
        raise CharterError(
            _("The charter is not complete: %(problems)s") % {"problems": " ".join(problems)},
            code="incomplete",
        )
    previous = Charter.objects.select_for_update().filter(
        lineage=charter.lineage, status=CharterStatus.PUBLISHED
    )
    for old in previous.exclude(pk=charter.pk):
        move(old, CharterStatus.SUPERSEDED, by=by, data={"by_version": charter.version})
    charter.published_at = timezone.now()
    charter.published_by = user_of(by)
    move(charter, CharterStatus.PUBLISHED, by=by, data={})
    from compromiso.charters.tasks import compute_measurements_task

    enqueue_with_transaction(compute_measurements_task, organization_id=charter.organization_id)
    return charter
