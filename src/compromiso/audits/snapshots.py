"""What each evidence snapshot freezes: a plain JSON dict built from the live data through the
read models that compute the published figures (nothing is recomputed here another way), for the
audit's period in the organisation's own dates.

- `commitment`: a commitment's measurements per period (value, target, met or not) and its
  value over the audit period as a whole (`charters.indicators`);
- `tp_cases`: the case figures of a touch point — cases owned by its unit (and the units below
  it) that came in through its channel (`cases.analytics` over the daily facts);
- `survey_segment`: a wave's net satisfaction score for a segment (all answers, a service, a
  channel, a touch point, a user type, an age band or a segment question), with its 95 %
  interval and n (`insights.netscore` over the survey score counts);
- `case_sample`: the cases a sampling record drew: codes, kind, category, state, dates and
  whether the deadline was met — never a requester's name, address, e-mail, phone or text;
- `protocol`: protocol compliance at a touch point (`servicemodel.compliance`).

`build(audit, kind, params)` checks every parameter against the audit's organisation and scope
(an unknown or foreign id is a field error) and returns the payload with what the evidence links
to. `fingerprint` is the SHA-256 of the canonical JSON; a payload is stored as its canonical JSON
read back (`frozen`), so the stored value and its fingerprint always agree."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.models import Audit, Population, SamplingRecord, SnapshotKind
from compromiso.cases import analytics
from compromiso.cases.models import Case
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.charters import indicators, periods
from compromiso.charters.models import Commitment, Compliance, IndicatorSource
from compromiso.core.ids import parse_id
from compromiso.insights import netscore
from compromiso.servicemodel.compliance import Share, compliance_table, protocol_compliance
from compromiso.servicemodel.models import Protocol
from compromiso.surveys.figures import bands_of
from compromiso.surveys.models import AgeBand, ScoreCount, SegmentCount, UserType, Wave
from compromiso.surveys.segments import overall_question, segment_questions

VERSION = 1
SAMPLE_LIMIT = 500  # cases listed from one sampling record
SEGMENTS = ("all", "service", "channel", "touch_point", "user_type", "age_band")


def canonical_json(payload: Any) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    )


def fingerprint(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON, in hexadecimal."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def frozen(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as it is stored: its canonical JSON read back (dates become ISO strings)."""
    result: dict[str, Any] = json.loads(canonical_json(payload))
    return result


def _num(value: Decimal | float | int | None, places: int = 2) -> float | int | None:
    """A number for the payload: whole numbers stay integers, others are rounded floats."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return round(float(value), places)


@dataclass(frozen=True)
class Snapshot:
    title: str
    payload: dict[str, Any]
    commitment: Commitment | None = None
    touch_point: TouchPoint | None = None
    sample: SamplingRecord | None = None


# --- What the audit may reach -----------------------------------------------------------------


def touch_points_in_scope(audit: Audit) -> QuerySet[TouchPoint]:
    """The audit's touch points in scope; without any, its unit's (or the organisation's)."""
    points = TouchPoint.objects.filter(organization_id=audit.organization_id)
    chosen = audit.touch_points.all()
    if chosen.exists():
        return points.filter(pk__in=chosen.values("pk"))
    if audit.unit_id is not None and audit.unit is not None:
        return points.filter(unit__path__startswith=audit.unit.path)
    return points


def commitments_in_scope(audit: Audit) -> QuerySet[Commitment]:
    """The commitments of the audit's charters; without any, every one of the organisation."""
    commitments = Commitment.objects.filter(charter__organization_id=audit.organization_id)
    charters = audit.charters.all()
    if charters.exists():
        return commitments.filter(charter__in=charters.values("pk"))
    return commitments


def case_samples(audit: Audit) -> QuerySet[SamplingRecord]:
    return audit.samples.filter(population=Population.CASES, drawn_at__isnull=False)


def default_wave(audit: Audit) -> Wave | None:
    """The latest wave of the organisation overlapping the audit period, else its latest."""
    waves = Wave.objects.filter(organization_id=audit.organization_id).order_by("-opens_on", "-pk")
    overlapping = waves.filter(opens_on__lte=audit.period_end, closes_on__gte=audit.period_start)
    return overlapping.first() or waves.first()


def _pick[M: Model](rows: QuerySet[M], value: Any, field: str, message: str) -> M:
    if isinstance(value, Model):
        value = value.pk
    pk = parse_id(value)
    found = rows.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: message})
    return found


