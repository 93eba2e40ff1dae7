"""The random visit schedule of a mystery-shopping round: plain values in and out, no database.

Strata are the touch points in scope, each with its channel kind (a touch point is one unit
through one channel, so touch point × channel is one stratum per touch point). Each stratum gets
its number of visits (`allocate`: the same for all, or in proportion to the touch point's case
volume in the previous period, at least one each, the rest by largest remainder). Inside a
stratum the visits are spread evenly across the weekdays and the hour slots: the weekdays are
dealt in rounds of a shuffled deck, so no weekday gets two visits more than another, and the
hour slots and scenarios likewise; each visit then falls on a day of its weekday drawn at random
among the open days of the window (days the touch point has not been visited yet first). Open
days are the round's weekdays that are not holidays or closures of the organisation.

The same inputs and seed give the same schedule, whatever else changes: each stratum draws from
its own generator, seeded with the round's seed and the touch point's id, so adding a touch
point leaves the visits of the others where they were."""

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Stratum:
    touch_point: int
    channel_kind: str
    scenarios: tuple[int, ...]  # the scenarios that can be played there, by id
    volume: int = 0  # cases in the previous period, for a proportional allocation


@dataclass(frozen=True, order=True)
class PlannedVisit:
    day: dt.date
    hour: int  # the slot starts at this hour (local time) and lasts one hour
    touch_point: int
    scenario: int


def open_days(
    start: dt.date, end: dt.date, weekdays: str, closed: Iterable[dt.date] = ()
) -> list[dt.date]:
    """The days from start to end (both included) on the round's weekdays (seven 0/1 digits,
    Monday first) that are not in `closed` (holidays and closures)."""
    shut = frozenset(closed)
    days = []
    day = start
    while day <= end:
        if weekdays[day.weekday()] == "1" and day not in shut:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def allocate(volumes: Sequence[int], per_stratum: int, *, proportional: bool) -> list[int]:
    """Visits per stratum. Equal: `per_stratum` each. Proportional: the same total
    (per_stratum × strata), one visit each first, the rest shared by the volumes with the
    largest-remainder rule (ties to the larger volume, then to the earlier stratum). With no
    volume at all, equal."""
    count = len(volumes)
    if any(v < 0 for v in volumes) or per_stratum < 0:
        raise ValueError("volumes and visits cannot be negative")
    total_volume = sum(volumes)
    if not proportional or total_volume == 0 or per_stratum == 0:
        return [per_stratum] * count
    rest = per_stratum * count - count
    quotas = [Fraction(rest * volume, total_volume) for volume in volumes]
    shares = [int(quota) for quota in quotas]
    left = rest - sum(shares)
    order = sorted(range(count), key=lambda i: (-(quotas[i] - shares[i]), -volumes[i], i))
    for index in order[:left]:
        shares[index] += 1
    return [1 + share for share in shares]


def _dealt(rng: random.Random, deck: Sequence[int], count: int) -> list[int]:
    """`count` cards dealt from rounds of the shuffled deck: each card comes up once per round."""
    dealt: list[int] = []
    while len(dealt) < count:
        dealt.extend(rng.sample(list(deck), len(deck)))
    return dealt[:count]


def _stratum_visits(
    stratum: Stratum, visits: int, days: Sequence[dt.date], slots: Sequence[int], seed: int
) -> list[PlannedVisit]:
    rng = random.Random(f"{seed}/{stratum.touch_point}")
    by_weekday: dict[int, list[dt.date]] = {}
    for day in days:
        by_weekday.setdefault(day.weekday(), []).append(day)
    weekdays = _dealt(rng, sorted(by_weekday), visits)
    hours = _dealt(rng, sorted(set(slots)), visits)
    scenarios = _dealt(rng, sorted(set(stratum.scenarios)), visits)
    used_days: set[dt.date] = set()
    used: set[tuple[dt.date, int]] = set()
    planned = []
    for weekday, hour, scenario in zip(weekdays, hours, scenarios, strict=True):
        candidates = by_weekday[weekday]
        fresh = [d for d in candidates if d not in used_days]
        free = [d for d in candidates if (d, hour) not in used]
        day = rng.choice(fresh or free or candidates)
        used_days.add(day)
        used.add((day, hour))
        planned.append(PlannedVisit(day, hour, stratum.touch_point, scenario))
    return planned


def schedule(
    strata: Sequence[Stratum],
    *,
    start: dt.date,
    end: dt.date,
    weekdays: str,
    slots: Sequence[int],
    closed: Iterable[dt.date],
    per_stratum: int,
    proportional: bool,
    seed: int,
) -> list[PlannedVisit]:
    """The visits of the round, sorted by day, hour and touch point. Strata without a scenario
    get no visit; with no open day or no slot there is no visit at all."""
    days = open_days(start, end, weekdays, closed)
    usable = sorted((s for s in strata if s.scenarios), key=lambda s: s.touch_point)
    if not days or not slots or not usable:
        return []
    counts = allocate([s.volume for s in usable], per_stratum, proportional=proportional)
    planned: list[PlannedVisit] = []
    for stratum, visits in zip(usable, counts, strict=True):
        planned.extend(_stratum_visits(stratum, visits, days, slots, seed))
    return sorted(planned)
