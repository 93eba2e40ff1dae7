"""Every change to a charter: drafting, commitments, review, approval, publication, renewal,
expiry, and the measurements of its commitments. Each writes an audit entry."""

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.charters import completeness, indicators, periods
from compromiso.charters.models import (
    MAX_VALIDITY_YEARS,
    MEASURED_STATUSES,
    MIN_VALIDITY_YEARS,
    PERCENT_SOURCES,
    Charter,
    CharterStatus,
    Commitment,
    Compliance,
    IndicatorSource,
    Measurement,
    Section,
    SectionKind,
    validate_validity,
)
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization, Unit, User


class CharterError(DomainError):
    pass


def _require(charter: Charter, by: User | None, perm: Perm = Perm.EDIT_CHARTERS) -> None:
    require(
        by,
        perm,
        organization_id=charter.organization_id,
        unit_path=charter.unit.path if charter.unit is not None else None,
    )


def _editable(charter: Charter) -> None:
    if not charter.is_editable:
        raise CharterError(
            _("A %(state)s charter cannot be edited: renew it to make a new draft version.")
            % {"state": charter.get_status_display().lower()},
            code="not_editable",
        )


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
    by: User | None,
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
    _require(charter, by)
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
    by: User | None,
    services: Iterable[Service] | None = None,
    **fields: Any,
) -> Charter:
    _require(charter, by)
    _editable(charter)
    before = snapshot(charter, CHARTER_FIELDS)
    for name, value in fields.items():
        if name not in CHARTER_FIELDS:
            raise TypeError(name)
        setattr(charter, name, value)
    if charter.unit is not None and charter.unit.organization_id != charter.organization_id:
        raise ValidationError({"unit": _("Choose a unit of this organisation.")})
    _require(charter, by)
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


@transaction.atomic
def save_sections(charter: Charter, bodies: Mapping[str, str], *, by: User | None) -> Charter:
    """Write the charter's text sections (empty text removes nothing: the section stays empty)."""
    _require(charter, by)
    _editable(charter)
    changed = []
    for kind, body in bodies.items():
        if kind not in SectionKind.values:
            raise ValidationError(_("Unknown section “%(kind)s”.") % {"kind": kind})
        text = body.strip()
        if len(text) > 20000:
            raise ValidationError(_("A section holds at most 20,000 characters."))
        section, created = Section.objects.get_or_create(charter=charter, kind=kind)
        if created or section.body != text:
            section.body = text
            section.save(update_fields=["body"])
            changed.append(kind)
    if changed:
        log_action(charter, "charters.charter.sections", by=by, data={"sections": changed})
    return charter


COMMITMENT_FIELDS = (
    "service",
    "channel",
    "touch_point",
    "text",
    "is_minimum_standard",
    "is_guarantee",
    "redress_policy",
    "indicator",
    "source",
    "case_kind",
    "threshold_days",
    "comparator",
    "target",
    "periodicity",
    "note",
    "order",
    "unit",
)


