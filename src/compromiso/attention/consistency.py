"""Consistency checks of attention (`compromiso check_consistency`): the branches' daily facts
and day summaries agree with the visits they count, on every day settled since the last refresh
(days with a visit changed after it are rebuilt before they are read, so they are left out)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from compromiso.attention.facts import OVERLAP, _aggregate, _runs, summarize
from compromiso.attention.models import Visit
from compromiso.attention.models.facts import VisitDailyFact, VisitFactsMark
from compromiso.attention.models.summaries import VisitDaySummary
from compromiso.core.consistency import register, same_rows, values_of


@register("attention.facts")
def visit_fact_problems() -> Iterator[str]:
    for mark in VisitFactsMark.objects.select_related("organization").order_by("pk"):
        organization = mark.organization
        visits = Visit.objects.filter(organization=organization)
        days = set(visits.values_list("day", flat=True).distinct())
        days |= set(
            VisitDailyFact.objects.filter(organization=organization).values_list("day", flat=True)
        )
        days -= set(
            visits.filter(updated_at__gte=mark.refreshed_at - OVERLAP).values_list("day", flat=True)
        )
        for start, end in _runs(sorted(days)):
            yield from _range_problems(organization, start, end)


def _range_problems(organization: Any, start: dt.date, end: dt.date) -> Iterator[str]:
    period = {"organization": organization, "day__gte": start, "day__lte": end}
    stored = list(VisitDailyFact.objects.filter(**period))
    computed = _aggregate(organization, start, end)
    summaries = list(VisitDaySummary.objects.filter(**period))
    for label, kept_rows, rebuilt_rows in (
        ("visit facts", stored, computed),
        ("day summaries", summaries, summarize(stored)),
    ):
        by_day: dict[dt.date, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
        for row in kept_rows:
            by_day[row.day][0].append(values_of(row))
        for row in rebuilt_rows:
            by_day[row.day][1].append(values_of(row))
        for day in sorted(by_day):
            kept, rebuilt = by_day[day]
            if not same_rows(kept, rebuilt):
                yield (
                    f"organisation {organization.slug}: the {label} of {day} disagree with the "
                    f"visits ({len(kept)} stored rows, {len(rebuilt)} rebuilt)"
                )
