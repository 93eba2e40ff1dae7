"""A day at a branch, simulated without the database: arrivals by hour (a peak from 9 to 11,
a dip at lunch), and desks that call, in each of their queues' order (appointments, then
priority, then by time in the queue), the first visitor who is still there. Waits therefore
grow when more people come than the desks can serve, as they do in a real office.

Times are minutes after local midnight. `stop` (the live day) freezes the day at that minute:
desks call nobody after it and whatever was under way stays open."""

import heapq
import math
import random
from dataclasses import dataclass, field
from typing import Any

# Relative arrivals per hour of the local day.
PROFILE = {
    8: 0.9,
    9: 1.5,
    10: 1.6,
    11: 1.2,
    12: 0.75,
    13: 0.8,
    14: 0.5,
    15: 0.8,
    16: 0.75,
    17: 0.6,
    18: 0.5,
}
BUCKET = 15  # minutes


@dataclass
class Arrival:
    minute: float
    queue: str  # letter
    rank: int
    service_minutes: float
    fate: str = "served"  # served, left, no_show, transfer, hold
    patience: float = 0.0  # minutes a leaver waits before going away
    transfer_to: str = ""
    second_minutes: float = 0.0
    hold_minutes: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)  # what the caller carries along


@dataclass
class Step:
    queue: str
    queued: float
    desk: int | None = None
    called: float | None = None
    started: float | None = None
    ended: float | None = None
    held: float | None = None
    hold_minutes: float = 0.0
    calls: int = 0
    outcome: str = ""  # "", served, transferred, no_show, left


@dataclass
class Result:
    arrival: Arrival
    steps: list[Step]
    state: str = "waiting"  # waiting, called, serving, on_hold, finished, no_show, left
    finished: float | None = None


