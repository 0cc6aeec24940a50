"""Rank stability: Dirichlet draws around the pillar weights, rank intervals and P(top k)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from screening.stability import StabilitySettings, draw_weights, rank_stability

PILLARS = ["financial", "local_economy", "social"]


def frame(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=PILLARS, dtype=float)


TWO_WAY = frame({"A": (100.0, 0.0, 0.0), "B": (0.0, 100.0, 0.0)})


def test_draws_sum_to_one_keep_zero_weights_zero_and_centre_on_the_weights():
    draws = draw_weights(np.array([2.0, 1.0, 0.0]), 20_000, 30.0, np.random.default_rng(1))
    assert draws.shape == (20_000, 3)
    assert np.allclose(draws.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (draws[:, 2] == 0).all()
    assert draws.mean(axis=0) == pytest.approx([2 / 3, 1 / 3, 0.0], abs=0.005)
    # Dirichlet(30 x centre): the first weight is Beta(20, 10), variance ab / ((a+b)^2 (a+b+1)).
    assert draws[:, 0].var() == pytest.approx(20 * 10 / (30**2 * 31), rel=0.05)


def test_a_single_positive_weight_is_drawn_exactly():
    draws = draw_weights(np.array([0.0, 5.0, 0.0]), 10, 30.0, np.random.default_rng(0))
    assert (draws == np.array([0.0, 1.0, 0.0])).all()


def test_equal_weights_on_opposite_candidates_give_even_odds():
    result = rank_stability(TWO_WAY, np.array([1.0, 1.0, 0.0]), StabilitySettings(draws=10_000, top_k=1))
    # A is first exactly when the financial weight exceeds the local economy weight: chance 1/2.
    assert result.at["A", "p_top_k"] == pytest.approx(0.5, abs=0.02)
    assert result.at["A", "p_top_k"] + result.at["B", "p_top_k"] == pytest.approx(1.0, abs=1e-12)
    assert result[["rank_low", "rank_high"]].to_numpy().tolist() == [[1, 2], [1, 2]]


def test_chance_of_the_top_follows_the_dirichlet_distribution():
    settings = StabilitySettings(draws=10_000, concentration=30.0, top_k=1, seed=3)
    result = rank_stability(TWO_WAY, np.array([3.0, 1.0, 0.0]), settings)
    # The financial weight is Beta(30 x 3/4, 30 x 1/4); A leads when it is above 1/2.
    expected = stats.beta.sf(0.5, 22.5, 7.5)
    assert expected == pytest.approx(0.9973, abs=1e-3)
    assert result.at["A", "p_top_k"] == pytest.approx(expected, abs=0.01)
    # A is first in more than 95% of draws, so its 5th and 95th percentile ranks are both 1.
    assert result.loc["A", ["rank_low", "rank_high"]].tolist() == [1, 1]
    assert result.loc["B", ["rank_low", "rank_high"]].tolist() == [2, 2]


@pytest.mark.parametrize("chosen", [0, 1, 2])
def test_a_single_positive_weight_collapses_the_interval_to_the_exact_rank(chosen):
    pillars = frame(
        {"A": (10.0, 80.0, 30.0), "B": (90.0, 20.0, 30.0), "C": (50.0, 50.0, 70.0), "D": (50.0, 10.0, 5.0)}
    )
    weights = np.zeros(3)
    weights[chosen] = 0.7
    result = rank_stability(pillars, weights, StabilitySettings(draws=200, top_k=2))
    order = sorted(pillars.index, key=lambda c: (-pillars.at[c, PILLARS[chosen]], c))
    exact = {c: i + 1 for i, c in enumerate(order)}
    assert result["rank_low"].to_dict() == exact
    assert result["rank_high"].to_dict() == exact
    assert result["p_top_k"].to_dict() == {c: float(r <= 2) for c, r in exact.items()}


def test_an_exact_tie_is_broken_by_id_whatever_the_row_order():
    pillars = frame({"B": (60.0, 40.0, 20.0), "A": (60.0, 40.0, 20.0), "C": (10.0, 10.0, 10.0)})
    result = rank_stability(pillars, np.array([1.0, 1.0, 1.0]), StabilitySettings(draws=500, top_k=1))
    assert list(result.index) == ["B", "A", "C"]  # the caller's order is kept
    assert result.loc["A"].tolist() == [1, 1, 1.0]
    assert result.loc["B"].tolist() == [2, 2, 0.0]
    assert result.loc["C"].tolist() == [3, 3, 0.0]


def test_results_are_deterministic_for_a_fixed_seed():
    rng = np.random.default_rng(7)
    pillars = pd.DataFrame(
        rng.uniform(0, 100, (12, 3)), index=[f"C{i:02d}" for i in range(12)], columns=PILLARS
    )
    weights = np.array([0.4, 0.3, 0.3])
    first = rank_stability(pillars, weights, StabilitySettings(draws=2_000, seed=11))
    again = rank_stability(pillars, weights, StabilitySettings(draws=2_000, seed=11))
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = rank_stability(pillars, weights, StabilitySettings(draws=2_000, seed=12))
    assert not other["p_top_k"].equals(first["p_top_k"])  # the seed is what is fixed
    assert (other["p_top_k"] - first["p_top_k"]).abs().max() < 0.1


def test_draws_in_several_blocks_count_every_draw():
    # 2,500 draws run in blocks of 1,000: the tallies must cover all 2,500, not the last block.
    result = rank_stability(TWO_WAY, np.array([1.0, 1.0, 0.0]), StabilitySettings(draws=2_500, top_k=1))
    assert result["p_top_k"].sum() == pytest.approx(1.0, abs=1e-12)
    assert result.at["A", "p_top_k"] * 2_500 == pytest.approx(
        round(result.at["A", "p_top_k"] * 2_500), abs=1e-9
    )


def test_no_candidates_give_an_empty_result():
    result = rank_stability(frame({}), np.array([1.0, 1.0, 1.0]))
    assert result.empty
    assert list(result.columns) == ["rank_low", "rank_high", "p_top_k"]


pillar_values = st.integers(0, 20).map(lambda i: i * 5.0)  # coarse grid: plenty of exact ties
pillar_frames = st.lists(st.tuples(pillar_values, pillar_values, pillar_values), min_size=1, max_size=12).map(
    lambda rows: frame({f"C{i:02d}": row for i, row in enumerate(rows)})
)
weight_vectors = st.tuples(*(st.integers(0, 3),) * 3).filter(any).map(lambda t: np.array(t, dtype=float))


@given(
    pillars=pillar_frames,
    weights=weight_vectors,
    top_k=st.integers(1, 15),
    seed=st.integers(0, 3),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_stability_invariants(pillars, weights, top_k, seed, data):
    settings = StabilitySettings(draws=300, top_k=top_k, seed=seed)
    result = rank_stability(pillars, weights, settings)
    n = len(pillars)
    assert (
        (result["rank_low"] >= 1) & (result["rank_low"] <= result["rank_high"]) & (result["rank_high"] <= n)
    ).all()
    # Every draw puts exactly min(k, n) candidates in its top k.
    assert result["p_top_k"].sum() == pytest.approx(min(top_k, n), abs=1e-9)
    if top_k >= n:
        assert (result["p_top_k"] == 1.0).all()
    # Row order changes nothing (compared by id).
    order = data.draw(st.permutations(list(pillars.index)))
    shuffled = rank_stability(pillars.loc[order], weights, settings)
    pd.testing.assert_frame_equal(shuffled.loc[pillars.index], result, check_exact=True)
    # One positive weight: the exact rank (ties by id) with certainty.
    if (weights > 0).sum() == 1:
        column = PILLARS[int(np.flatnonzero(weights)[0])]
        exact = {
            c: i + 1 for i, c in enumerate(sorted(pillars.index, key=lambda c: (-pillars.at[c, column], c)))
        }
        assert result["rank_low"].to_dict() == exact == result["rank_high"].to_dict()
        assert set(result["p_top_k"]) <= {0.0, 1.0}