def _maybe[M: Model](rows: QuerySet[M], value: Any, field: str, message: str) -> M | None:
    if value in (None, ""):
        return None
    return _pick(rows, value, field, message)


def _period(audit: Audit) -> dict[str, dt.date]:
    return {"start": audit.period_start, "end": audit.period_end}


def _touch_point(point: TouchPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "name": point.name,
        "unit": point.unit.name,
        "channel": point.channel.name,
        "channel_kind": point.channel.kind,
    }


# --- (a) A commitment's measurements ----------------------------------------------------------


def commitment_measurements(audit: Audit, commitment: Commitment) -> dict[str, Any]:
    start, end = audit.period_start, audit.period_end
    target = commitment.target
    rows = []
    tally = dict.fromkeys(("met", "not_met", "no_data", "pending"), 0)
    for m in commitment.measurements.filter(period_start__lte=end, period_end__gte=start).order_by(
        "period_start"
    ):
        met = (
            None
            if m.compliance == Compliance.PENDING
            else periods.is_met(m.value, commitment.comparator, target)
        )
        tally[m.compliance if m.compliance in tally else "no_data"] += 1
        rows.append(
            {
                "period": periods.period_label(commitment.periodicity, m.period_start),
                "start": m.period_start,
                "end": m.period_end,
                "value": _num(m.value),
                "numerator": _num(m.numerator),
                "denominator": _num(m.denominator),
                "n": m.n,
                "compliance": m.compliance,
                "met": met,
                "manual": m.is_manual,
                "approved": m.approved_at is not None,
            }
        )
    overall = None
    through = min(end, audit.organization.today())
    if commitment.source != IndicatorSource.MANUAL and start <= through:
        value = indicators.measure(commitment, start, through)
        overall = {
            "start": start,
            "end": through,
            "value": _num(value.value),
            "numerator": _num(value.numerator),
            "denominator": _num(value.denominator),
            "n": value.n,
            "met": periods.is_met(value.value, commitment.comparator, target),
        }
    charter = commitment.charter
    return {
        "kind": SnapshotKind.COMMITMENT.value,
        "version": VERSION,
        "period": _period(audit),
        "commitment": {
            "id": commitment.pk,
            "text": commitment.text,
            "indicator": commitment.indicator,
            "source": commitment.source,
            "unit_symbol": str(commitment.unit_symbol),
            "comparator": commitment.comparator,
            "target": _num(target),
            "periodicity": commitment.periodicity,
            "charter": {"id": charter.pk, "title": charter.title, "version": charter.version},
            "service": commitment.service.name,
            "channel": commitment.channel.name if commitment.channel else None,
            "touch_point": commitment.touch_point.name if commitment.touch_point else None,
        },
        "measurements": rows,
        "summary": {"periods": len(rows), **tally},
        "overall": overall,
    }


def _commitment(audit: Audit, params: Mapping[str, Any]) -> Snapshot:
    commitment = _pick(
        commitments_in_scope(audit).select_related("charter", "service", "channel", "touch_point"),
        params.get("commitment"),
        "commitment",
        _("Choose a commitment of the charters this audit covers."),
    )
    return Snapshot(
        title=_("Measurements: %(commitment)s") % {"commitment": commitment.text[:150]},
        payload=commitment_measurements(audit, commitment),
        commitment=commitment,
        touch_point=commitment.touch_point,
    )


# --- (b) The case figures of a touch point ----------------------------------------------------


