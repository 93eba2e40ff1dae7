"""A draft's content: its text sections and its commitments."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.catalog.models import Channel, TouchPoint
from compromiso.charters.models import (
    PERCENT_SOURCES,
    Charter,
    Commitment,
    IndicatorSource,
    Section,
    SectionKind,
)
from compromiso.charters.services.guards import CharterError, ensure_editable, require_on_charter
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot


@transaction.atomic
def save_sections(charter: Charter, bodies: Mapping[str, str], *, by: Actor) -> Charter:
    """Write the charter's text sections (empty text removes nothing: the section stays empty)."""
    require_on_charter(charter, by)
    ensure_editable(charter)
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


# Sources that can be narrowed to one touch point (cases are counted per channel only).
TOUCH_POINT_SOURCES = (
    IndicatorSource.MANUAL,
    IndicatorSource.PROTOCOL_COMPLIANCE,
    IndicatorSource.TRAINING_COVERAGE,
    IndicatorSource.ATTENTION_WITHIN,  # -- attention: a branch is a touch point
    IndicatorSource.ATTENTION_MEAN_WAIT,
    IndicatorSource.ATTENTION_MEDIAN_WAIT,
    IndicatorSource.ATTENTION_COMPLAINTS,
    IndicatorSource.CALLS_WITHIN,
)

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
    "threshold_minutes",
    "threshold_seconds",
    "protocol",
    "check_method",
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
        elif commitment.source not in TOUCH_POINT_SOURCES:
            errors["touch_point"] = _(
                "Case indicators can be narrowed to a channel, not to a touch point; "
                "use a manual indicator for one office."
            )
    protocol = commitment.protocol
    if protocol is not None:
        if protocol.organization_id != charter.organization_id:
            errors["protocol"] = _("Choose a protocol of this organisation.")
        elif commitment.source != IndicatorSource.PROTOCOL_COMPLIANCE:
            errors["protocol"] = _("Only a protocol compliance indicator names a protocol.")
    if commitment.check_method and commitment.source != IndicatorSource.PROTOCOL_COMPLIANCE:
        errors["check_method"] = _(
            "Only a protocol compliance indicator is narrowed to a way of observing."
        )
    if commitment.source == IndicatorSource.MANUAL and not commitment.unit.strip():
        errors["unit"] = _("Say the unit of a manual indicator: percent, minutes, calls…")
    if commitment.source == IndicatorSource.CASES_WITHIN_DAYS and not commitment.threshold_days:
        errors["threshold_days"] = _("Say within how many business days.")
    if commitment.source == IndicatorSource.ATTENTION_WITHIN and not commitment.threshold_minutes:
        errors["threshold_minutes"] = _("Say within how many minutes.")
    if commitment.source == IndicatorSource.CALLS_WITHIN and not commitment.threshold_seconds:
        errors["threshold_seconds"] = _("Say within how many seconds.")
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
    by: Actor,
    commitment: Commitment | None = None,
    **fields: Any,
) -> Commitment:
    """Add a commitment to a draft charter, or change one."""
    require_on_charter(charter, by)
    ensure_editable(charter)
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
def remove_commitment(commitment: Commitment, *, by: Actor) -> None:
    """Drop a commitment from a draft (published versions keep theirs for ever)."""
    charter = commitment.charter
    require_on_charter(charter, by)
    ensure_editable(charter)
    log_action(
        charter,
        "charters.commitment.removed",
        by=by,
        data={"commitment": commitment.pk, "text": commitment.text},
    )
    commitment.delete()
