"""Weighting: post-stratification and raking reproduce the population, Kish's effective sample
size, and the weighted and stratified scores against hand-computed figures
(research/satisfaction.md §B.2, §B.8)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compromiso.insights import netscore, weighting
from compromiso.insights.netscore import CHILE_1_7

# Two offices of 5,000 users each; 300 answers from A, 100 from B.
SAMPLE = {"A": 300, "B": 100}
POPULATION = {"A": 5000, "B": 5000}


def test_poststratification_weights_by_hand():
    # w_A = (5000/10000)/(300/400) = 2/3, w_B = 0.5/0.25 = 2.
    # n_eff = 400² / (300·(2/3)² + 100·2²) = 160000 / 533.3 = 300.
    result = weighting.poststratify(SAMPLE, POPULATION)

    assert result.weights == pytest.approx({"A": 2 / 3, "B": 2.0})
    assert sum(SAMPLE[h] * w for h, w in result.weights.items()) == pytest.approx(400)
    assert result.effective_n == pytest.approx(300)
    assert result.efficiency == pytest.approx(0.75)
    assert result.missing == ()


def test_poststratification_reports_population_strata_without_respondents():
    # C has no answers: A and B share the weighted sample as they share their own population.
    result = weighting.poststratify(SAMPLE, {"A": 5000, "B": 5000, "C": 2000})

    assert result.missing == ("C",)
    assert result.weights == pytest.approx({"A": 2 / 3, "B": 2.0})


def test_poststratification_rejects_strata_without_population():
    with pytest.raises(ValueError, match=r"respondents but no population: 'B'"):
        weighting.poststratify(SAMPLE, {"A": 5000})
    with pytest.raises(ValueError, match=r"respondents but no population: 'B'"):
        weighting.poststratify(SAMPLE, {"A": 5000, "B": 0})
    with pytest.raises(ValueError, match="no respondents"):
        weighting.poststratify({"A": 0}, POPULATION)
    with pytest.raises(ValueError, match=r"whole numbers ≥ 0; not so for 'A'"):
        weighting.poststratify({"A": -3, "B": 10}, POPULATION)


def test_raking_an_independent_sample_gives_the_product_weights():
    # 25 in each sex × age cell; targets 60 % women, 30 % young. The sample is already
    # independent, so w = share_sex · share_age / 0.25: 0.72, 1.68, 0.48, 1.12.
    cells = {("f", "y"): 25, ("f", "o"): 25, ("m", "y"): 25, ("m", "o"): 25}

    result = weighting.rake(cells, [{"f": 60, "m": 40}, {"y": 0.3, "o": 0.7}], cap=None)

    assert result.weights == pytest.approx(
        {("f", "y"): 0.72, ("f", "o"): 1.68, ("m", "y"): 0.48, ("m", "o"): 1.12}
    )
    # n_eff = 100² / (25·(0.72² + 1.68² + 0.48² + 1.12²)) = 10000 / 120.64.
    assert result.effective_n == pytest.approx(10000 / 120.64)
    assert result.efficiency == pytest.approx(100 / 120.64)


def test_raking_reproduces_every_margin():
    cells = {("f", "young"): 30, ("f", "old"): 20, ("m", "young"): 40, ("m", "old"): 10}
    margins = [{"f": 0.5, "m": 0.5}, {"young": 0.4, "old": 0.6}]

    weights = weighting.rake(cells, margins, cap=None, tolerance=1e-9).weights

    def share(position, category):
        return sum(n * weights[key] for key, n in cells.items() if key[position] == category) / 100

    assert sum(n * weights[key] for key, n in cells.items()) == pytest.approx(100)
    assert share(0, "f") == pytest.approx(0.5, abs=1e-8)
    assert share(1, "young") == pytest.approx(0.4, abs=1e-8)
    assert share(1, "old") == pytest.approx(0.6, abs=1e-8)


def test_raking_on_one_margin_is_poststratification():
    raked = weighting.rake({("a",): 30, ("b",): 70}, [{"a": 0.5, "b": 0.5}])
    post = weighting.poststratify({"a": 30, "b": 70}, {"a": 500, "b": 500})

    # 50/30 and 50/70.
    assert raked.weights == pytest.approx({("a",): 5 / 3, ("b",): 5 / 7})
    assert raked.effective_n == pytest.approx(post.effective_n)


def test_raking_trims_at_five_times_the_median_weight():
    # Untrimmed: w_a = 50/95, w_b = 50/5 = 10, 19 times the median (w_a). Trimmed to 5 × w_a and
    # re-normalised: w_a·(95 + 5·5) = 100, so w_a = 5/6 and w_b = 25/6.
    result = weighting.rake({("a",): 95, ("b",): 5}, [{"a": 0.5, "b": 0.5}])

    assert result.weights == pytest.approx({("a",): 5 / 6, ("b",): 25 / 6})
    # n_eff = 100² / (95·(5/6)² + 5·(25/6)²) = 10000·36/5500 = 720/11.
    assert result.effective_n == pytest.approx(720 / 11)
    untrimmed = weighting.rake({("a",): 95, ("b",): 5}, [{"a": 0.5, "b": 0.5}], cap=None)
    assert untrimmed.weights[("b",)] == pytest.approx(10)


def test_raking_names_the_margin_of_an_empty_target_category():
    cells = {("f", "young"): 30, ("m", "young"): 40}

    with pytest.raises(ValueError, match=r"margin 1: target categories with no respondents: 'old'"):
        weighting.rake(cells, [{"f": 0.5, "m": 0.5}, {"young": 0.4, "old": 0.6}])


def test_raking_rejects_categories_without_a_target():
    with pytest.raises(
        ValueError, match=r"margin 0: categories with respondents but no target: 'x'"
    ):
        weighting.rake({("x",): 5, ("f",): 5}, [{"f": 1.0}])
    with pytest.raises(ValueError, match=r"margin 0: .* target share of 0: 'x'"):
        weighting.rake({("x",): 5, ("f",): 5}, [{"f": 1.0, "x": 0.0}])


def test_raking_says_which_margin_it_cannot_meet():
    # Only (a, x) and (b, y) answered: a and x always move together, so 50 % a and 30 % x
    # contradict each other; after the last sweep margin 0 is 40 % off (0.6 against 1).
    cells = {("a", "x"): 1, ("b", "y"): 1}

    with pytest.raises(
        ValueError, match=r"did not converge in 100 iterations: margin 0 .* 40\.00%"
    ):
        weighting.rake(cells, [{"a": 0.5, "b": 0.5}, {"x": 0.3, "y": 0.7}])


def test_raking_checks_its_arguments():
    cells = {("f", "y"): 10}
    with pytest.raises(ValueError, match="one category per margin"):
        weighting.rake({("f",): 10}, [{"f": 1.0}, {"y": 1.0}])
    with pytest.raises(ValueError, match="at least one margin"):
        weighting.rake(cells, [])
    with pytest.raises(ValueError, match="at least 1"):
        weighting.rake(cells, [{"f": 1.0}, {"y": 1.0}], cap=0.5)
    with pytest.raises(ValueError, match="add up to nothing"):
        weighting.rake(cells, [{"f": 0.0}, {"y": 1.0}])
    with pytest.raises(ValueError, match="finite and ≥ 0"):
        weighting.rake(cells, [{"f": -1.0}, {"y": 1.0}])
    with pytest.raises(ValueError, match="no respondents"):
        weighting.rake({("f", "y"): 0}, [{"f": 1.0}, {"y": 1.0}])


def test_kish_effective_sample_size():
    assert weighting.effective_sample_size({"a": 10, "b": 30}, {"a": 1.0, "b": 1.0}) == 40
    # (10·3 + 30·1)² / (10·9 + 30·1) = 3600/120 = 30.
    assert weighting.effective_sample_size({"a": 10, "b": 30}, {"a": 3.0, "b": 1.0}) == 30
    with pytest.raises(ValueError, match="no weight: 'b'"):
        weighting.effective_sample_size({"a": 10, "b": 30}, {"a": 3.0})


def test_weighted_scores_by_hand():
    # A (w = 2/3): 300 sevens; B (w = 2): 100 twos. Weighted, each is half: N̂ = 0, top box 50 %,
    # mean 4.5. Var(N̂) = Σw²(x − 0)²/(Σw)² = 533.3/160000 = 1/300 (n_eff = 300).
    weights = weighting.poststratify(SAMPLE, POPULATION).weights

    result = weighting.weighted_summary({"A": {7: 300}, "B": {2: 100}}, weights, CHILE_1_7)

    assert result.n == 400
    assert result.effective_n == pytest.approx(300)
    assert result.net.value == pytest.approx(0.0)
    assert result.net.se == pytest.approx(100 / math.sqrt(300))
    assert result.top_box.value == pytest.approx(50.0)
    assert result.top_box.se == pytest.approx(50 / math.sqrt(300))
    assert result.mean.value == pytest.approx(4.5)
    # n/(n−1)·Σw²(v − 4.5)²/(Σw)² = 400/399 · 2.5²/300.
    assert result.mean.se == pytest.approx(math.sqrt(400 / 399 * 6.25 / 300))
    assert result.margin == pytest.approx(1.96 * 100 / math.sqrt(300), rel=1e-3)


cell_counts = st.dictionaries(
    st.sampled_from("abcd"),
    st.dictionaries(st.integers(0, 8), st.integers(0, 300), max_size=8),
    max_size=4,
)


@given(cell_counts, st.one_of(st.none(), st.integers(1, 3000)))
def test_with_every_weight_one_the_weighted_scores_are_summarise_exactly(cells, population):
    merged = {}
    for answers in cells.values():
        for value, count in answers.items():
            if count > 0:
                merged[value] = merged.get(value, 0) + count

    weighted = weighting.weighted_summary(cells, dict.fromkeys(cells, 1.0), CHILE_1_7, population)
    plain = netscore.summarise(merged, CHILE_1_7, population)

    assert (weighted.n, weighted.net, weighted.top_box, weighted.mean) == (
        plain.n,
        plain.net,
        plain.top_box,
        plain.mean,
    )
    assert weighted.effective_n == plain.n


def test_weighted_scores_without_answers_are_none():
    result = weighting.weighted_summary({"A": {9: 4}, "B": {}}, {}, CHILE_1_7)

    assert (result.n, result.net, result.top_box, result.mean) == (0, None, None, None)
    assert result.margin is None


def test_weighted_scores_need_a_positive_weight_per_answered_cell():
    with pytest.raises(ValueError, match="cell 'B' has answers but no weight"):
        weighting.weighted_summary({"A": {7: 3}, "B": {2: 1}}, {"A": 1.0}, CHILE_1_7)
    with pytest.raises(ValueError, match="positive and finite; cell 'A'"):
        weighting.weighted_summary({"A": {7: 3}}, {"A": 0.0}, CHILE_1_7)


# Office A (600 users): 100 answers, 60 % satisfied, 20 % dissatisfied, net 0.4, V = 0.64.
# Office B (400 users): 50 answers, 40 % satisfied, 60 % dissatisfied, net −0.2, V = 0.96.
STRATA = {"A": {7: 60, 5: 20, 2: 20}, "B": {7: 20, 2: 30}}
STRATA_POPULATION = {"A": 600, "B": 400}


def test_stratified_scores_by_hand():
    result = weighting.stratified_summary(STRATA, STRATA_POPULATION, CHILE_1_7)

    assert result.n == 150
    # N̂ = 0.6·0.4 + 0.4·(−0.2) = 0.16.
    assert result.net.value == pytest.approx(16.0)
    # Var = 0.36·(5/6)·0.64/100 + 0.16·(7/8)·0.96/50 = 0.00192 + 0.002688.
    assert result.net.se == pytest.approx(100 * math.sqrt(0.004608))
    # Top box 0.6·0.6 + 0.4·0.4; Var = 0.36·(5/6)·0.24/100 + 0.16·(7/8)·0.24/50.
    assert result.top_box.value == pytest.approx(52.0)
    assert result.top_box.se == pytest.approx(100 * math.sqrt(0.00072 + 0.000672))
    # Means 5.6 and 4.0, sample variances 384/99 and 300/49.
    assert result.mean.value == pytest.approx(4.96)
    assert result.mean.se == pytest.approx(
        math.sqrt(0.36 * 5 / 6 * 384 / 99 / 100 + 0.16 * 7 / 8 * 300 / 49 / 50)
    )
    # Kish size of the implied weights: 1 / (0.36/100 + 0.16/50).
    assert result.effective_n == pytest.approx(1 / 0.0068)


def test_stratified_and_poststratified_estimates_agree():
    sample = {h: sum(counts.values()) for h, counts in STRATA.items()}
    weights = weighting.poststratify(sample, STRATA_POPULATION).weights

    post = weighting.weighted_summary(STRATA, weights, CHILE_1_7)
    stratified = weighting.stratified_summary(STRATA, STRATA_POPULATION, CHILE_1_7)

    assert post.net.value == pytest.approx(stratified.net.value)
    assert post.top_box.value == pytest.approx(stratified.top_box.value)
    assert post.mean.value == pytest.approx(stratified.mean.value)
    assert post.effective_n == pytest.approx(stratified.effective_n)


def test_a_census_of_every_stratum_has_no_sampling_error():
    result = weighting.stratified_summary(STRATA, {"A": 100, "B": 50}, CHILE_1_7)

    assert (result.net.se, result.top_box.se, result.mean.se) == (0.0, 0.0, 0.0)


def test_stratified_scores_need_every_stratum_and_its_population():
    with pytest.raises(ValueError, match="answers but no population: 'B'"):
        weighting.stratified_summary(STRATA, {"A": 600}, CHILE_1_7)
    with pytest.raises(ValueError, match="population but no answers: 'C'"):
        weighting.stratified_summary(STRATA, {**STRATA_POPULATION, "C": 10}, CHILE_1_7)
    assert weighting.stratified_summary({"A": {}}, STRATA_POPULATION, CHILE_1_7).net is None
