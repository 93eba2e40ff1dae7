"""Consistency checks of cases (`compromiso check_consistency`): each case's timeline agrees
with its state and dates, the daily facts agree with the cases they count, and every attachment's
file is in the storage with the size and hash recorded at upload."""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from compromiso.cases.facts import _aggregate
from compromiso.cases.models import Attachment, Case, CaseDailyFact, CaseEvent, DirtyFactDay, Status
from compromiso.core.consistency import register, same_rows, stored_file_problems, values_of
from compromiso.organizations.models import Organization

CLOSING = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.DERIVED})
BATCH = 2000


@register("cases.timeline")
def timeline_problems() -> Iterator[str]:
    """The state changes of a case's timeline form one chain from "received" (at the moment of
    receipt) to the case's present state; the dates agree with the state."""
    last = 0
    while True:
        cases = list(
            Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values(
                "pk",
                "tracking_code",
                "status",
                "received_at",
                "acknowledged_at",
                "answered_at",
                "closed_at",
            )[:BATCH]
        )
        if not cases:
            return
        last = cases[-1]["pk"]
        moves: dict[int, list[tuple[dt.datetime, str, str]]] = defaultdict(list)
        for case_id, at, before, after in (
            CaseEvent.objects.filter(case_id__in=[c["pk"] for c in cases])
            .exclude(to_status="")
            .order_by("case_id", "at", "pk")
            .values_list("case_id", "at", "from_status", "to_status")
        ):
            moves[case_id].append((at, before, after))
        for case in cases:
            yield from _case_problems(case, moves.get(case["pk"], []))


def _case_problems(
    case: Mapping[str, Any], moves: list[tuple[dt.datetime, str, str]]
) -> Iterator[str]:
    code = case["tracking_code"]
    if not moves:
        yield f"case {code}: its timeline has no state change (not even its receipt)"
        return
    first_at, first_from, first_to = moves[0]
    if first_to != Status.RECEIVED or first_from:
        yield f"case {code}: its timeline does not start with its receipt"
    elif first_at != case["received_at"]:
        yield (
            f"case {code}: its receipt is dated {first_at} in its timeline, "
            f"{case['received_at']} in the case"
        )
    for (_at, _before, previous), (at, before, _after) in itertools.pairwise(moves):
        if before != previous:
            yield (
                f"case {code}: the change of {at} starts from “{before}” but the case was "
                f"“{previous}”"
            )
    if moves[-1][2] != case["status"]:
        yield (
            f"case {code}: its state is “{case['status']}” but its timeline ends in "
            f"“{moves[-1][2]}”"
        )
    status = case["status"]
    if status in (Status.ANSWERED, Status.CLOSED) and case["answered_at"] is None:
        yield f"case {code}: it is {status} without an answer date"
    if status in CLOSING and case["closed_at"] is None:
        yield f"case {code}: it is {status} without a closing date"
    if status not in CLOSING and case["closed_at"] is not None:
        yield f"case {code}: it is {status} yet has a closing date"
    if status == Status.ACKNOWLEDGED and case["acknowledged_at"] is None:
        yield f"case {code}: it is acknowledged without an acknowledgement date"
    for name in ("acknowledged_at", "answered_at", "closed_at"):
        if case[name] is not None and case[name] < case["received_at"]:
            yield f"case {code}: its {name.removesuffix('_at')} date precedes its receipt"


@register("cases.facts")
def fact_problems() -> Iterator[str]:
    """Every stored day of facts equals the facts rebuilt from the cases (days waiting to be
    rebuilt are left out: they are known to be stale and are rebuilt before being read)."""
    for organization in Organization.objects.order_by("pk"):
        stored = list(CaseDailyFact.objects.filter(organization=organization))
        cases = Case.objects.filter(organization=organization)
        first = cases.order_by("received_at").values_list("received_at", flat=True).first()
        if first is None and not stored:
            continue
        calendar = organization.business_calendar()
        days = {row.day for row in stored}
        if first is not None:
            days |= {calendar.local(first).date(), calendar.local(dt.datetime.now(dt.UTC)).date()}
        start, end = min(days), max(days)
        computed = _aggregate(organization, calendar, cases, start, end)
        dirty = set(
            DirtyFactDay.objects.filter(organization=organization).values_list("day", flat=True)
        )
        by_day: dict[dt.date, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
        for row in stored:
            by_day[row.day][0].append(values_of(row))
        for row in computed:
            by_day[row.day][1].append(values_of(row))
        for day in sorted(by_day):
            if day in dirty:
                continue
            kept, rebuilt = by_day[day]
            if not same_rows(kept, rebuilt):
                yield (
                    f"organisation {organization.slug}: the case facts of {day} disagree with "
                    f"its cases ({len(kept)} stored rows, {len(rebuilt)} rebuilt)"
                )


@register("cases.attachments")
def attachment_problems() -> Iterator[str]:
    return stored_file_problems(Attachment.objects.order_by("pk"), "attachment")
