"""The vocabulary: every mandate key and run figure a person reads has a label and a unit, and
messages lose their mandate keys (and only those) when shown to people."""

from __future__ import annotations

import pytest

from portfolio.result import BenchmarkFigures, Fiduciary, PortfolioResult
from screening.reading.mandate import LocalInvestmentSettings, Mandate, PacingSettings
from screening.reading.reference import bundled_reference
from screening.vocabulary import (
    FIGURES,
    FORMATTERS,
    SECTORS,
    label,
    mandate_term,
    mandate_value,
    named,
    plain,
    show,
)


def test_every_mandate_key_has_its_own_label() -> None:
    keys = [
        k
        for k in Mandate.model_fields
        if k
        not in ("sector_caps", "asset_class_caps", "metric_weights", "weights", "pacing", "local_investment")
    ]
    keys += ["weights.financial", "weights.local_economy", "weights.social"]
    keys += [f"pacing.{k}" for k in PacingSettings.model_fields]
    keys += [f"local_investment.{k}" for k in LocalInvestmentSettings.model_fields]
    reference = bundled_reference()
    keys += [f"sector_caps.{s}" for s in SECTORS] + [f"asset_class_caps.{a}" for a in reference.asset_classes]
    labels = {k: label(k) for k in keys}
    assert all(mandate_term(k).explain for k in keys)
    assert len(set(labels.values())) == len(labels), "two mandate keys share a label"
    assert all("_" not in text for text in labels.values())


def test_every_number_of_the_portfolio_and_the_test_has_a_term() -> None:
    numeric = {
        name
        for model in (PortfolioResult, BenchmarkFigures, Fiduciary)
        for name, info in model.model_fields.items()
        if ("float" in str(info.annotation) or "int" in str(info.annotation))
        and "dict" not in str(info.annotation)
    }
    unnamed = numeric - set(FIGURES)
    assert unnamed == set()
    assert {t.unit for t in FIGURES.values()} <= set(FORMATTERS)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("return_given_up_bp", 48.87, "0.49 percentage points"),
        ("return_given_up_bp", -12.3, "-0.12 percentage points"),
        ("return_given_up_gbp", 488_735.54, "£489,000 a year"),
        ("local_spend_retained_gbp", 55_499_997.35, "£55.5m"),
        ("jobs", 869.999894, "870"),
        ("expected_return", 0.0604, "6.04%"),
        ("amount_gbp", 6_761_484.99, "£6,761,484.99"),
        ("amount_gbp", 15_000_000.0, "£15,000,000"),
        ("jobs_net", None, "-"),
    ],
)
def test_each_figure_has_one_formatter(key: str, value: float | None, expected: str) -> None:
    assert show(key, value) == expected


def test_messages_for_people_lose_only_the_mandate_keys() -> None:
    message = f"raise {named('max_volatility')} from 2.0% to 6.5%, together with the change to {named('sector_caps.sme_finance')}"
    assert message == (
        "raise Highest portfolio volatility (max_volatility) from 2.0% to 6.5%, together with the change "
        "to Sector cap on SME finance (sector_caps.sme_finance)"
    )
    assert (
        plain(message)
        == "raise Highest portfolio volatility from 2.0% to 6.5%, together with the change to Sector cap on SME finance"
    )
    assert plain("the nearest is £99.5m (about 0.5%)") == "the nearest is £99.5m (about 0.5%)"


def test_mandate_values_read_in_their_units() -> None:
    assert mandate_value("max_volatility", 0.08) == "8.00%"
    assert mandate_value("max_candidate_share", 0.15) == "15.0%"
    assert mandate_value("target_gbp", 100_000_000.0) == "£100m"
    assert mandate_value("tolerance_bp", 150.0) == "1.50 percentage points"
    assert mandate_value("objective", "max_impact") == "Most local impact"
    assert mandate_value("sector_caps.sme_finance", 0.35) == "35.0%"
    assert mandate_value("min_holdings", None) == "not set"
    assert mandate_value("local_investment.counted_asset_classes", ["private_equity", "social_housing"]) == (
        "private equity, social housing"
    )


@pytest.mark.parametrize("key", ["jobs", "jobs_net", "affordable_homes", "co2_avoided_t", "holdings"])
def test_a_count_rounds_a_half_up_whatever_float_noise_it_carries(key: str) -> None:
    """218.5 jobs read 219 (not Python's half-to-even 218), and the raw sum 218.50000000000003, the
    stored 218.5 and 218.49999999999997 read the same: a figure rounded two ways cannot disagree."""
    shown = {show(key, v) for v in (218.5, 218.50000000000003, 218.49999999999997)}
    assert shown == {"219 tonnes" if key == "co2_avoided_t" else "219"}
    assert show(key, 853.4999999999) == show(key, 853.5) != show(key, 853.4999)
    assert show(key, -2.5).startswith("-3") and show(key, -0.4).startswith("0")
