"""Case figures for managers (ISO 10002 §8.4, 8.6), computed from the daily facts.

Every figure is a small GROUP BY over `CaseDailyFact` rows of the chosen period, so the cost
depends on days × dimension combinations, not on how many cases the archive holds. The backlog
(open cases by age) is read from the open cases only, through the status/due index.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases import facts
from compromiso.cases.models import Case, CaseDailyFact, CaseKind, Category, RootCause
from compromiso.catalog.models import Channel, Service
from compromiso.organizations.models import Organization, Unit, User

DIMENSIONS: dict[str, tuple[Any, Any]] = {
    "kind": (_("Kind"), None),
    "root_cause": (_("Root cause"), RootCause),
    "category": (_("Category"), Category),
    "service": (_("Service"), Service),
    "unit": (_("Unit"), Unit),
    "channel": (_("Channel"), Channel),
}
BACKLOG_BUCKETS = ((0, 5), (6, 10), (11, 20), (21, 40), (41, None))


@dataclass
class Filters:
    start: dt.date
    end: dt.date
    kind: str = ""
    unit: Unit | None = None
    service: Service | None = None
    channel: Channel | None = None


@dataclass
class Figures:
    totals: dict[str, Any]
    by: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    months: list[tuple[str, int, int]] = field(default_factory=list)
    pareto: list[tuple[str, int, float]] = field(default_factory=list)
    rising: list[tuple[str, int, int]] = field(default_factory=list)
    backlog: list[tuple[str, int]] = field(default_factory=list)


def unit_in_scope(user: User, organization: Organization, requested: Unit | None) -> Unit | None:
    """The unit whose figures the user may see: any (or none, meaning all) for people with
    organisation-wide scope; otherwise the requested unit if visible, or their first unit."""
    from compromiso.core.permissions import Perm, scope_for

    if scope_for(user, Perm.VIEW).covers_organization(organization.pk):
        return requested
    visible = Unit.objects.visible_to(user).filter(organization=organization).order_by("path")
    if requested is not None and visible.filter(pk=requested.pk).exists():
        return requested
    return visible.first()


def _facts(organization: Organization, filters: Filters) -> QuerySet[CaseDailyFact]:
    rows = CaseDailyFact.objects.filter(
        organization=organization, day__gte=filters.start, day__lte=filters.end
    )
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.unit is not None:
        rows = rows.filter(
            unit__in=Unit.objects.filter(
                organization=organization, path__startswith=filters.unit.path
            )
        )
    if filters.service is not None:
        rows = rows.filter(service=filters.service)
    if filters.channel is not None:
        rows = rows.filter(channel=filters.channel)
    return rows


def percentile(histogram: Counter[int], share: float) -> int | None:
    """The value below which `share` of the observations fall (nearest rank)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, round(share * total + 0.4999))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute(organization: Organization, filters: Filters) -> Figures:
    facts.refresh(organization)  # the days changed since the last look, and only those
    rows = _facts(organization, filters)
    sums = rows.aggregate(
        **{
            name: Sum(name)
            for name in (
                *facts.COUNTERS,
                "handling_sum",
                "outcome_sum",
                "redress_amount",
            )
        }
    )
    sums = {name: value or 0 for name, value in sums.items()}
    histogram: Counter[int] = Counter()
    for days in rows.exclude(answered=0).values_list("answer_days", flat=True):
        for key, count in days.items():
            histogram[int(key)] += count
    totals = {
        "received": sums["received"],
        "answered": sums["answered"],
        "acknowledged_on_time": _ratio(sums["acknowledged_on_time"], sums["acknowledged"]),
        "answered_on_time": _ratio(sums["answered_on_time"], sums["answered"]),
        "median_days": percentile(histogram, 0.5),
        "p90_days": percentile(histogram, 0.9),
        "extended": _ratio(sums["extended"], sums["received"]),
        "reopened": _ratio(sums["reopened"], sums["answered"]),
        "rejected": _ratio(sums["rejected"], sums["answered"]),
        "rated": sums["rated"],
        "handling": round(sums["handling_sum"] / sums["rated"], 2) if sums["rated"] else None,
        "outcome": round(sums["outcome_sum"] / sums["rated"], 2) if sums["rated"] else None,
        "redress_count": sums["redress_count"],
        "redress_amount": Decimal(sums["redress_amount"]).quantize(Decimal("0.01")),
    }
    figures = Figures(totals=totals)
    for name in DIMENSIONS:
        figures.by[name] = _by(rows, name)
    figures.months = [
        (month.strftime("%Y-%m"), received or 0, answered or 0)
        for month, received, answered in rows.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(received=Sum("received"), answered=Sum("answered"))
        .order_by("month")
        .values_list("month", "received", "answered")
    ]
    complaints = rows.filter(kind=CaseKind.COMPLAINT, root_cause__isnull=False)
    figures.pareto = _pareto(_by(complaints, "root_cause"))
    figures.rising = _rising(organization, filters)
    figures.backlog = backlog(organization, filters)
    return figures


