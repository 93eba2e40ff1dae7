"""The score formulas against the worked figures of research/satisfaction.md §B."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compromiso.insights import netscore
from compromiso.insights.netscore import CHILE_1_7, NPS_0_10, Bands


def test_the_registro_civil_example_gives_an_isn_of_90_8():
    # 91.7 % satisfied, 0.9 % dissatisfied over 1,000 answers.
    counts = {7: 600, 6: 317, 5: 74, 4: 9}

    summary = netscore.summarise(counts, CHILE_1_7)

    assert summary.net.value == pytest.approx(90.8)
    assert summary.top_box.value == pytest.approx(91.7)


def test_the_margin_of_error_matches_the_reference_table():
    # (80 %, 5 %) at n = 400: ±5.3 points; (60 %, 15 %) at n = 100: ±14.5 points.
    at_400 = netscore.summarise({7: 320, 5: 60, 2: 20}, CHILE_1_7)
    at_100 = netscore.summarise({6: 60, 5: 25, 1: 15}, CHILE_1_7)

    assert at_400.margin == pytest.approx(5.26, abs=0.05)
    assert at_100.margin == pytest.approx(14.5, abs=0.1)


def test_no_answers_means_no_figure():
    summary = netscore.summarise({}, CHILE_1_7)

    assert (summary.n, summary.net, summary.top_box, summary.mean) == (0, None, None, None)


def test_values_outside_the_scale_are_ignored():
    assert netscore.summarise({8: 5, 0: 3, 7: 1}, CHILE_1_7).n == 1


def test_the_finite_population_narrows_the_interval():
    counts = {7: 150, 5: 30, 3: 20}

    infinite = netscore.summarise(counts, CHILE_1_7)
    small = netscore.summarise(counts, CHILE_1_7, population=250)
    everyone = netscore.summarise(counts, CHILE_1_7, population=200)

    assert small.net.se < infinite.net.se
    assert everyone.net.se == 0


def test_nps_bands():
    summary = netscore.summarise({10: 50, 9: 10, 8: 20, 3: 20}, NPS_0_10)

    assert summary.net.value == pytest.approx(40.0)


def test_sample_sizes_match_the_reference_table():
    assert netscore.sample_size(None) == 385
    assert netscore.sample_size(1000) == 278
    assert netscore.sample_size(200, margin=0.03) == 169
    assert netscore.sample_size(10000, margin=0.10) == 96
    assert netscore.sample_size(2000, variance=1.0) == 870  # a net score, worst case


def test_a_nine_point_gain_at_n_400_is_not_significant():
    before = netscore.summarise({7: 240, 5: 100, 2: 60}, CHILE_1_7)  # 60 %, 15 %
    after = netscore.summarise({7: 264, 5: 88, 2: 48}, CHILE_1_7)  # 66 %, 12 %

    change = netscore.compare(before, after)

    assert change.difference == pytest.approx(9.0)
    assert change.se == pytest.approx(5.09, abs=0.02)
    assert change.z == pytest.approx(1.77, abs=0.01)
    assert not change.significant


def test_responses_needed_to_detect_a_bonus_target():
    # ISN 75 (80 %, 5 %): V = 0.2875; +1.5 points needs about 20,000 per wave.
    assert netscore.responses_to_detect(1.5, variance=0.2875) == pytest.approx(20058, rel=0.002)
    assert netscore.responses_to_detect(5, variance=0.2875) == pytest.approx(1805, rel=0.002)


def test_bands_must_be_ordered():
    with pytest.raises(ValueError, match="bands"):
        Bands(1, 7, 4, 5)


@given(st.dictionaries(st.integers(1, 7), st.integers(0, 500), max_size=7))
def test_scores_stay_in_range_and_intervals_contain_the_estimate(counts):
    summary = netscore.summarise(counts, CHILE_1_7)
    if summary.n == 0:
        assert summary.net is None
        return
    for estimate, low, high in (
        (summary.net, -100, 100),
        (summary.top_box, 0, 100),
        (summary.mean, 1, 7),
    ):
        assert low <= estimate.low <= estimate.value <= estimate.high <= high


def test_a_paired_panel_by_hand():
    # Classes before → after: −1→+1, 0→+1, +1→+1, +1→0, −1→0, so d = 2, 1, 0, −1, 1.
    # mean(d) = 0.6; sd(d)² = (1.96 + 0.16 + 0.36 + 2.56 + 0.16)/4 = 1.3; SE = √(1.3/5) = 0.51.
    pairs = [(4, 6), (5, 7), (6, 6), (7, 5), (3, 5)]

    change = netscore.compare_paired(pairs, CHILE_1_7)

    assert change.difference == pytest.approx(60.0)
    assert change.se == pytest.approx(100 * (0.26**0.5))
    assert change.z == pytest.approx(60 / (100 * 0.26**0.5))
    assert change.p_value == pytest.approx(0.2393, abs=1e-4)
    assert not change.significant


def test_a_paired_panel_accepts_an_array_and_drops_incomplete_pairs():
    pairs = np.array([[4, 6], [5, 7], [6, 6], [7, 5], [3, 5], [np.nan, 7], [8, 7], [1, 0]])

    change = netscore.compare_paired(pairs, CHILE_1_7)

    assert change.difference == pytest.approx(60.0)
    assert change.se == pytest.approx(100 * (0.26**0.5))


def test_a_panel_that_moves_as_one():
    everyone_up = netscore.compare_paired([(5, 7)] * 10, CHILE_1_7)
    nobody_moves = netscore.compare_paired([(5, 5), (7, 6)], CHILE_1_7)

    assert (everyone_up.difference, everyone_up.se, everyone_up.p_value) == (100.0, 0.0, 0.0)
    assert everyone_up.significant
    assert (nobody_moves.difference, nobody_moves.p_value) == (0.0, 1.0)


def test_a_paired_panel_needs_two_pairs():
    assert netscore.compare_paired([], CHILE_1_7) is None
    assert netscore.compare_paired([(4, 6)], CHILE_1_7) is None
    assert netscore.compare_paired([(4, 6), (9, 6)], CHILE_1_7) is None
    with pytest.raises(ValueError, match="n × 2"):
        netscore.compare_paired([(4, 6, 7), (1, 2, 3)], CHILE_1_7)


def _same_estimate(many, one):
    if one is None:
        assert all(math.isnan(v) for v in (many.value, many.se, many.low, many.high))
        return
    for field in ("value", "se", "low", "high"):
        assert getattr(many, field) == pytest.approx(getattr(one, field), abs=1e-9, rel=0)


@pytest.mark.parametrize(("bands", "seed"), [(CHILE_1_7, 1), (NPS_0_10, 2), (CHILE_1_7, 3)])
def test_summarise_many_gives_the_figures_of_summarise(bands, seed):
    rng = np.random.default_rng(seed)
    width = bands.scale_max - bands.scale_min + 1
    counts = rng.integers(0, 40, size=(300, width)) * (rng.random((300, width)) < 0.6)
    counts[:20] = 0  # no answers
    counts[20:40] = 0
    counts[20:40, rng.integers(0, width, size=20)] = 1  # a single answer
    counts[40:50, 0] = -5  # ignored, as in summarise
    population = rng.integers(0, 400, size=300).astype(float)
    population[50:60] = np.nan  # unknown
    population[60:70] = counts[60:70].clip(0).sum(axis=1)  # everyone answered
    population[70:80] = 1

    for pop in (None, population):
        many = netscore.summarise_many(counts, bands, pop)
        assert len(many) == 300
        for i, row in enumerate(counts):
            answers = {bands.scale_min + j: int(c) for j, c in enumerate(row)}
            size = None if pop is None or np.isnan(pop[i]) else int(pop[i])
            one = netscore.summarise(answers, bands, size)
            assert (many.n[i], many.satisfied[i], many.dissatisfied[i]) == (
                one.n,
                one.satisfied,
                one.dissatisfied,
            )
            _same_estimate(many.net.at(i), one.net)
            _same_estimate(many.top_box.at(i), one.top_box)
            _same_estimate(many.mean.at(i), one.mean)
            if one.n:
                assert many.at(i).net.value == pytest.approx(one.net.value, abs=1e-9)
            else:
                assert many.at(i) == one


def test_summarise_many_needs_one_column_per_scale_value():
    with pytest.raises(ValueError, match="one column per scale value 1–7"):
        netscore.summarise_many(np.zeros((3, 5), dtype=np.int64), CHILE_1_7)


def test_the_net_variance_by_hand():
    # 50 % satisfied, 20 % dissatisfied: 0.5 + 0.2 − (0.5 − 0.2)² = 0.7 − 0.09 = 0.61.
    assert netscore.net_variance(0.5, 0.2) == pytest.approx(0.61)
    # Everyone satisfied, or everyone neutral: no spread at all; half and half: the most, 1.
    assert netscore.net_variance(1.0, 0.0) == pytest.approx(0.0)
    assert netscore.net_variance(0.0, 0.0) == 0.0
    assert netscore.net_variance(0.5, 0.5) == pytest.approx(1.0)
    shares = np.array([0.5, 1.0, 0.5]), np.array([0.2, 0.0, 0.5])
    assert netscore.net_variance(*shares) == pytest.approx([0.61, 0.0, 1.0])


def test_the_net_score_interval_uses_the_net_variance():
    # 50 satisfied, 20 dissatisfied of 100: SE = √(0.61 / 100) = 7.81 points.
    summary = netscore.summarise({7: 50, 5: 30, 2: 20}, CHILE_1_7)

    assert summary.net.se == pytest.approx(100 * (0.61 / 100) ** 0.5)