def _validate_commitment(commitment: Commitment) -> None:
    charter = commitment.charter
    errors: dict[str, str] = {}
    if commitment.target is None:
        errors["target"] = _("Every commitment needs a target.")
    if commitment.service_id and not charter.services.filter(pk=commitment.service_id).exists():
        errors["service"] = _(
            "The charter does not cover this service: add it to the charter first."
        )
    channel: Channel | None = commitment.channel
    if channel is not None and channel.organization_id != charter.organization_id:
        errors["channel"] = _("Choose a channel of this organisation.")
    touch_point: TouchPoint | None = commitment.touch_point
    if touch_point is not None:
        if touch_point.organization_id != charter.organization_id:
            errors["touch_point"] = _("Choose a touch point of this organisation.")
        elif commitment.source != IndicatorSource.MANUAL:
            errors["touch_point"] = _(
                "Case indicators can be narrowed to a channel, not to a touch point; "
                "use a manual indicator for one office."
            )
    if commitment.source == IndicatorSource.MANUAL and not commitment.unit.strip():
        errors["unit"] = _("Say the unit of a manual indicator: percent, minutes, calls…")
    if commitment.source == IndicatorSource.CASES_WITHIN_DAYS and not commitment.threshold_days:
        errors["threshold_days"] = _("Say within how many business days.")
    if commitment.is_guarantee and not commitment.redress_policy.strip():
        errors["redress_policy"] = _("A guarantee says what the user gets when it is breached.")
    percent = commitment.source in PERCENT_SOURCES
    if percent and commitment.target is not None and commitment.target > 100:
        errors["target"] = _("A percentage target is at most 100.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_commitment(
    charter: Charter,
    *,
    by: User | None,
    commitment: Commitment | None = None,
    **fields: Any,
) -> Commitment:
    """Add a commitment to a draft charter, or change one."""
    _require(charter, by)
    _editable(charter)
    if commitment is None:
        commitment = Commitment(charter=charter, order=charter.commitments.count() + 1)
        before: dict[str, Any] = {}
    else:
        if commitment.charter_id != charter.pk:
            raise CharterError(_("This commitment belongs to another charter."))
        before = snapshot(commitment, COMMITMENT_FIELDS)
    for name, value in fields.items():
        if name not in COMMITMENT_FIELDS:
            raise TypeError(name)
        setattr(commitment, name, value)
    _validate_commitment(commitment)
    commitment.full_clean(exclude=["charter", "lineage"])
    commitment.save()
    log_action(
        charter,
        "charters.commitment.saved",
        by=by,
        data={
            "commitment": commitment.pk,
            "changes": changes(before, snapshot(commitment, COMMITMENT_FIELDS)),
        },
    )
    return commitment


@transaction.atomic
def remove_commitment(commitment: Commitment, *, by: User | None) -> None:
    """Drop a commitment from a draft (published versions keep theirs for ever)."""
    charter = commitment.charter
    _require(charter, by)
    _editable(charter)
    log_action(
        charter,
        "charters.commitment.removed",
        by=by,
        data={"commitment": commitment.pk, "text": commitment.text},
    )
    commitment.delete()


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


def _move(charter: Charter, to: str, *, by: User | None, data: dict[str, Any]) -> Charter:
    data = {"from": charter.status, "to": to, **data}
    charter.status = to
    charter.save()
    log_action(charter, f"charters.charter.{to}", by=by, data=data)
    return charter


@transaction.atomic
def submit_for_review(charter: Charter, *, by: User | None) -> Charter:
    _require(charter, by)
    if charter.status != CharterStatus.DRAFT:
        raise CharterError(_("Only a draft can be sent for review."))
    return _move(charter, CharterStatus.IN_REVIEW, by=by, data={})


@transaction.atomic
def return_to_draft(charter: Charter, *, by: User | None, comment: str = "") -> Charter:
    _require(charter, by, Perm.APPROVE_CHARTERS)
    if charter.status not in (CharterStatus.IN_REVIEW, CharterStatus.APPROVED):
        raise CharterError(_("Only a charter in review or approved can go back to draft."))
    charter.approved_at = None
    charter.approved_by = None
    return _move(charter, CharterStatus.DRAFT, by=by, data={"comment": comment[:1000]})


@transaction.atomic
def approve_charter(charter: Charter, *, by: User | None, reference: str) -> Charter:
    """Record the approval: who, when, and the act or resolution (e.g. the DGGP report)."""
    _require(charter, by, Perm.APPROVE_CHARTERS)
    if charter.status != CharterStatus.IN_REVIEW:
        raise CharterError(_("Only a charter in review can be approved."))
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationError({"reference": _("Give the act or resolution that approves it.")})
    if len(reference) > 300:
        raise ValidationError({"reference": _("At most 300 characters.")})
    charter.approval_reference = reference
    charter.approved_at = timezone.now()
    charter.approved_by = by
    return _move(charter, CharterStatus.APPROVED, by=by, data={"reference": reference})


