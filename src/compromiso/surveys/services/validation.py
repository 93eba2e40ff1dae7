"""Internal waves: the provider unit proposes the attributes of its service and the client units
validate them before the wave opens (internal-customer satisfaction, seed 003).

Each client unit agrees, disagrees or suggests a change for every active attribute of the
wave's services, and may propose an attribute that is missing. The wave opens once every client
unit agrees to every attribute, or when a survey manager opens it anyway with a recorded reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Attribute, Audience, Service
from compromiso.core.actors import Actor, SystemActor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require, scope_for
from compromiso.organizations.models import Membership, Organization, Unit, User
from compromiso.surveys.models import (
    AttributeProposal,
    AttributeReview,
    ReviewDecision,
    Wave,
    WaveStatus,
)
from compromiso.surveys.services.errors import SurveyError
from compromiso.surveys.services.waves import clean_client_units

OVERRIDE_REASON_LIMIT = 1000


class ReviewState(StrEnum):
    PENDING = "pending"
    AGREED = "agreed"
    DISAGREED = "disagreed"


@dataclass(frozen=True)
class ReviewCell:
    """One client unit's standing on one attribute. `changed`: the unit had reviewed it, but the
    provider reworded it since, so the unit must review it again."""

    state: ReviewState
    review: AttributeReview | None = None
    changed: bool = False


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    agreed: int
    disagreed: int
    pending: int

    @property
    def total(self) -> int:
        return self.agreed + self.disagreed + self.pending


@dataclass(frozen=True)
class ProposalRow:
    proposal: AttributeProposal
    added: bool  # the service now has an attribute of that name


@dataclass(frozen=True)
class ValidationStatus:
    """Where the validation of an internal wave's attributes stands."""

    wave: Wave
    units: list[Unit]
    attributes: list[Attribute]
    cells: dict[tuple[int, int], ReviewCell]
    proposals: list[ProposalRow] = field(default_factory=list)

    def cell(self, attribute: Attribute, unit: Unit) -> ReviewCell:
        return self.cells[(attribute.pk, unit.pk)]

    @property
    def required(self) -> bool:
        """Only internal waves with client units go through validation."""
        return self.wave.audience == Audience.INTERNAL and bool(self.units)

    @property
    def rows(self) -> list[tuple[Attribute, list[ReviewCell]]]:
        return [(a, [self.cell(a, u) for u in self.units]) for a in self.attributes]

    @property
    def progress(self) -> list[UnitProgress]:
        out = []
        for unit in self.units:
            states = [self.cell(a, unit).state for a in self.attributes]
            out.append(
                UnitProgress(
                    unit,
                    agreed=states.count(ReviewState.AGREED),
                    disagreed=states.count(ReviewState.DISAGREED),
                    pending=states.count(ReviewState.PENDING),
                )
            )
        return out

    @property
    def total(self) -> int:
        return len(self.cells)

    @property
    def agreed(self) -> int:
        return sum(1 for c in self.cells.values() if c.state == ReviewState.AGREED)

    @property
    def percent(self) -> int:
        return round(100 * self.agreed / self.total) if self.total else 0

    @property
    def pending_units(self) -> list[Unit]:
        return [p.unit for p in self.progress if p.pending]

    @property
    def disagreeing_units(self) -> list[Unit]:
        return [p.unit for p in self.progress if p.disagreed]

    @property
    def complete(self) -> bool:
        """Every client unit agreed to every active attribute (and there is something to agree
        to)."""
        return bool(self.units) and bool(self.attributes) and self.agreed == self.total


def validation_status(wave: Wave) -> ValidationStatus:
    """Per client unit and active attribute of the wave's services: pending, agreed or
    disagreed; with the units' progress and the attributes they proposed."""
    units = list(wave.client_units.order_by("path"))
    attributes = list(
        Attribute.objects.filter(service__in=wave.services.all(), is_active=True)
        .select_related("service")
        .order_by("service__code", "position", "pk")
    )
    reviews = {
        (r.attribute_id, r.client_unit_id): r
        for r in AttributeReview.objects.filter(wave=wave).select_related("decided_by")
    }
    cells: dict[tuple[int, int], ReviewCell] = {}
    for attribute in attributes:
        for unit in units:
            review = reviews.get((attribute.pk, unit.pk))
            if review is None:
                cell = ReviewCell(ReviewState.PENDING)
            elif (review.attribute_name, review.attribute_description) != (
                attribute.name,
                attribute.description,
            ):
                cell = ReviewCell(ReviewState.PENDING, review, changed=True)
            elif review.decision == ReviewDecision.AGREE:
                cell = ReviewCell(ReviewState.AGREED, review)
            else:
                cell = ReviewCell(ReviewState.DISAGREED, review)
            cells[(attribute.pk, unit.pk)] = cell
    names = {(a.service_id, a.name.casefold()) for a in attributes}
    names |= {
        (service_id, name.casefold())
        for service_id, name in Attribute.objects.filter(
            service__in=wave.services.all(), is_active=False
        ).values_list("service_id", "name")
    }
    proposals = [
        ProposalRow(p, added=(p.service_id, p.name.casefold()) in names)
        for p in AttributeProposal.objects.filter(wave=wave).select_related(
            "service", "client_unit", "proposed_by"
        )
    ]
    return ValidationStatus(wave, units, attributes, cells, proposals)