def _by(rows: QuerySet[CaseDailyFact], name: str) -> list[tuple[str, int]]:
    grouped = (
        rows.values(name)
        .annotate(total=Sum("received"))
        .filter(total__gt=0)
        .order_by("-total")
        .values_list(name, "total")
    )
    pairs = list(grouped)
    _label, model = DIMENSIONS[name]
    labels: dict[Any, str]
    if model is None:
        labels = {value: str(label) for value, label in CaseKind.choices}
    else:
        labels = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=[k for k, _ in pairs])}
    unknown = str(_("Not coded"))
    return [(str(labels.get(key, unknown)) if key else unknown, total) for key, total in pairs]


def _pareto(counts: list[tuple[str, int]]) -> list[tuple[str, int, float]]:
    total = sum(count for _label, count in counts)
    running = 0
    result = []
    for label, count in counts:
        running += count
        result.append((label, count, round(100 * running / total, 1) if total else 0.0))
    return result


def _rising(organization: Organization, filters: Filters) -> list[tuple[str, int, int]]:
    """Causes of complaints received in the last 90 days of the period that grew against the
    90 days before them."""
    end = filters.end
    recent = Filters(**{**filters.__dict__, "start": end - dt.timedelta(days=89)})
    earlier = Filters(
        **{
            **filters.__dict__,
            "start": end - dt.timedelta(days=179),
            "end": end - dt.timedelta(days=90),
        }
    )
    coded = {"kind": CaseKind.COMPLAINT, "root_cause__isnull": False}
    now = dict(_by(_facts(organization, recent).filter(**coded), "root_cause"))
    before = dict(_by(_facts(organization, earlier).filter(**coded), "root_cause"))
    grown = [
        (label, count, before.get(label, 0))
        for label, count in now.items()
        if count > before.get(label, 0)
    ]
    return sorted(grown, key=lambda row: row[1] - row[2], reverse=True)[:5]


def backlog(organization: Organization, filters: Filters) -> list[tuple[str, int]]:
    """Open cases by age in calendar days."""
    now = timezone.now()
    cases = Case.objects.open().filter(organization=organization)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.unit is not None:
        cases = cases.filter(unit__path__startswith=filters.unit.path)
    if filters.service is not None:
        cases = cases.filter(service=filters.service)
    if filters.channel is not None:
        cases = cases.filter(channel=filters.channel)
    buckets = {}
    for low, high in BACKLOG_BUCKETS:
        condition = Q(received_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(received_at__gt=now - dt.timedelta(days=high + 1))
        label = f"{low}–{high}" if high is not None else f"{low}+"
        buckets[label] = Count("pk", filter=condition)
    counts = cases.aggregate(**buckets)
    return [(label, counts[label]) for label in buckets]
