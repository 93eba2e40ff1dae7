"""The measurements of commitments: computed from the data for each closed period, or entered
by hand with evidence and approved by someone else; a breach is notified once."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.charters import indicators, periods
from compromiso.charters.models import (
    MEASURED_STATUSES,
    Charter,
    Commitment,
    Compliance,
    IndicatorSource,
    Measurement,
)
from compromiso.charters.services.guards import CharterError, require_on_charter
from compromiso.core.actors import SYSTEM, Actor, SystemActor, user_of
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization


def _compliance(commitment: Commitment, value: Decimal | None) -> str:
    met = periods.is_met(value, commitment.comparator, commitment.target)
    if met is None:
        return Compliance.NO_DATA
    return Compliance.MET if met else Compliance.NOT_MET


@transaction.atomic
def compute_measurements(
    organization: Organization,
    *,
    today: dt.date | None = None,
    charter: Charter | None = None,
) -> dict[str, int]:
    """Compute every computed indicator of every published (or formerly published) charter
    for each closed period of its validity. Idempotent: a period's row is replaced by the
    same figures; manual measurements are left as entered. Breaches are notified once."""
    from compromiso.attention import facts as attention_facts
    from compromiso.cases import facts

    today = today or organization.today()
    facts.refresh(organization)
    attention_facts.refresh(organization)  # -- attention: the branches' visits
    charters = Charter.objects.filter(organization=organization, status__in=MEASURED_STATUSES)
    if charter is not None:
        charters = charters.filter(pk=charter.pk)
    now = timezone.now()
    written = breaches = 0
    commitments = (
        Commitment.objects.filter(charter__in=charters)
        .exclude(source=IndicatorSource.MANUAL)
        .select_related("charter__organization", "service")
    )
    for commitment in commitments:
        version = commitment.charter
        # A superseded version is measured up to the day its successor was published.
        end = version.valid_to
        for start, stop in periods.closed_periods(
            commitment.periodicity, version.valid_from, end, today
        ):
            value = indicators.measure(commitment, start, stop, refresh=False)
            compliance = _compliance(commitment, value.value)
            measurement, _created = Measurement.objects.update_or_create(
                commitment=commitment,
                period_start=start,
                defaults={
                    "period_end": stop,
                    "value": value.value,
                    "numerator": value.numerator,
                    "denominator": value.denominator,
                    "n": value.n,
                    "compliance": compliance,
                    "computed_at": now,
                    "is_manual": False,
                },
            )
            written += 1
            if compliance == Compliance.NOT_MET and measurement.breach_notified_at is None:
                breaches += 1
                Measurement.objects.filter(pk=measurement.pk).update(breach_notified_at=now)
                _notify_breach(measurement)
    log_action(
        organization,
        "charters.measurements.computed",
        by=SYSTEM,
        data={"written": written, "breaches": breaches, "today": today.isoformat()},
    )
    return {"written": written, "breaches": breaches}


def _notify_breach(measurement: Measurement) -> None:
    from compromiso.charters.tasks import notify_breach

    enqueue_with_transaction(notify_breach, measurement_id=measurement.pk)


def breach_recipients(commitment: Commitment) -> list[str]:
    """The owner unit's heads (the service's provider unit and the units above it) and the
    organisation's quality managers."""
    from compromiso.organizations.models import Membership

    unit = commitment.service.provider_unit
    ancestors = Q(unit__isnull=True, role="quality_manager")
    if unit is not None:
        paths = [unit.path[:i] for i in range(len(unit.path), 0, -1) if unit.path[:i].endswith("/")]
        ancestors |= Q(role="unit_head", unit__path__in=paths or [unit.path])
    emails = (
        Membership.objects.filter(organization_id=commitment.charter.organization_id)
        .filter(ancestors)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


@transaction.atomic
def record_manual_measurement(
    commitment: Commitment,
    *,
    by: Actor,
    period_start: dt.date,
    value: Decimal,
    evidence: str,
) -> Measurement:
    """Enter a manual indicator's value for one closed period, with its evidence; it counts
    once someone who approves charters approves it."""
    charter = commitment.charter
    require_on_charter(charter, by)
    if commitment.source != IndicatorSource.MANUAL:
        raise CharterError(_("This indicator is computed from the data: it cannot be typed."))
    if charter.status not in MEASURED_STATUSES:
        raise CharterError(_("Results are recorded for published charters only."))
    start, end = periods.period_containing(commitment.periodicity, period_start)
    if end >= charter.organization.today():
        raise ValidationError({"period_start": _("Record a period once it has ended.")})
    if end < charter.valid_from or start > charter.valid_to:
        raise ValidationError({"period_start": _("The period is outside the charter's validity.")})
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError({"evidence": _("Say where the figure comes from (the evidence).")})
    if value < 0:
        raise ValidationError({"value": _("Enter a value of zero or more.")})
    start, end = max(start, charter.valid_from), min(end, charter.valid_to)
    existing = Measurement.objects.filter(commitment=commitment, period_start=start).first()
    if existing is not None and existing.approved_at is not None:
        raise CharterError(_("This period's result is already approved and cannot be changed."))
    measurement, _created = Measurement.objects.update_or_create(
        commitment=commitment,
        period_start=start,
        defaults={
            "period_end": end,
            "value": value,
            "n": 0,
            "compliance": Compliance.PENDING,
            "computed_at": timezone.now(),
            "is_manual": True,
            "evidence": evidence[:5000],
            "entered_by": user_of(by),
        },
    )
    log_action(
        charter,
        "charters.measurement.entered",
        by=by,
        data={"commitment": commitment.pk, "period": start.isoformat(), "value": str(value)},
    )
    return measurement


@transaction.atomic
def approve_measurement(measurement: Measurement, *, by: Actor) -> Measurement:
    commitment = measurement.commitment
    charter = commitment.charter
    require_on_charter(charter, by, Perm.APPROVE_CHARTERS)
    if measurement.compliance != Compliance.PENDING:
        raise CharterError(_("This result is not waiting for approval."))
    if not isinstance(by, SystemActor) and measurement.entered_by_id == by.pk:
        raise CharterError(_("Someone other than the person who entered it must approve it."))
    measurement.compliance = _compliance(commitment, measurement.value)
    measurement.approved_by = user_of(by)
    measurement.approved_at = timezone.now()
    measurement.save()
    log_action(
        charter,
        "charters.measurement.approved",
        by=by,
        data={"commitment": commitment.pk, "period": measurement.period_start.isoformat()},
    )
    if measurement.compliance == Compliance.NOT_MET:
        Measurement.objects.filter(pk=measurement.pk).update(breach_notified_at=timezone.now())
        _notify_breach(measurement)
    return measurement
