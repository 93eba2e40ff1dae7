"""The pure draw (`audits/sampling.py`): reproducible from a seed, the strata shared out by the
largest remainder, systematic steps, and the recommended sample size against hand-computed
values and SciPy."""

import itertools
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from compromiso.audits import sampling

POPULATION = [str(n) for n in range(1, 101)]


def test_same_seed_and_population_draw_the_same_sample():
    first = sampling.draw_random(POPULATION, 10, seed=20260706)
    again = sampling.draw_random(list(POPULATION), 10, seed=20260706)
    assert first == again
    assert len(first) == 10
    assert len(set(first)) == 10


def test_the_draw_is_python_random_sample_of_the_seed_in_population_order():
    """Anyone can redraw it with nothing but Python's standard library."""
    expected = set(random.Random(42).sample(POPULATION, 5))
    assert sampling.draw_random(POPULATION, 5, seed=42) == [k for k in POPULATION if k in expected]


def test_a_different_seed_draws_a_different_sample():
    assert sampling.draw_random(POPULATION, 10, seed=1) != sampling.draw_random(
        POPULATION, 10, seed=2
    )


def test_fingerprint_changes_with_the_seed_the_method_the_size_and_the_population():
    sample = sampling.draw_random(POPULATION, 10, seed=7)
    base = sampling.fingerprint("random", POPULATION, 10, 7, sample)
    assert base == sampling.fingerprint("random", list(POPULATION), 10, 7, list(sample))
    assert len(base) == 64
    assert base != sampling.fingerprint("random", POPULATION, 10, 8, sample)
    assert base != sampling.fingerprint("systematic", POPULATION, 10, 7, sample)
    assert base != sampling.fingerprint("random", POPULATION, 11, 7, sample)
    assert base != sampling.fingerprint("random", [*POPULATION, "101"], 10, 7, sample)


def test_allocation_by_largest_remainder_computed_by_hand():
    # N = 50 + 30 + 20 = 100, n = 7: quotas 3.5, 2.1, 1.4 → floors 3, 2, 1 (6), one left over
    # goes to the largest remainder, A (0.5).
    assert sampling.allocate({"A": 50, "B": 30, "C": 20}, 7) == {"A": 4, "B": 2, "C": 1}
    # N = 10, n = 3: quotas 1.2, 0.9, 0.9 → floors 1, 0, 0; two left over, to B and C (0.9
    # each, before A's 0.2).
    assert sampling.allocate({"A": 4, "B": 3, "C": 3}, 3) == {"A": 1, "B": 1, "C": 1}
    # Ties go to the stratum named first: quotas 0.5 and 0.5 → one unit, to "X".
    assert sampling.allocate({"Y": 1, "X": 1}, 1) == {"X": 1, "Y": 0}
    # The whole population: every stratum entirely.
    assert sampling.allocate({"A": 2, "B": 5}, 7) == {"A": 2, "B": 5}


@given(
    sizes=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 50), min_size=1),
    data=st.data(),
)
def test_allocation_sums_to_the_sample_and_never_exceeds_a_stratum(sizes, data):
    n = data.draw(st.integers(1, sum(sizes.values())))
    shares = sampling.allocate(sizes, n)
    assert sum(shares.values()) == n
    assert all(0 <= shares[name] <= sizes[name] for name in sizes)
    for name in sizes:  # within one of the exact quota
        assert abs(shares[name] - n * sizes[name] / sum(sizes.values())) < 1


def test_stratified_sample_takes_each_strata_share():
    strata = {key: ("counter" if int(key) <= 60 else "phone") for key in POPULATION}
    drawn = sampling.draw_stratified(POPULATION, strata, 10, seed=3)
    assert sum(strata[k] == "counter" for k in drawn) == 6
    assert sum(strata[k] == "phone" for k in drawn) == 4
    assert drawn == sampling.draw_stratified(POPULATION, strata, 10, seed=3)


def test_systematic_sample_every_kth_from_a_random_start():
    drawn = sampling.draw_systematic(POPULATION, 8, seed=11)
    step = 100 // 8  # 12
    start = random.Random(11).randrange(step)
    assert drawn == [POPULATION[start + i * step] for i in range(8)]
    assert all(int(b) - int(a) == 12 for a, b in itertools.pairwise(drawn))


def test_systematic_draw_of_the_whole_population_is_the_population():
    assert sampling.draw_systematic(POPULATION[:5], 5, seed=99) == POPULATION[:5]


def test_judgement_keeps_population_order_and_refuses_strangers():
    assert sampling.pick(POPULATION, ["9", "3", "9"]) == ["3", "9"]
    with pytest.raises(sampling.SamplingError):
        sampling.pick(POPULATION, ["3", "no-such-key"])


@pytest.mark.parametrize("size", [0, -1, 101])
def test_sizes_outside_one_to_the_population_are_refused(size):
    with pytest.raises(sampling.SamplingError):
        sampling.draw("random", POPULATION, size, seed=1)


def test_a_seed_outside_the_stored_range_is_refused():
    with pytest.raises(sampling.SamplingError):
        sampling.draw("random", POPULATION, 1, seed=2**63)


def test_new_seeds_fit_in_48_bits():
    seeds = {sampling.new_seed() for _ in range(20)}
    assert all(0 <= seed < 2**48 for seed in seeds)
    assert len(seeds) > 1


def test_z_for_95_percent_is_scipys():
    assert sampling.z_for(0.95) == pytest.approx(norm.ppf(0.975), abs=1e-9)
    assert sampling.z_for(0.99) == pytest.approx(norm.ppf(0.995), abs=1e-9)


@pytest.mark.parametrize(
    ("population", "margin", "expected"),
    [
        # n0 = 1.959964² × 0.25 / 0.05² = 384.146; N = 1000: 384.146 / (1 + 383.146/1000)
        # = 277.74 → 278.
        (1000, 0.05, 278),
        # N = 100: 384.146 / (1 + 383.146/100) = 79.51 → 80.
        (100, 0.05, 80),
        # e = 10 %: n0 = 96.036; N = 1000: 96.036 / 1.095036 = 87.70 → 88.
        (1000, 0.10, 88),
        # N = 30: 96.036 / (1 + 95.036/30) = 23.04 → 24.
        (30, 0.10, 24),
        # A large population tends to n0: 384.146 / (1 + 383.146/10⁶) = 383.999 → 384.
        (1_000_000, 0.05, 384),
        (1, 0.05, 1),
    ],
)
def test_recommended_size_against_hand_values(population, margin, expected):
    assert sampling.recommended_size(population, margin) == expected


@pytest.mark.parametrize("population", [10, 57, 400, 2500, 90_000])
@pytest.mark.parametrize("margin", [0.05, 0.10])
def test_recommended_size_against_scipy(population, margin):
    z = norm.ppf(0.975)
    n0 = z**2 * 0.25 / margin**2
    assert sampling.recommended_size(population, margin) == min(
        population, math.ceil(n0 / (1 + (n0 - 1) / population))
    )


def test_an_empty_population_needs_no_sample():
    assert sampling.recommended_size(0, 0.05) == 0