@transaction.atomic
def publish_charter(charter: Charter, *, by: User | None, today: dt.date | None = None) -> Charter:
    """Publish an approved, complete charter; the version it renews is superseded."""
    _require(charter, by, Perm.APPROVE_CHARTERS)
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
        _move(old, CharterStatus.SUPERSEDED, by=by, data={"by_version": charter.version})
    charter.published_at = timezone.now()
    charter.published_by = by
    _move(charter, CharterStatus.PUBLISHED, by=by, data={})
    from compromiso.charters.tasks import compute_measurements_task

    enqueue_with_transaction(compute_measurements_task, organization_id=charter.organization_id)
    return charter


@transaction.atomic
def renew_charter(charter: Charter, *, by: User | None) -> Charter:
    """A new draft version made from this one: same text, services and commitments, the
    validity moved to follow the old one for the same length."""
    _require(charter, by)
    if charter.is_editable:
        raise CharterError(_("This version is still a draft: edit it instead."))
    newest = Charter.objects.filter(lineage=charter.lineage).order_by("-version").first()
    assert newest is not None
    if newest.is_editable or newest.status == CharterStatus.APPROVED:
        raise CharterError(_("A newer version is already being prepared."))
    length = charter.valid_to - charter.valid_from
    start = max(charter.valid_to + dt.timedelta(days=1), charter.organization.today())
    end = start + length
    # The same length, kept within one to three years (leap days can shift it by one).
    end = max(end, periods.add_years(start, MIN_VALIDITY_YEARS) - dt.timedelta(days=1))
    end = min(end, periods.add_years(start, MAX_VALIDITY_YEARS))
    draft = Charter.objects.create(
        organization=charter.organization,
        unit=charter.unit,
        lineage=charter.lineage,
        version=newest.version + 1,
        title=charter.title,
        profile=charter.profile,
        language=charter.language,
        valid_from=start,
        valid_to=end,
    )
    draft.services.set(charter.services.all())
    Section.objects.bulk_create(
        Section(charter=draft, kind=s.kind, body=s.body) for s in charter.sections.all()
    )
    for commitment in charter.commitments.all():
        commitment.pk = None
        commitment.charter = draft
        commitment.save()
    log_action(draft, "charters.charter.renewed", by=by, data={"from_version": charter.version})
    return draft


