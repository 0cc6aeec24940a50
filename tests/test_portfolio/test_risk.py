"""The risk model's canonical form: the same numbers on every machine, and the same covariance as
the model's definition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.risk import MANTISSA_BITS, covariance_model, factor_model, place_loadings, quantised
from screening import bundled_reference, load_candidates

REFERENCE = bundled_reference()
UNIVERSE = load_candidates(None, REFERENCE)
PLACES = sorted(set(UNIVERSE.frame["local_authority"]))


@pytest.mark.parametrize("same_region", [0.0, 0.5, 1.0])
def test_place_loadings_give_one_within_a_place_the_region_figure_between_neighbours_else_zero(same_region):
    loadings = place_loadings(PLACES, REFERENCE, same_region)
    regions = REFERENCE.places.loc[PLACES, "region"].to_numpy()
    by_definition = np.where(regions[:, None] == regions[None, :], same_region, 0.0)
    np.fill_diagonal(by_definition, 1.0)
    assert np.abs(loadings @ loadings.T - by_definition).max() < 1e-15
    assert np.all(np.any(loadings != 0, axis=0)), "no empty factor columns"


def test_the_factor_form_holds_no_eigenvectors_so_no_arbitrary_basis():
    """Place loadings are square roots of 0.5 or 1 and class loadings a Cholesky factor: lower
    triangular in the classes' order, a form that has exactly one answer."""
    model = factor_model(UNIVERSE.frame, REFERENCE)
    loadings = place_loadings(PLACES, REFERENCE, 0.5)
    assert set(np.unique(np.round(loadings, 15))) <= {0.0, round(np.sqrt(0.5), 15), 1.0}
    classes = sorted(set(UNIVERSE.frame["asset_class"]))
    correlations = REFERENCE.correlations.loc[classes, classes].to_numpy(dtype=float)
    root = np.linalg.cholesky(correlations)
    rows = [classes.index(c) for c in UNIVERSE.frame["asset_class"]]
    sigma = UNIVERSE.frame["volatility"].to_numpy(dtype=float)
    expected = np.sqrt(0.5) * sigma[:, None] * root[rows]
    assert np.abs(model.exposures[:, : len(classes)] - expected).max() < 1e-13


@given(st.floats(min_value=1e-300, max_value=1e300) | st.floats(min_value=-1e300, max_value=-1e-300))
def test_quantised_figures_are_within_two_to_the_minus_forty_and_stable(value):
    once = quantised(np.array([value]))[0]
    assert abs(once - value) <= abs(value) * 2.0**-MANTISSA_BITS
    assert quantised(np.array([once]))[0] == once  # rounding again changes nothing


def test_quantised_keeps_zero_and_exact_short_figures():
    figures = np.array([0.0, 0.5, 0.25, -1.0, 0.1])
    assert quantised(figures)[:4].tolist() == [0.0, 0.5, 0.25, -1.0]
    assert quantised(figures)[4] == pytest.approx(0.1, rel=1e-12)


def test_a_singular_covariance_gets_the_symmetric_root_which_reproduces_it():
    ids = ["A", "B", "C"]
    x = np.array([[0.02, 0.01], [0.01, 0.03], [0.03, 0.04]])
    covariance = x @ x.T  # rank 2: no Cholesky factor
    model = covariance_model(pd.DataFrame(covariance, index=ids, columns=ids), ids)
    assert np.abs(model.covariance() - covariance).max() < 1e-14  # the root is rounded to 40 bits
    assert np.abs(model.exposures - model.exposures.T).max() < 1e-15  # symmetric: one answer
    assert not model.definite  # a portfolio can have no risk at all: optima need not be unique


def test_definite_models_say_so_and_keep_it_for_any_subset():
    assert factor_model(UNIVERSE.frame, REFERENCE).subset(["PRE-001", "SRB-002"]).definite
    ids = ["A", "B"]
    definite = covariance_model(pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=ids, columns=ids), ids)
    assert definite.definite and definite.subset(["B"]).definite