def touch_point_cases(audit: Audit, touch_point: TouchPoint) -> dict[str, Any]:
    organization = audit.organization
    filters = analytics.Filters(
        start=audit.period_start,
        end=audit.period_end,
        unit=touch_point.unit,
        channel=touch_point.channel,
    )
    figures = analytics.compute(organization, filters)
    totals = figures.totals
    keep = (
        "received",
        "answered",
        "answered_on_time",
        "acknowledged_on_time",
        "median_days",
        "p90_days",
        "extended",
        "reopened",
        "rejected",
        "rated",
        "handling",
    )
    return {
        "kind": SnapshotKind.TOUCH_POINT_CASES.value,
        "version": VERSION,
        "period": _period(audit),
        "touch_point": _touch_point(touch_point),
        "totals": {name: _num(totals[name], 1) for name in keep},
        "by_kind": [[label, count] for label, count in figures.by["kind"]],
        "by_category": [[label, count] for label, count in figures.by["category"]],
        "months": [list(row) for row in figures.months],
    }


def _tp_cases(audit: Audit, params: Mapping[str, Any]) -> Snapshot:
    point = _pick(
        touch_points_in_scope(audit).select_related("unit", "channel"),
        params.get("touch_point"),
        "touch_point",
        _("Choose a touch point in the audit's scope."),
    )
    return Snapshot(
        title=_("Cases at %(touch_point)s") % {"touch_point": point.name},
        payload=touch_point_cases(audit, point),
        touch_point=point,
    )


# --- (c) A survey's net score for a segment ---------------------------------------------------


def _estimate(estimate: netscore.Estimate | None) -> dict[str, float] | None:
    if estimate is None:
        return None
    return {
        "value": round(estimate.value, 2),
        "low": round(estimate.low, 2),
        "high": round(estimate.high, 2),
        "se": round(estimate.se, 3),
    }


def _segment(audit: Audit, wave: Wave, segment: str) -> tuple[str, str, str, dict[str, Any]]:
    """(dimension, value, label, filter on the counts) of a segment written "dimension" or
    "dimension:value"; refused unless it exists for the wave and the audit."""
    dimension, _sep, value = segment.partition(":")
    error = {"segment": _("Choose a segment of this wave.")}
    organization_id = audit.organization_id
    if dimension == "all":
        return "all", "", _("All answers"), {}
    id_based: dict[str, tuple[QuerySet[Any], str]] = {
        "service": (Service.objects.filter(organization_id=organization_id), "service_id"),
        "channel": (Channel.objects.filter(organization_id=organization_id), "channel_key"),
        "touch_point": (touch_points_in_scope(audit), "touch_point_key"),
    }
    if dimension in id_based:
        rows, key = id_based[dimension]
        found = _pick(rows, value, "segment", error["segment"])
        return dimension, str(found.pk), found.name, {key: found.pk}
    labels: dict[str, str] = {}
    if dimension == "user_type":
        labels = {v: str(label) for v, label in UserType.choices}
    elif dimension == "age_band":
        labels = {v: str(label) for v, label in AgeBand.choices}
    else:
        for question in segment_questions(wave):
            if dimension == f"q{question.pk}":
                labels = dict(question.choice_items())
    if value not in labels:
        raise ValidationError(error)
    return dimension, value, labels[value], {"segment": dimension, "value": value}


def survey_segment(audit: Audit, wave: Wave, segment: str = "all") -> dict[str, Any]:
    overall = overall_question(wave)
    if overall is None:
        raise ValidationError({"wave": _("This wave has no overall satisfaction question.")})
    dimension, value, label, condition = _segment(audit, wave, segment)
    if dimension in ("user_type", "age_band") or dimension.startswith("q"):
        rows: QuerySet[Any] = SegmentCount.objects.filter(wave=wave, question=overall, **condition)
    else:
        rows = ScoreCount.objects.filter(wave=wave, question=overall, **condition)
    counts = {
        int(row["score"]): int(row["total"])
        for row in rows.values("score").annotate(total=Sum("count")).order_by("score")
    }
    bands = bands_of(overall)
    summary = netscore.summarise(counts, bands)
    return {
        "kind": SnapshotKind.SURVEY_SEGMENT.value,
        "version": VERSION,
        "period": _period(audit),
        "wave": {
            "id": wave.pk,
            "title": wave.title,
            "opens_on": wave.opens_on,
            "closes_on": wave.closes_on,
            "min_publish": wave.min_publish,
        },
        "question": overall.text,
        "scale": {
            "min": bands.scale_min,
            "max": bands.scale_max,
            "satisfied_from": bands.satisfied_min,
            "dissatisfied_to": bands.dissatisfied_max,
        },
        "segment": {"dimension": dimension, "value": value, "label": label},
        "n": summary.n,
        "satisfied": summary.satisfied,
        "dissatisfied": summary.dissatisfied,
        "net": _estimate(summary.net),
        "top_box": _estimate(summary.top_box),
        "mean": _estimate(summary.mean),
        "shown": summary.n >= wave.min_publish,
        "distribution": [[score, counts[score]] for score in sorted(counts)],
    }