def compare(old: Charter, new: Charter) -> dict[str, Any]:
    """What changed between two versions: fields, sections (line by line) and commitments
    (matched across versions by their lineage)."""
    fields = []
    for name in ("title", "valid_from", "valid_to", "profile", "language"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            label = getattr(Charter._meta.get_field(name), "verbose_name", name)
            fields.append({"name": label, "old": before, "new": after})
    old_services = {s.name for s in old.services.all()}
    new_services = {s.name for s in new.services.all()}
    old_sections = dict(old.sections.values_list("kind", "body"))
    new_sections = dict(new.sections.values_list("kind", "body"))
    sections = []
    for kind in SectionKind:
        a, b = old_sections.get(kind, ""), new_sections.get(kind, "")
        if a != b:
            diff = difflib.ndiff(a.splitlines(), b.splitlines())
            lines = [(line[0], line[2:]) for line in diff if line[:1] in ("+", "-", " ")]
            sections.append({"label": kind.label, "lines": lines})
    old_commitments = {c.lineage: c for c in old.commitments.select_related("service")}
    new_commitments = {c.lineage: c for c in new.commitments.select_related("service")}
    compared = (
        "text",
        "indicator",
        "source",
        "comparator",
        "target",
        "periodicity",
        "threshold_days",
        "unit",
    )
    commitments = []
    for lineage, commitment in new_commitments.items():
        before_c = old_commitments.get(lineage)
        if before_c is None:
            commitments.append({"change": "added", "new": commitment, "old": None, "fields": []})
            continue
        changed = [
            {
                "name": getattr(Commitment._meta.get_field(name), "verbose_name", name),
                "old": getattr(before_c, name),
                "new": getattr(commitment, name),
            }
            for name in compared
            if getattr(before_c, name) != getattr(commitment, name)
        ]
        if changed:
            commitments.append(
                {"change": "changed", "new": commitment, "old": before_c, "fields": changed}
            )
    for lineage, commitment in old_commitments.items():
        if lineage not in new_commitments:
            commitments.append({"change": "removed", "new": None, "old": commitment, "fields": []})
    return {
        "fields": fields,
        "services_added": sorted(new_services - old_services),
        "services_removed": sorted(old_services - new_services),
        "sections": sections,
        "commitments": commitments,
    }


# Measurements ---------------------------------------------------------------------------


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
    from compromiso.cases import facts

    today = today or organization.today()
    facts.refresh(organization)
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
        by=None,
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
    by: User | None,
    period_start: dt.date,
    value: Decimal,
    evidence: str,
) -> Measurement:
    """Enter a manual indicator's value for one closed period, with its evidence; it counts
    once someone who approves charters approves it."""
    charter = commitment.charter
    _require(charter, by)
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
            "entered_by": by,
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
def approve_measurement(measurement: Measurement, *, by: User | None) -> Measurement:
    commitment = measurement.commitment
    charter = commitment.charter
    _require(charter, by, Perm.APPROVE_CHARTERS)
    if measurement.compliance != Compliance.PENDING:
        raise CharterError(_("This result is not waiting for approval."))
    if by is not None and measurement.entered_by_id == by.pk:
        raise CharterError(_("Someone other than the person who entered it must approve it."))
    measurement.compliance = _compliance(commitment, measurement.value)
    measurement.approved_by = by
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


# Validity -------------------------------------------------------------------------------


def review_due(charter: Charter) -> dt.date:
    """When the charter must be reviewed: Catalonia evaluates every 2 years (Llei 26/2010);
    otherwise three months before its validity ends."""
    years = completeness.EVALUATION_YEARS.get(charter.profile)
    end_review = charter.valid_to - dt.timedelta(days=90)
    if years and charter.published_at is not None:
        return min(end_review, periods.add_years(charter.valid_from, years))
    return end_review


@transaction.atomic
def expire_and_remind(today: dt.date | None = None) -> dict[str, int]:
    """Expire published charters past their validity and remind, once, those due for review.
    Idempotent: run it daily. Each charter's day is its organisation's."""

    def today_of(charter: Charter) -> dt.date:
        return today or charter.organization.today()

    # No place on Earth is more than a day ahead of UTC: later charters are not yet past.
    latest = today or timezone.now().date() + dt.timedelta(days=1)
    expired = 0
    for charter in Charter.objects.select_for_update().filter(
        status=CharterStatus.PUBLISHED, valid_to__lt=latest
    ):
        if charter.valid_to >= today_of(charter):
            continue
        _move(
            charter, CharterStatus.EXPIRED, by=None, data={"valid_to": charter.valid_to.isoformat()}
        )
        expired += 1
    reminded = 0
    for charter in Charter.objects.filter(
        status=CharterStatus.PUBLISHED, review_reminded_at__isnull=True
    ):
        if review_due(charter) <= today_of(charter):
            updated = Charter.objects.filter(pk=charter.pk, review_reminded_at__isnull=True).update(
                review_reminded_at=timezone.now()
            )
            if updated:
                reminded += 1
                _enqueue_reminder(charter.pk)
    return {"expired": expired, "reminded": reminded}


def _enqueue_reminder(charter_id: int) -> None:
    from compromiso.charters.tasks import send_review_reminder

    enqueue_with_transaction(send_review_reminder, charter_id=charter_id)