def opening_refusal(status: ValidationStatus) -> str | None:
    """Why the wave cannot open yet, naming the units; None when it can."""
    if not status.required or status.complete:
        return None
    parts = [_("The client units have not validated the attributes of this wave yet.")]
    if not status.attributes:
        parts.append(
            _("The services measured have no active attributes for the client units to validate.")
        )
    if status.pending_units:
        parts.append(
            _("Waiting for the review of: %(units)s.")
            % {"units": ", ".join(u.name for u in status.pending_units)}
        )
    if status.disagreeing_units:
        parts.append(
            _("Disagreements to resolve with: %(units)s.")
            % {"units": ", ".join(u.name for u in status.disagreeing_units)}
        )
    parts.append(_("A survey manager can open it anyway by giving a reason."))
    return " ".join(parts)


def check_before_opening(wave: Wave, *, by: Actor, override_reason: str) -> bool:
    """Called by `open_wave` inside its transaction: refuse while the validation is incomplete,
    unless a reason to override it is given — then the override is recorded and True returned."""
    status = validation_status(wave)
    refusal = opening_refusal(status)
    if refusal is None:
        return False
    reason = override_reason.strip()
    if not reason:
        raise SurveyError(refusal, code="attributes_not_validated")
    if len(reason) > OVERRIDE_REASON_LIMIT:
        raise ValidationError(
            {
                "override_reason": _("At most %(limit)s characters.")
                % {"limit": OVERRIDE_REASON_LIMIT}
            }
        )
    log_action(
        wave,
        "surveys.wave.validation_overridden",
        by=by,
        data={
            "reason": reason,
            "pending_units": [u.pk for u in status.pending_units],
            "disagreeing_units": [u.pk for u in status.disagreeing_units],
            "agreed": status.agreed,
            "total": status.total,
        },
    )
    return True


def _membership_paths(user: User, organization_id: int) -> list[str]:
    """The paths of the units the user belongs to (any role) in an organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(
        Membership.objects.filter(
            user=user,
            organization_id=organization_id,
            organization__is_active=True,
            unit__isnull=False,
        ).values_list("unit__path", flat=True)
    )


def _manages_surveys(user: User, organization_id: int) -> bool:
    return scope_for(user, Perm.MANAGE_SURVEYS).covers_organization(organization_id)


def speaks_for(user: User, unit: Unit) -> bool:
    """A member of the unit (or of a unit above it) reviews on its behalf; so does a survey
    manager of the organisation."""
    if _manages_surveys(user, unit.organization_id):
        return True
    return any(unit.path.startswith(p) for p in _membership_paths(user, unit.organization_id))


def reviewable_units(user: User, wave: Wave) -> list[Unit]:
    """The wave's client units the user may review for."""
    units = list(wave.client_units.order_by("path"))
    if _manages_surveys(user, wave.organization_id):
        return units
    paths = _membership_paths(user, wave.organization_id)
    return [u for u in units if any(u.path.startswith(p) for p in paths)]


def awaiting_review(user: User, organization: Organization) -> list[tuple[Wave, Unit, int]]:
    """Draft internal waves waiting for a review by a unit the user belongs to: (wave, unit,
    attributes that unit still has to agree to)."""
    paths = _membership_paths(user, organization.pk)
    if not paths:
        return []
    drafts = (
        Wave.objects.filter(
            organization=organization, status=WaveStatus.DRAFT, audience=Audience.INTERNAL
        )
        .prefetch_related("client_units")
        .order_by("opens_on", "pk")
    )
    out = []
    for wave in drafts:
        mine = [u for u in wave.client_units.all() if any(u.path.startswith(p) for p in paths)]
        if not mine:
            continue
        status = validation_status(wave)
        for unit in sorted(mine, key=lambda u: u.path):
            left = sum(
                1 for a in status.attributes if status.cell(a, unit).state != ReviewState.AGREED
            )
            out.append((wave, unit, left))
    return out


