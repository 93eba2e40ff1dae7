"""Charter indicators measured from the branches' daily facts and the contact centre's figures
(the attention app), with the same period and no-data rules as the other sources:

- visitors served within N minutes = called within N ÷ (called + left uncalled after waiting
  more than N), the attention figures' convention;
- average and median wait, in minutes, over the transactions called;
- complaints per 1,000 attentions = complaints received about the service ÷ attentions started
  (transactions served) × 1,000;
- calls answered within N seconds = answered within N ÷ (answered + abandoned − short
  abandons) over the contact centre's intervals with that threshold (ISO 18295 practice:
  abandons before the short-abandon limit were never offered to an agent); without intervals,
  over the calls logged one by one: answered with a wait ≤ N ÷ (answered + abandoned).

A commitment's touch point is a branch; its channel keeps the branches (or lines) of that
channel. No visit, call or attention in the period means no data."""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from compromiso.attention import facts
from compromiso.attention.models import (
    Contact,
    ContactInterval,
    ContactKind,
    ContactOutcome,
    VisitDailyFact,
)
from compromiso.cases import facts as case_facts
from compromiso.cases.analytics import percentile
from compromiso.cases.models import CaseDailyFact
from compromiso.charters.indicators import NO_DATA, Value, _round, _share
from compromiso.charters.models import Commitment, IndicatorSource


def _visit_facts(commitment: Commitment, start: dt.date, end: dt.date) -> QuerySet[VisitDailyFact]:
    rows = VisitDailyFact.objects.filter(
        organization_id=commitment.charter.organization_id,
        day__gte=start,
        day__lte=end,
        service_id=commitment.service_id,
    )
    if commitment.touch_point_id is not None:
        rows = rows.filter(branch__touch_point_id=commitment.touch_point_id)
    if commitment.channel_id is not None:
        rows = rows.filter(branch__touch_point__channel_id=commitment.channel_id)
    return rows


def measure_attention(
    commitment: Commitment, start: dt.date, end: dt.date, *, refresh: bool = True
) -> Value:
    organization = commitment.charter.organization
    source = commitment.source
    if source == IndicatorSource.CALLS_WITHIN:
        return _calls_within(commitment, start, end)
    if refresh:
        facts.refresh(organization)
    rows = _visit_facts(commitment, start, end)
    if source == IndicatorSource.ATTENTION_COMPLAINTS:
        return _complaints_per_1000(commitment, rows, start, end, refresh=refresh)
    if source == IndicatorSource.ATTENTION_MEAN_WAIT:
        sums = rows.aggregate(called=Sum("called"), wait=Sum("wait_seconds"))
        called = sums["called"] or 0
        if called == 0:
            return NO_DATA
        minutes = Decimal(sums["wait"] or 0) / 60
        return Value(_round(minutes / called), _round(minutes), Decimal(called), called)
    wait: Counter[int] = Counter()
    left: Counter[int] = Counter()
    for waits, lefts in rows.values_list("wait_minutes", "left_minutes"):
        for key, count in waits.items():
            wait[int(key)] += count
        for key, count in lefts.items():
            left[int(key)] += count
    called = sum(wait.values())
    if source == IndicatorSource.ATTENTION_MEDIAN_WAIT:
        median = percentile(wait, 0.5)
        return NO_DATA if median is None else Value(_round(median), None, None, called)
    limit = commitment.threshold_minutes or 0
    within = sum(count for minutes, count in wait.items() if minutes <= limit)
    late_left = sum(count for minutes, count in left.items() if minutes > limit)
    return _share(within, called + late_left)


def _complaints_per_1000(
    commitment: Commitment,
    rows: QuerySet[VisitDailyFact],
    start: dt.date,
    end: dt.date,
    *,
    refresh: bool,
) -> Value:
    served = rows.aggregate(served=Sum("served"))["served"] or 0
    if served == 0:
        return NO_DATA
    if refresh:
        case_facts.refresh(commitment.charter.organization)
    cases = CaseDailyFact.objects.filter(
        organization_id=commitment.charter.organization_id,
        day__gte=start,
        day__lte=end,
        service_id=commitment.service_id,
        kind="complaint",
    )
    if commitment.touch_point is not None:  # complaints about the branch's unit
        cases = cases.filter(unit_id=commitment.touch_point.unit_id)
    received = cases.aggregate(received=Sum("received"))["received"] or 0
    return Value(
        _round(Decimal(received) * 1000 / served), Decimal(received), Decimal(served), served
    )


def _bounds(commitment: Commitment, start: dt.date, end: dt.date) -> tuple[dt.datetime, ...]:
    zone = commitment.charter.organization.zone
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _calls_within(commitment: Commitment, start: dt.date, end: dt.date) -> Value:
    since, until = _bounds(commitment, start, end)
    limit = commitment.threshold_seconds or 0
    organization_id = commitment.charter.organization_id
    intervals = ContactInterval.objects.filter(
        organization_id=organization_id,
        starts_at__gte=since,
        starts_at__lt=until,
        threshold_seconds=limit,
    )
    if commitment.channel_id is not None:
        intervals = intervals.filter(channel_id=commitment.channel_id)
    if commitment.touch_point_id is not None:
        intervals = intervals.filter(touch_point_id=commitment.touch_point_id)
    sums = intervals.aggregate(
        answered=Sum("answered"),
        within=Sum("answered_within"),
        abandoned=Sum("abandoned"),
        short=Sum("short_abandoned"),
    )
    if sums["answered"] is not None:
        offered = sums["answered"] + sums["abandoned"] - sums["short"]
        return _share(sums["within"], offered)
    calls = Contact.objects.filter(
        organization_id=organization_id,
        kind=ContactKind.PHONE,
        started_at__gte=since,
        started_at__lt=until,
    ).filter(Q(service_id=commitment.service_id) | Q(service__isnull=True))
    if commitment.channel_id is not None:
        calls = calls.filter(channel_id=commitment.channel_id)
    if commitment.touch_point_id is not None:
        calls = calls.filter(touch_point_id=commitment.touch_point_id)
    abandoned = calls.filter(outcome=ContactOutcome.ABANDONED).count()
    answered = calls.exclude(outcome=ContactOutcome.ABANDONED)
    within = answered.filter(wait_seconds__lte=limit).count()
    return _share(within, answered.count() + abandoned)
