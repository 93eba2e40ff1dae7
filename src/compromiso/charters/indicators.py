"""Indicator formulas over data the system already holds. Case indicators read the cases'
daily facts (the same figures as the complaints analytics), refreshed first so a change to a
case reaches the next computation."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from compromiso.cases import facts
from compromiso.cases.analytics import percentile
from compromiso.cases.models import CaseDailyFact
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment, IndicatorSource
from compromiso.insights import netscore
from compromiso.servicemodel.compliance import protocol_compliance
from compromiso.servicemodel.training_coverage import training_coverage
from compromiso.surveys.figures import service_counts

HUNDREDTH = Decimal("0.01")
ATTENTION_SOURCES = (
    IndicatorSource.ATTENTION_WITHIN,
    IndicatorSource.ATTENTION_MEAN_WAIT,
    IndicatorSource.ATTENTION_MEDIAN_WAIT,
    IndicatorSource.ATTENTION_COMPLAINTS,
    IndicatorSource.CALLS_WITHIN,
)


@dataclass(frozen=True)
class Value:
    """An indicator's value for a period; `value` None means no data."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    n: int


NO_DATA = Value(None, None, None, 0)


def _round(number: Decimal | float) -> Decimal:
    return Decimal(str(number)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Value:
    if whole == 0:
        return NO_DATA
    return Value(_round(Decimal(part) * 100 / whole), Decimal(part), Decimal(whole), whole)


def _facts(commitment: Commitment, start: dt.date, end: dt.date) -> QuerySet[CaseDailyFact]:
    rows = CaseDailyFact.objects.filter(
        organization_id=commitment.charter.organization_id,
        day__gte=start,
        day__lte=end,
        service_id=commitment.service_id,
    )
    if commitment.channel_id is not None:
        rows = rows.filter(channel_id=commitment.channel_id)
    if commitment.case_kind:
        rows = rows.filter(kind=commitment.case_kind)
    return rows


def measure(commitment: Commitment, start: dt.date, end: dt.date, *, refresh: bool = True) -> Value:
    """The value of a computed indicator over [start, end] (local dates, both included)."""
    source = commitment.source
    if source == IndicatorSource.MANUAL:
        raise ValueError("manual indicators are entered, not computed")
    if source in (IndicatorSource.SURVEY_NET_SCORE, IndicatorSource.SURVEY_SATISFIED):
        return _survey(commitment, start, end)
    if source == IndicatorSource.PROTOCOL_COMPLIANCE:
        return _protocol_compliance(commitment, start, end)
    if source == IndicatorSource.TRAINING_COVERAGE:
        return _training_coverage(commitment, end)
    if source in ATTENTION_SOURCES:  # -- attention (figures)
        from compromiso.charters.attention_indicators import measure_attention

        return measure_attention(commitment, start, end, refresh=refresh)
    if refresh:
        facts.refresh(commitment.charter.organization)
    rows = _facts(commitment, start, end)
    if source in (IndicatorSource.CASES_WITHIN_DAYS, IndicatorSource.CASES_MEDIAN_DAYS):
        histogram: Counter[int] = Counter()
        for days in rows.filter(answered__gt=0).values_list("answer_days", flat=True):
            for key, count in days.items():
                histogram[int(key)] += count
        answered = sum(histogram.values())
        if source == IndicatorSource.CASES_MEDIAN_DAYS:
            median = percentile(histogram, 0.5)
            if median is None:
                return NO_DATA
            return Value(_round(median), None, None, answered)
        limit = commitment.threshold_days or 0
        within = sum(count for days, count in histogram.items() if days <= limit)
        return _share(within, answered)
    totals = rows.aggregate(
        answered=Sum("answered"),
        on_time=Sum("answered_on_time"),
        acknowledged=Sum("acknowledged"),
        acknowledged_on_time=Sum("acknowledged_on_time"),
        received=Sum("received"),
        rated=Sum("rated"),
        handling=Sum("handling_sum"),
    )
    total = {key: value or 0 for key, value in totals.items()}
    if source == IndicatorSource.CASES_ON_TIME:
        return _share(total["on_time"], total["answered"])
    if source == IndicatorSource.CASES_ACKNOWLEDGED:
        return _share(total["acknowledged_on_time"], total["acknowledged"])
    if source == IndicatorSource.CASES_RECEIVED:
        # A count is data even when it is zero: the channels were open and nobody complained.
        received = int(total["received"])
        return Value(Decimal(received), Decimal(received), None, received)
    if source == IndicatorSource.CASES_HANDLING:
        rated = int(total["rated"])
        if rated == 0:
            return NO_DATA
        return Value(
            _round(Decimal(str(total["handling"])) / rated),
            _round(total["handling"]),
            Decimal(rated),
            rated,
        )
    raise ValueError(f"unknown indicator source {source}")


def _survey(commitment: Commitment, start: dt.date, end: dt.date) -> Value:
    """The service's overall satisfaction question over the months of the period, across the
    waves that measured it (read from the survey score counts)."""
    counts, bands = service_counts(commitment.service, start.replace(day=1), end)
    if bands is None:
        return NO_DATA
    summary = netscore.summarise(counts, bands)
    if summary.n == 0 or summary.net is None or summary.top_box is None:
        return NO_DATA
    if commitment.source == IndicatorSource.SURVEY_NET_SCORE:
        value = summary.net.value
        numerator = Decimal(summary.satisfied - summary.dissatisfied)
    else:
        value = summary.top_box.value
        numerator = Decimal(summary.satisfied)
    return Value(_round(value), numerator, Decimal(summary.n), summary.n)


def _protocol_compliance(commitment: Commitment, start: dt.date, end: dt.date) -> Value:
    """Protocol steps observed as met, of those observed (not applicable ones left out), at the
    commitment's touch point, at the touch points of its channel, or in the charter's unit;
    only the observations made one way (e.g. mystery shopping) when the commitment says so."""
    organization = commitment.charter.organization
    protocol = commitment.protocol
    method = commitment.check_method or None
    if commitment.touch_point is not None:
        share = protocol_compliance(
            organization,
            start,
            end,
            touch_point=commitment.touch_point,
            protocol=protocol,
            method=method,
        )
    elif commitment.channel is not None:
        share = protocol_compliance(
            organization,
            start,
            end,
            protocol=protocol,
            method=method,
            touch_points=TouchPoint.objects.filter(channel=commitment.channel),
        )
    else:
        share = protocol_compliance(
            organization,
            start,
            end,
            unit=commitment.charter.unit,
            protocol=protocol,
            method=method,
        )
    return _share(share.numerator, share.denominator)


def _training_coverage(commitment: Commitment, end: dt.date) -> Value:
    """Contact staff trained in the protocols of their touch points on the period's last day:
    at the commitment's touch point, or in the charter's unit (the whole organisation for an
    organisation-wide charter)."""
    share = training_coverage(
        commitment.charter.organization,
        end,
        touch_point=commitment.touch_point,
        unit=commitment.charter.unit if commitment.touch_point is None else None,
    )
    return _share(share.numerator, share.denominator)
