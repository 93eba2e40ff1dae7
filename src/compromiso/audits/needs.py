"""What a sign of need showed when it was linked to a proposal, frozen into `NeedSignal.figures`
(plain JSON: numbers as strings or floats, dates as ISO text), so the proposal keeps what was
seen then even after the data move on.

- a breached commitment: its target and its last six measured periods;
- a complaint cause: complaints with that root cause per month over the last six months, and
  the last 90 days against the 90 before;
- a survey: the question's net score and % satisfied in the wave, and in one segment
  ("user_type=…", "age_band=…", "q<id>=…") for the overall question;
- an equity gap: a unit's cases answered on time in the last 90 days against the whole
  organisation, or a touch point's protocol compliance against the organisation's.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from compromiso.cases import facts
from compromiso.cases.analytics import Filters, compute
from compromiso.cases.models import CaseDailyFact, CaseKind, RootCause
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.calendar import add_months
from compromiso.insights import netscore
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.compliance import Share, protocol_compliance
from compromiso.surveys.figures.cells import bands_of
from compromiso.surveys.models import Question, ScoreCount, SegmentCount, Wave

MEASUREMENTS_KEPT = 6
WINDOW_DAYS = 90


def _decimal(value: Any) -> str | None:
    return None if value is None else str(value)


def commitment_figures(commitment: Commitment) -> dict[str, Any]:
    rows = list(commitment.measurements.order_by("-period_start")[:MEASUREMENTS_KEPT])
    return {
        "commitment": commitment.text,
        "target": str(commitment.target),
        "comparator": commitment.comparator,
        "unit": commitment.unit_symbol,
        "measurements": [
            {
                "period_start": m.period_start.isoformat(),
                "period_end": m.period_end.isoformat(),
                "value": _decimal(m.value),
                "n": m.n,
                "compliance": m.compliance,
            }
            for m in reversed(rows)
        ],
        "periods_not_met": sum(1 for m in rows if m.compliance == "not_met"),
    }


def root_cause_figures(root_cause: RootCause, today: dt.date) -> dict[str, Any]:
    organization = root_cause.organization
    facts.refresh(organization)
    rows = CaseDailyFact.objects.filter(
        organization=organization, kind=CaseKind.COMPLAINT, root_cause=root_cause
    )
    first_month = add_months(today.replace(day=1), -(MEASUREMENTS_KEPT - 1))
    by_month = {
        month: received or 0
        for month, received in rows.filter(day__gte=first_month, day__lte=today)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(received=Sum("received"))
        .values_list("month", "received")
    }
    months = [add_months(first_month, n) for n in range(MEASUREMENTS_KEPT)]

    def received(start: dt.date, end: dt.date) -> int:
        total = rows.filter(day__gte=start, day__lte=end).aggregate(n=Sum("received"))["n"]
        return int(total or 0)

    window = dt.timedelta(days=WINDOW_DAYS)
    last = received(today - window + dt.timedelta(days=1), today)
    before = received(today - 2 * window + dt.timedelta(days=1), today - window)
    return {
        "root_cause": root_cause.name,
        "months": [
            {"month": month.isoformat()[:7], "complaints": _month_count(by_month, month)}
            for month in months
        ],
        "last_90_days": last,
        "previous_90_days": before,
    }


def _month_count(by_month: dict[Any, int], month: dt.date) -> int:
    for key, count in by_month.items():
        key_date = key.date() if isinstance(key, dt.datetime) else key
        if key_date == month:
            return count
    return 0


def _summary(counts: dict[int, int], question: Question) -> dict[str, Any]:
    summary = netscore.summarise(counts, bands_of(question))
    return {
        "n": summary.n,
        "net": round(summary.net.value, 1) if summary.net else None,
        "satisfied": round(summary.top_box.value, 1) if summary.top_box else None,
    }


def survey_figures(wave: Wave, question: Question | None, segment: str) -> dict[str, Any]:
    """The question's score in the wave (the overall question when none is named) and, for a
    segment "name=value", the overall question's score in that segment."""
    chosen = (
        question
        or Question.objects.filter(questionnaire_id=wave.questionnaire_id, is_overall=True).first()
    )
    found: dict[str, Any] = {"wave": wave.title}
    if chosen is None or chosen.scale_min is None:
        return found
    counts: dict[int, int] = defaultdict(int)
    for score, total in (
        ScoreCount.objects.filter(wave=wave, question=chosen)
        .values("score")
        .annotate(total=Sum("count"))
        .values_list("score", "total")
    ):
        counts[score] += total
    found["question"] = chosen.text
    found["whole_wave"] = _summary(dict(counts), chosen)
    name, _sep, value = segment.partition("=")
    if name.strip() and value.strip():
        in_segment: dict[int, int] = defaultdict(int)
        for score, total in (
            SegmentCount.objects.filter(wave=wave, segment=name.strip()[:20], value=value.strip())
            .values("score")
            .annotate(total=Sum("count"))
            .values_list("score", "total")
        ):
            in_segment[score] += total
        overall = Question.objects.filter(
            questionnaire_id=wave.questionnaire_id, is_overall=True
        ).first()
        if overall is not None and overall.scale_min is not None:
            found["segment"] = {"name": segment[:200], **_summary(dict(in_segment), overall)}
    return found


def _on_time(organization: Organization, unit: Unit | None, start: dt.date, end: dt.date) -> Any:
    totals = compute(organization, Filters(start=start, end=end, unit=unit)).totals
    return {"received": totals["received"], "answered_on_time": totals["answered_on_time"]}


def _share(share: Share) -> dict[str, Any]:
    return {"observations": share.observations, "compliance": _decimal(share.value)}


def equity_figures(
    organization: Organization,
    unit: Unit | None,
    touch_point: TouchPoint | None,
    today: dt.date,
) -> dict[str, Any]:
    start = today - dt.timedelta(days=WINDOW_DAYS - 1)
    found: dict[str, Any] = {"from": start.isoformat(), "to": today.isoformat()}
    if unit is not None:
        found["unit"] = {"name": unit.name, **_on_time(organization, unit, start, today)}
        found["organization"] = _on_time(organization, None, start, today)
    if touch_point is not None:
        found["touch_point"] = {
            "name": touch_point.name,
            **_share(protocol_compliance(organization, start, today, touch_point=touch_point)),
        }
        found["organization_compliance"] = _share(protocol_compliance(organization, start, today))
    return found