def _survey(audit: Audit, params: Mapping[str, Any]) -> Snapshot:
    wave = _pick(
        Wave.objects.filter(organization_id=audit.organization_id).select_related("questionnaire"),
        params.get("wave"),
        "wave",
        _("Choose a survey wave of this organisation."),
    )
    segment = str(params.get("segment") or "all")[:100]
    payload = survey_segment(audit, wave, segment)
    point = None
    if payload["segment"]["dimension"] == "touch_point":
        point = TouchPoint.objects.filter(pk=int(payload["segment"]["value"])).first()
    return Snapshot(
        title=_("Net score: %(wave)s · %(segment)s")
        % {"wave": wave.title, "segment": payload["segment"]["label"]},
        payload=payload,
        touch_point=point,
    )


# --- (d) A sample of cases --------------------------------------------------------------------


def _local_day(audit: Audit, moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else audit.organization.local(moment).date()


def _deadline_met(case: Case, now: dt.datetime) -> bool | None:
    """Answered by the deadline (no deadline counts as met, as in the figures); an open case
    past its deadline has missed it; an open one still in time has no verdict yet."""
    if case.answered_at is not None:
        return case.due_at is None or case.answered_at <= case.due_at
    if case.due_at is not None and case.due_at < now:
        return False
    return None


def case_sample(audit: Audit, sample: SamplingRecord) -> dict[str, Any]:
    keys = list(sample.items or [])[:SAMPLE_LIMIT]
    ids = [pk for key in keys if (pk := parse_id(key)) is not None]
    codes = [str(key) for key in keys if parse_id(key) is None]
    cases = Case.objects.filter(organization_id=audit.organization_id).filter(
        Q(pk__in=ids) | Q(tracking_code__in=codes)
    )
    cases = cases.select_related("category__parent", "service", "channel")
    found = {case.pk: case for case in cases}
    by_code = {case.tracking_code: case for case in found.values()}
    now = timezone.now()
    rows = []
    missing = 0
    for position, key in enumerate(keys, start=1):
        pk = parse_id(key)
        case = found.get(pk) if pk is not None else by_code.get(str(key))
        if case is None:
            missing += 1
            continue
        rows.append(
            {
                "position": position,
                "code": case.tracking_code,
                "kind": case.kind,
                "category": str(case.category) if case.category else None,
                "service": case.service.name if case.service else None,
                "channel": case.channel.name,
                "status": case.status,
                "received_on": _local_day(audit, case.received_at),
                "due_on": _local_day(audit, case.due_at),
                "answered_on": _local_day(audit, case.answered_at),
                "closed_on": _local_day(audit, case.closed_at),
                "deadline_met": _deadline_met(case, now),
            }
        )
    met = sum(1 for row in rows if row["deadline_met"] is True)
    judged = sum(1 for row in rows if row["deadline_met"] is not None)
    return {
        "kind": SnapshotKind.CASE_SAMPLE.value,
        "version": VERSION,
        "period": _period(audit),
        "sample": {
            "id": sample.pk,
            "title": sample.title,
            "method": sample.method,
            "seed": sample.seed,
            "population_size": sample.population_size,
            "sample_size": sample.sample_size,
            "drawn_at": sample.drawn_at,
            "fingerprint": sample.fingerprint,
        },
        "cases": rows,
        "missing": missing + max(0, len(sample.items or []) - SAMPLE_LIMIT),
        "summary": {
            "listed": len(rows),
            "deadline_met": met,
            "deadline_judged": judged,
            "deadline_met_percent": round(100 * met / judged, 1) if judged else None,
        },
    }


def _case_sample(audit: Audit, params: Mapping[str, Any]) -> Snapshot:
    sample = _pick(
        case_samples(audit),
        params.get("sample"),
        "sample",
        _("Choose a sample of cases drawn for this audit."),
    )
    return Snapshot(
        title=_("Case sample: %(sample)s") % {"sample": sample.title},
        payload=case_sample(audit, sample),
        sample=sample,
    )


# --- (e) Protocol compliance at a touch point -------------------------------------------------


def _share(share: Share) -> dict[str, Any]:
    return {
        "met": share.numerator,
        "applicable": share.denominator,
        "observations": share.observations,
        "percent": _num(share.value),
    }


def protocol_compliance_at(
    audit: Audit, touch_point: TouchPoint, protocol: Protocol | None = None
) -> dict[str, Any]:
    organization = audit.organization
    start, end = audit.period_start, audit.period_end
    total = protocol_compliance(
        organization, start, end, touch_point=touch_point, protocol=protocol
    )
    table = compliance_table(
        organization,
        start,
        end,
        touch_points=TouchPoint.objects.filter(pk=touch_point.pk),
        units=[],
        protocol=protocol,
    )
    return {
        "kind": SnapshotKind.PROTOCOL_COMPLIANCE.value,
        "version": VERSION,
        "period": _period(audit),
        "touch_point": _touch_point(touch_point),
        "protocol": {"id": protocol.pk, "name": protocol.name} if protocol else None,
        "total": _share(total),
        "protocols": [{"name": row.subject.name, **_share(row.share)} for row in table.protocols],
        "steps": [
            {
                "protocol": row.subject.protocol.name,
                "order": row.subject.order,
                "behaviour": row.subject.behaviour,
                **_share(row.share),
            }
            for row in table.steps
        ],
    }


def _protocol(audit: Audit, params: Mapping[str, Any]) -> Snapshot:
    point = _pick(
        touch_points_in_scope(audit).select_related("unit", "channel"),
        params.get("touch_point"),
        "touch_point",
        _("Choose a touch point in the audit's scope."),
    )
    protocol = _maybe(
        Protocol.objects.filter(organization_id=audit.organization_id),
        params.get("protocol"),
        "protocol",
        _("Choose a protocol of this organisation."),
    )
    return Snapshot(
        title=_("Protocol compliance at %(touch_point)s") % {"touch_point": point.name},
        payload=protocol_compliance_at(audit, point, protocol),
        touch_point=point,
    )


# --- The registry -----------------------------------------------------------------------------

BUILDERS: dict[str, tuple[Callable[[Audit, Mapping[str, Any]], Snapshot], frozenset[str]]] = {
    SnapshotKind.COMMITMENT: (_commitment, frozenset({"commitment"})),
    SnapshotKind.TOUCH_POINT_CASES: (_tp_cases, frozenset({"touch_point"})),
    SnapshotKind.SURVEY_SEGMENT: (_survey, frozenset({"wave", "segment"})),
    SnapshotKind.CASE_SAMPLE: (_case_sample, frozenset({"sample"})),
    SnapshotKind.PROTOCOL_COMPLIANCE: (_protocol, frozenset({"touch_point", "protocol"})),
}


def build(audit: Audit, kind: str, params: Mapping[str, Any]) -> Snapshot:
    """The snapshot of `kind` for the audit's period; every parameter is checked against the
    audit's organisation and scope (an unknown kind or parameter is refused)."""
    if kind not in BUILDERS:
        raise ValidationError({"snapshot_kind": _("Unknown kind of snapshot.")})
    builder, accepted = BUILDERS[kind]
    unknown = set(params) - accepted
    if unknown:
        raise ValidationError({"snapshot_kind": _("Unexpected data for this kind of snapshot.")})
    return builder(audit, params)
