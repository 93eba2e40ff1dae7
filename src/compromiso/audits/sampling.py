"""Drawing an audit sample reproducibly: plain values in and out, no database.

Every draw takes the population as an ordered list of keys (the caller sorts it by a stable key,
e.g. a case's id) and a seed, and uses its own `random.Random(seed)`: the same population and
seed give the same sample on any machine and any day, so anyone can draw it again.

- simple random: `Random(seed).sample(population, n)`;
- stratified: the sample is shared out among the strata in proportion to their sizes, by the
  largest-remainder method (each stratum gets the whole part of n·N_h/N; the units left over go
  one each to the strata with the largest fractional parts, ties to the stratum named first in
  sort order); then each stratum, in sort order of its name, is drawn with the same generator;
- systematic: step k = ⌊N / n⌋, a random start r in [0, k), then the keys at r, r + k, …,
  r + (n − 1)·k (the last one is at most n·k − 1 ≤ N − 1);
- judgement: the keys the auditor chose, in population order (no seed needed, but kept).

The drawn keys are returned in population order. The fingerprint is the SHA-256 of the canonical
JSON of what decides the sample — method, seed, size, population keys (and strata) — and of the
sample itself, so a redraw from today's data shows at once whether anything differs.
"""

import hashlib
import json
import math
import random
import secrets
from collections.abc import Mapping, Sequence
from statistics import NormalDist

from compromiso.insights.netscore import sample_size

RANDOM = "random"
STRATIFIED = "stratified"
SYSTEMATIC = "systematic"
JUDGEMENT = "judgement"
METHODS = (RANDOM, STRATIFIED, SYSTEMATIC, JUDGEMENT)

MAX_SEED = 2**63 - 1


class SamplingError(ValueError):
    """The sample cannot be drawn as asked (sizes out of range, unknown keys…)."""


def new_seed() -> int:
    """A fresh 48-bit seed: short enough to read out and type again."""
    return secrets.randbits(48)


def _check_size(population: int, size: int) -> None:
    if size < 1:
        raise SamplingError("the sample needs at least one item")
    if size > population:
        raise SamplingError("the sample cannot be larger than the population")


def _in_population_order(population: Sequence[str], chosen: set[str]) -> list[str]:
    return [key for key in population if key in chosen]


def draw_random(population: Sequence[str], size: int, seed: int) -> list[str]:
    """A simple random sample of `size` keys."""
    _check_size(len(population), size)
    chosen = set(random.Random(seed).sample(list(population), size))
    return _in_population_order(population, chosen)


def allocate(strata: Mapping[str, int], size: int) -> dict[str, int]:
    """Share `size` among strata of the given sizes in proportion to them (largest remainder).
    A stratum never gets more than it holds."""
    total = sum(strata.values())
    _check_size(total, size)
    names = sorted(strata)
    quotas = {name: size * strata[name] / total for name in names}
    shares = {name: math.floor(quotas[name]) for name in names}
    left = size - sum(shares.values())
    by_remainder = sorted(names, key=lambda name: (-(quotas[name] - shares[name]), name))
    for name in by_remainder[:left]:
        shares[name] += 1
    assert all(shares[name] <= strata[name] for name in names)
    return shares


def draw_stratified(
    population: Sequence[str], strata: Mapping[str, str], size: int, seed: int
) -> list[str]:
    """A stratified random sample: `strata` maps each key to its stratum's name."""
    _check_size(len(population), size)
    members: dict[str, list[str]] = {}
    for key in population:
        members.setdefault(strata.get(key, ""), []).append(key)
    shares = allocate({name: len(keys) for name, keys in members.items()}, size)
    rng = random.Random(seed)
    chosen: set[str] = set()
    for name in sorted(members):
        chosen.update(rng.sample(members[name], shares[name]))
    return _in_population_order(population, chosen)


def draw_systematic(population: Sequence[str], size: int, seed: int) -> list[str]:
    """Every k-th key from a random start, k = ⌊N / n⌋."""
    _check_size(len(population), size)
    step = len(population) // size
    start = random.Random(seed).randrange(step)
    return [population[start + i * step] for i in range(size)]


def pick(population: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """The auditor's own choice: every chosen key must belong to the population."""
    known = set(population)
    unknown = [key for key in chosen if key not in known]
    if unknown:
        raise SamplingError("not in the population: " + ", ".join(unknown[:5]))
    picked = set(chosen)
    _check_size(len(population), len(picked))
    return _in_population_order(population, picked)


def draw(
    method: str,
    population: Sequence[str],
    size: int,
    seed: int,
    *,
    strata: Mapping[str, str] | None = None,
    chosen: Sequence[str] = (),
) -> list[str]:
    """Draw with `method` (one of METHODS)."""
    if not 0 <= seed <= MAX_SEED:
        raise SamplingError("the seed is a whole number from 0 to 2⁶³ − 1")
    if method == RANDOM:
        return draw_random(population, size, seed)
    if method == STRATIFIED:
        return draw_stratified(population, strata or {}, size, seed)
    if method == SYSTEMATIC:
        return draw_systematic(population, size, seed)
    if method == JUDGEMENT:
        return pick(population, chosen)
    raise SamplingError(f"unknown method {method!r}")


def fingerprint(
    method: str,
    population: Sequence[str],
    size: int,
    seed: int,
    sample: Sequence[str],
    *,
    strata: Mapping[str, str] | None = None,
) -> str:
    """SHA-256 (hex) of the canonical JSON of the draw's inputs and its result."""
    document = {
        "method": method,
        "population": list(population),
        "sample": list(sample),
        "seed": seed,
        "size": size,
        "strata": [strata.get(key, "") for key in population] if strata else None,
    }
    canonical = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def z_for(confidence: float) -> float:
    """The two-sided normal quantile: 1.959964 for 95 %."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def recommended_size(population: int, margin: float, confidence: float = 0.95) -> int:
    """The minimum sample to estimate a proportion within ±margin at this confidence, at the
    worst case p = 0.5: n₀ = z²·p(1−p)/e², n = n₀ / (1 + (n₀ − 1)/N), rounded up (never more
    than N)."""
    if population < 1:
        return 0
    return sample_size(population, margin=margin, confidence_z=z_for(confidence), variance=0.25)