def _require_reviewer(by: Actor, unit: Unit) -> None:
    if not isinstance(by, SystemActor) and not speaks_for(by, unit):
        raise PermissionDenied(_("Only members of the client unit can review for it."))


def _check_reviewable(wave: Wave, unit: Unit) -> Wave:
    """The wave, locked, if it still takes reviews from this unit."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.audience != Audience.INTERNAL:
        raise SurveyError(_("Only internal waves have their attributes validated."))
    if locked.status != WaveStatus.DRAFT:
        raise SurveyError(
            _("The wave is already open: its attributes can no longer be reviewed."),
            code="wave_not_draft",
        )
    if not locked.client_units.filter(pk=unit.pk).exists():
        raise ValidationError({"client_unit": _("This unit is not a client unit of the wave.")})
    return locked


@transaction.atomic
def review_attribute(
    wave: Wave,
    attribute: Attribute,
    unit: Unit,
    *,
    by: Actor,
    decision: str,
    comment: str = "",
    proposed_name: str = "",
) -> AttributeReview:
    """Record (or change, while the wave is a draft) a client unit's say on an attribute."""
    _require_reviewer(by, unit)
    _check_reviewable(wave, unit)
    if (
        not attribute.is_active
        or not wave.services.filter(pk=attribute.service_id).exists()
        or attribute.service.organization_id != wave.organization_id
    ):
        raise ValidationError({"attribute": _("Choose an attribute of the services measured.")})
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Agree, disagree or suggest a change.")})
    review = AttributeReview.objects.filter(
        wave=wave, attribute=attribute, client_unit=unit
    ).first()
    before = (
        None
        if review is None
        else {"decision": review.decision, "comment": review.comment, "name": review.proposed_name}
    )
    review = review or AttributeReview(wave=wave, attribute=attribute, client_unit=unit)
    review.decision = decision
    review.comment = comment.strip()
    review.proposed_name = proposed_name.strip() if decision != ReviewDecision.AGREE else ""
    review.attribute_name = attribute.name
    review.attribute_description = attribute.description
    review.decided_by = by if isinstance(by, User) else None
    review.decided_at = timezone.now()
    review.full_clean(exclude=["wave", "attribute", "client_unit", "decided_by"])
    review.save()
    log_action(
        wave,
        "surveys.wave.attribute_reviewed",
        by=by,
        data={
            "attribute": attribute.pk,
            "client_unit": unit.pk,
            "decision": decision,
            "comment": review.comment,
            "proposed_name": review.proposed_name,
            "before": before,
        },
    )
    return review


@transaction.atomic
def propose_attribute(
    wave: Wave, service: Service, unit: Unit, *, by: Actor, name: str, comment: str = ""
) -> AttributeProposal:
    """A client unit asks for an attribute the provider did not propose. Proposing the same
    name again returns the earlier proposal."""
    _require_reviewer(by, unit)
    _check_reviewable(wave, unit)
    if not wave.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This survey does not measure that service.")})
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the attribute the unit misses.")})
    if service.attributes.filter(name__iexact=name, is_active=True).exists():
        raise ValidationError({"name": _("The service already has this attribute: review it.")})
    earlier = AttributeProposal.objects.filter(
        wave=wave, service=service, client_unit=unit, name__iexact=name
    ).first()
    if earlier is not None:
        return earlier
    proposal = AttributeProposal(
        wave=wave,
        service=service,
        client_unit=unit,
        name=name,
        comment=comment.strip(),
        proposed_by=by if isinstance(by, User) else None,
    )
    proposal.full_clean(exclude=["wave", "service", "client_unit", "proposed_by"])
    proposal.save()
    log_action(
        wave,
        "surveys.wave.attribute_proposed",
        by=by,
        data={"service": service.pk, "client_unit": unit.pk, "name": name},
    )
    return proposal


@transaction.atomic
def set_client_units(wave: Wave, *, by: Actor, units: Iterable[Unit]) -> Wave:
    """Choose the client units of a draft internal wave. Reviews of a unit taken off stay in
    the record; they count again if the unit is chosen again."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=wave.organization_id)
    if wave.status != WaveStatus.DRAFT:
        raise SurveyError(_("The client units are chosen while the wave is a draft."))
    chosen = clean_client_units(wave.organization_id, wave.audience, units)
    before = sorted(wave.client_units.values_list("pk", flat=True))
    wave.client_units.set(chosen)
    after = sorted(u.pk for u in chosen)
    if before != after:
        log_action(
            wave, "surveys.wave.client_units_set", by=by, data={"before": before, "after": after}
        )
    return wave