@dataclass(order=True)
class _Entry:
    key: tuple[int, float, int]
    result: Result = field(compare=False)
    letter: str = field(compare=False)
    available: float = field(compare=False)
    leave_at: float | None = field(compare=False, default=None)


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(round(rng.gauss(mean, math.sqrt(mean))), 0)
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def arrival_minutes(
    rng: random.Random, periods: list[tuple[float, float]], volume: float
) -> list[float]:
    """Arrival times over the opening periods; `volume` is the expected count of the first
    period (the morning), later periods follow the same hourly profile."""

    def buckets(start: float, end: float) -> list[tuple[float, float, float]]:
        out, moment = [], start
        while moment < end:
            width = min(BUCKET, end - moment)
            out.append((moment, width, PROFILE.get(int(moment // 60), 0.4) * width))
            moment += width
        return out

    first = buckets(*periods[0])
    scale = volume / sum(weight for _start, _width, weight in first)
    minutes: list[float] = []
    for period in periods:
        for start, width, weight in buckets(*period):
            count = poisson(rng, scale * weight)
            minutes.extend(start + rng.random() * width for _ in range(count))
    return sorted(minutes)


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return max(median * math.exp(rng.gauss(0, sigma)), 0.5)


def simulate(
    arrivals: list[Arrival],
    desks: list[set[str]],
    opens: float,
    rng: random.Random,
    stop: float | None = None,
) -> list[Result]:
    results = [Result(a, [Step(a.queue, a.minute)]) for a in arrivals]
    entries = [
        _Entry(
            (a.rank, a.minute, n),
            results[n],
            a.queue,
            a.minute,
            a.minute + a.patience if a.fate == "left" else None,
        )
        for n, a in enumerate(arrivals)
    ]
    free = [(opens, d) for d in range(len(desks))]
    heapq.heapify(free)
    while free:
        moment, desk = heapq.heappop(free)
        if stop is not None and moment >= stop:
            continue
        letters = desks[desk]
        here = []
        for entry in [e for e in entries if e.letter in letters and e.available <= moment]:
            if entry.leave_at is not None and entry.leave_at <= moment:
                _leave(entry, entry.leave_at)
                entries.remove(entry)
            else:
                here.append(entry)
        if not here:
            later = [e.available for e in entries if e.letter in letters]
            others = [t for t, _d in free if t > moment]
            if later:
                heapq.heappush(free, (max(min(later), moment + 0.01), desk))
            elif entries and others:
                heapq.heappush(free, (min(others), desk))
            continue
        entry = min(here)
        entries.remove(entry)
        if entry.leave_at is not None:  # would have been called: went away a little earlier
            _leave(entry, entry.available + (moment - entry.available) * rng.uniform(0.3, 0.9))
            heapq.heappush(free, (moment, desk))
            continue
        done = _serve(entry, desk, moment, rng)
        if entry.result.arrival.fate == "transfer" and len(entry.result.steps) == 1:
            ended = entry.result.steps[0].ended or moment
            entry.result.steps.append(Step(entry.result.arrival.transfer_to, ended))
            entries.append(_Entry(entry.key, entry.result, entry.result.arrival.transfer_to, ended))
        heapq.heappush(free, (done, desk))
    for entry in entries:  # still there when the day stopped
        if entry.leave_at is not None and (stop is None or entry.leave_at <= stop):
            _leave(entry, entry.leave_at)
    if stop is not None:
        for result in results:
            _freeze(result, stop)
    return results


def _leave(entry: _Entry, at: float) -> None:
    step = entry.result.steps[-1]
    step.ended, step.outcome = max(at, step.queued + 0.2), "left"
    entry.result.state, entry.result.finished = "left", step.ended


def _serve(entry: _Entry, desk: int, moment: float, rng: random.Random) -> float:
    """Call, serve and end the entry's current step at `desk`; the minute the desk is free."""
    result, arrival = entry.result, entry.result.arrival
    step = result.steps[-1]
    first = len(result.steps) == 1
    step.desk, step.called = desk, moment + rng.uniform(0.1, 0.5)
    if arrival.fate == "no_show" and first:
        step.calls, step.ended, step.outcome = 3, step.called + 3.0, "no_show"
        result.state, result.finished = "no_show", step.ended
        return step.ended + 0.2
    step.calls = 1
    step.started = step.called + rng.uniform(0.3, 1.5)
    if arrival.fate == "transfer" and first:
        duration = rng.uniform(2.0, 5.0)
    elif arrival.fate == "transfer":
        duration = arrival.second_minutes
    else:
        duration = arrival.service_minutes
    if arrival.fate == "hold":
        step.held = step.started + duration * rng.uniform(0.3, 0.6)
        step.hold_minutes = arrival.hold_minutes
    step.ended = step.started + duration + step.hold_minutes
    if arrival.fate == "transfer" and first:
        step.outcome = "transferred"
    else:
        step.outcome = "served"
        result.state, result.finished = "finished", step.ended
    return step.ended + rng.uniform(0.2, 1.0)


def _freeze(result: Result, stop: float) -> None:
    """What was true at `stop`: later times are forgotten, the visit is where it was then."""
    kept = [s for s in result.steps if s.queued <= stop]
    result.steps = kept
    step = kept[-1]
    if step.ended is not None and step.ended <= stop:
        return  # over (finished, no-show or left) before the stop
    result.finished = None
    step.ended, step.outcome = None, ""
    if step.called is None or step.called > stop:
        step.desk, step.called, step.started, step.held, step.calls = None, None, None, None, 0
        step.hold_minutes, result.state = 0.0, "waiting"
    elif step.started is None or step.started > stop:
        step.started, step.held, step.hold_minutes = None, None, 0.0
        step.calls = min(1 + int(stop - step.called), 3)
        result.state = "called"
    elif step.held is not None and step.held <= stop < step.held + step.hold_minutes:
        result.state = "on_hold"
    else:
        if step.held is not None and step.held > stop:
            step.held, step.hold_minutes = None, 0.0
        result.state = "serving"
