"""Market data: proxies, the bounded download, checks on yfinance's answers, statistics, the
combine rule, the cache, and the fallback live -> cache -> bundled. yfinance is always a fake."""

from __future__ import annotations

import json
import logging
import math
import time
from datetime import timedelta
from importlib import metadata

import numpy as np
import pandas as pd
import pytest
import yfinance
from market_fakes import (
    CLASS_OF,
    LAST_DAY,
    NOW,
    PROXIES,
    REFERENCE,
    TICKERS,
    Fake,
    closes_gbp,
    good_frame,
    in_units,
    refuse_download,
    weekly_statistics,
    yahoo_frame,
)
from yfinance.exceptions import YFRateLimitError

from impact_screen import market
from impact_screen.market import (
    MarketDataError,
    closing_prices,
    combine_correlations,
    fetch_market_data,
    is_correlation_matrix,
    load_proxies,
    market_reference,
    market_summary,
    nearest_correlation,
    with_deadline,
)
from portfolio.run import run_allocation
from screening import InputFile, load_candidates, load_mandate
from screening.errors import InputError


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """No test may reach Yahoo; every test gets its own empty cache folder."""
    monkeypatch.setattr(yfinance, "download", refuse_download)
    monkeypatch.setenv("IMPACT_SCREEN_CACHE", str(tmp_path / "cache"))


def source_of(reference) -> tuple[str, str | None, str]:
    a, c = reference.provenance["assumptions"], reference.provenance["correlations"]
    return a.source, a.as_of, c.source


def proxies_file(tmp_path, text: str) -> InputFile:
    path = tmp_path / "proxies.csv"
    path.write_text(text, encoding="utf-8")
    return InputFile.from_path(path)


# --- proxies --------------------------------------------------------------------------------


def test_bundled_proxies_name_known_asset_classes_with_pence_for_london_symbols():
    assert set(PROXIES.index) <= set(REFERENCE.asset_classes)
    assert len(PROXIES) >= 8
    for ticker, unit in zip(PROXIES["ticker"], PROXIES["currency"], strict=True):
        assert ticker.endswith(".L") and unit == "GBp"


def test_a_broken_proxies_file_lists_every_problem_with_its_line(tmp_path):
    text = (
        "asset_class,ticker,currency,label\n"
        "uk_equity,ISF.L,GBp,ok\n"
        "uk_equities,VMID.L,GBp,typo\n"
        "gilts,ISF.L,GBp,duplicate ticker\n"
        "property,has space,GBp,bad symbol\n"
        "infrastructure,HICL.L,pence,bad unit\n"
    )
    with pytest.raises(InputError) as caught:
        load_proxies(proxies_file(tmp_path, text), REFERENCE.asset_classes)
    messages = [str(p) for p in caught.value.problems]
    assert any(":3: column 'asset_class': 'uk_equities' is not a known asset class" in m for m in messages)
    assert any(":6: column 'currency': 'pence' is not a known price unit" in m for m in messages)
    assert any(":4: column 'ticker': 'ISF.L' already appears on line 2" in m for m in messages)
    assert any(":5: column 'ticker': 'has space' is not a Yahoo symbol" in m for m in messages)


def test_a_broken_proxies_file_falls_back_to_bundled_without_raising(tmp_path):
    bad = proxies_file(tmp_path, "asset_class,ticker,currency\nnowhere,X.L,GBp\n")
    reference, warnings = market_reference(refresh=True, downloader=Fake(good_frame()), proxies=bad, now=NOW)
    assert source_of(reference)[0] == "bundled"
    assert any("'nowhere' is not a known asset class" in w for w in warnings)
    assert "Using bundled capital_market_assumptions.csv" in warnings[-1]


# --- success --------------------------------------------------------------------------------


def test_live_volatilities_and_correlations_match_a_hand_computation():
    closes = closes_gbp()
    fake = Fake(yahoo_frame(in_units(closes)))
    reference, warnings = market_reference(refresh=True, downloader=fake, now=NOW)
    assert warnings == []
    assert source_of(reference) == ("live", LAST_DAY, "live")
    vols, corr = weekly_statistics(closes)
    table = reference.assumptions
    for ticker in TICKERS:
        asset_class = CLASS_OF[ticker]
        assert table.at[asset_class, "volatility"] == pytest.approx(vols[ticker], rel=1e-9)
        assert table.at[asset_class, "volatility_source"] == "live"
        assert table.at[asset_class, "proxy"] == ticker
    classes = [CLASS_OF[t] for t in TICKERS]
    block = reference.correlations.loc[classes, classes].to_numpy()
    assert "repaired" not in reference.provenance["correlations"].note
    np.testing.assert_allclose(block, corr.to_numpy(), atol=1e-9)
    assert fake.calls == [(TICKERS, market.DEFAULT_TIMEOUT_S)]


def test_expected_returns_and_unproxied_classes_stay_as_assumed():
    reference, _ = market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    bundled = REFERENCE.assumptions
    pd.testing.assert_series_equal(reference.assumptions["expected_return"], bundled["expected_return"])
    assert reference.assumptions.at["private_debt", "volatility"] == bundled.at["private_debt", "volatility"]
    assert reference.assumptions.at["private_debt", "volatility_source"] == "bundled"
    pd.testing.assert_series_equal(
        reference.correlations["private_debt"], REFERENCE.correlations["private_debt"], check_exact=True
    )
    assert (reference.assumptions["volatility"] != bundled["volatility"]).sum() == len(TICKERS)
    assert "private_debt" in reference.provenance["assumptions"].note


def test_pence_are_converted_to_pounds_and_pounds_are_left_alone(tmp_path):
    closes = closes_gbp(["ISF.L", "VUKE.L"], classes=["uk_equity", "gilts"])
    proxies = load_proxies(
        proxies_file(tmp_path, "asset_class,ticker,currency\nuk_equity,ISF.L,GBp\ngilts,VUKE.L,GBP\n"),
        REFERENCE.asset_classes,
    )
    quoted = in_units(closes, proxies)
    assert quoted["ISF.L"].iloc[-1] == pytest.approx(100 * closes["ISF.L"].iloc[-1])
    data = fetch_market_data(proxies, Fake(yahoo_frame(quoted)), 5, NOW)
    assert data.table.at["ISF.L", "last_price_gbp"] == pytest.approx(closes["ISF.L"].iloc[-1])
    assert data.table.at["VUKE.L", "last_price_gbp"] == pytest.approx(closes["VUKE.L"].iloc[-1])
    year_ago = closes.index[-1] - pd.Timedelta(days=365)
    start = closes["ISF.L"][closes.index <= year_ago].iloc[-1]
    expected = closes["ISF.L"].iloc[-1] / start - 1
    assert data.table.at["ISF.L", "trailing_return_1y"] == pytest.approx(expected)


def uncorrelated_frame() -> pd.DataFrame:
    """Healthy prices whose asset classes move independently (each column's days shuffled apart)."""
    closes = closes_gbp()
    rng = np.random.default_rng(11)
    steps = np.diff(np.log(closes.to_numpy()), axis=0)
    steps = np.column_stack([rng.permutation(column) for column in steps.T])
    levels = closes.iloc[0].to_numpy() * np.exp(
        np.vstack([np.zeros(len(closes.columns)), np.cumsum(steps, 0)])
    )
    return yahoo_frame(in_units(pd.DataFrame(levels, index=closes.index, columns=closes.columns)))


def test_live_figures_flow_into_the_risk_model_and_change_the_allocation_volatility():
    # Market data sets how asset classes move together; each candidate's own volatility stays
    # the figure in the candidate file. Independent markets make the local portfolio less risky.
    live, _ = market_reference(refresh=True, downloader=Fake(uncorrelated_frame()), now=NOW)
    universe, mandate = load_candidates(None, live), load_mandate(None, live)
    bundled_run = run_allocation(universe, mandate, REFERENCE, frontier_points=0)
    live_run = run_allocation(universe, mandate, live, frontier_points=0)
    assert not np.allclose(live_run.risk.covariance(), bundled_run.risk.covariance())
    same_weights = bundled_run.allocation.weights
    live_vol = live_run.allocation.inputs.risk.volatility(same_weights)
    assert live_vol < bundled_run.allocation.inputs.risk.volatility(same_weights) - 0.001
    assert (
        live_run.allocation.metrics()["volatility"] < bundled_run.allocation.metrics()["volatility"] - 0.001
    )


def test_a_live_reference_still_loads_candidates_and_the_mandate():
    live, _ = market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    assert len(load_candidates(None, live).frame) == 48
    assert load_mandate(None, live).target_gbp == 100_000_000
    assert "live market data as of 2025-11-21 for 9 of 10" in market_summary(live)
    assert market_summary(REFERENCE).startswith("Assumptions: bundled capital_market_assumptions.csv")


def test_a_timezone_aware_index_and_the_other_column_order_are_accepted():
    frame = good_frame()
    frame.index = frame.index.tz_localize("Europe/London")
    frame.columns = frame.columns.swaplevel()
    reference, warnings = market_reference(refresh=True, downloader=Fake(frame), now=NOW)
    assert source_of(reference)[0] == "live", warnings


# --- failures: every one is a warning and a fallback -------------------------------------------


def failed(answer: object, **kwargs: object) -> tuple[object, list[str]]:
    downloader = answer if callable(answer) else Fake(answer)
    reference, warnings = market_reference(refresh=True, downloader=downloader, now=NOW, **kwargs)
    assert source_of(reference) == ("bundled", "2026-11-22", "bundled")
    pd.testing.assert_frame_equal(reference.correlations, REFERENCE.correlations)
    assert list(reference.assumptions["volatility"]) == list(REFERENCE.assumptions["volatility"])
    assert warnings and "Using bundled capital_market_assumptions.csv (illustrative" in warnings[-1]
    return reference, warnings


@pytest.mark.parametrize(
    "answer", [pd.DataFrame(), None, "not a frame", yahoo_frame(in_units(closes_gbp()))[:0]]
)
def test_an_empty_answer_falls_back_to_bundled(answer):
    _, warnings = failed(answer)
    assert "the download failed: Yahoo Finance returned no data" in warnings[-1]
    assert "there is no market data cache yet" in warnings[-1]


def test_missing_tickers_are_a_failure_naming_them():
    frame = good_frame().drop(columns=["HGT.L", "SOHO.L"], level="Ticker")
    _, warnings = failed(frame)
    assert "returned no column for SOHO.L, HGT.L" in warnings[-1]


def test_an_all_nan_column_is_a_failure_naming_it():
    frame = good_frame()
    frame.loc[:, ("Close", "HICL.L")] = np.nan
    _, warnings = failed(frame)
    assert "returned no prices for HICL.L" in warnings[-1]


def test_too_little_history_everywhere_falls_back():
    _, warnings = failed(good_frame(years=1.0))
    assert "no proxy has usable history" in warnings[-1]
    assert "at least 104 are needed" in warnings[-1]


def test_one_short_history_keeps_that_class_bundled_and_the_rest_live():
    frame = good_frame()
    frame.loc[frame.index[:-300], ("Close", "SOHO.L")] = np.nan
    reference, warnings = market_reference(refresh=True, downloader=Fake(frame), now=NOW)
    assert source_of(reference)[0] == "live"
    table = reference.assumptions
    assert table.at["social_housing", "volatility_source"] == "bundled"
    assert (
        table.at["social_housing", "volatility"] == REFERENCE.assumptions.at["social_housing", "volatility"]
    )
    assert table.at["uk_equity", "volatility_source"] == "live"
    assert any("SOHO.L (social_housing) has 59 weeks of history" in w for w in warnings)
    assert is_correlation_matrix(reference.correlations.to_numpy())


def test_a_pence_and_pound_mix_up_sets_that_proxy_aside():
    frame = good_frame()
    frame.loc[frame.index[-100:], ("Close", "LAND.L")] /= 100
    reference, warnings = market_reference(refresh=True, downloader=Fake(frame), now=NOW)
    assert reference.assumptions.at["property", "volatility_source"] == "bundled"
    assert any(
        "LAND.L (property) jumps by a factor of 0.01" in w and "pence and pounds" in w for w in warnings
    )


def test_an_exception_falls_back_with_its_reason():
    _, warnings = failed(ConnectionError("no route to host"))
    assert "the download failed: ConnectionError: no route to host" in warnings[-1]


def test_a_rate_limit_is_named_as_such():
    _, warnings = failed(YFRateLimitError())
    assert "rate limited" in warnings[-1] and "try again later" in warnings[-1]


def test_a_slow_answer_is_abandoned_at_the_deadline():
    fake = Fake(good_frame(), delay=10)
    try:
        started = time.monotonic()
        _, warnings = failed(fake, timeout_s=1)
        assert time.monotonic() - started < 3
    finally:
        fake.release.set()
    assert "no answer from Yahoo Finance within 1 s" in warnings[-1]


def test_failures_fall_back_to_bundled_on_unexpected_errors_too(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(market, "combine", broken)
    _, warnings = failed(good_frame())
    assert "unexpected error RuntimeError: bug" in warnings[-1]


def test_deadline_passes_results_and_exceptions_through():
    assert with_deadline(lambda: 42, 1) == 42
    with pytest.raises(KeyError):
        with_deadline(lambda: {}["x"], 1)


# --- the default downloader ----------------------------------------------------------------


def test_the_default_downloader_asks_yfinance_safely_and_keeps_its_errors(monkeypatch):
    seen: dict[str, object] = {}

    def fake_download(tickers, **kwargs):
        seen.update(kwargs, tickers=tickers)
        logging.getLogger("yfinance").error(
            "Failed to get ticker 'ISF.L' reason: DNSError. See https://curl.se/libcurl/errors.html"
        )
        return pd.DataFrame()

    monkeypatch.setattr(yfinance, "download", fake_download)
    _, warnings = failed(market.yfinance_download)
    assert seen["threads"] is False and seen["progress"] is False and seen["auto_adjust"] is True
    assert seen["timeout"] == 10 and seen["period"] == "5y" and seen["tickers"] == TICKERS
    assert "(Failed to get ticker 'ISF.L' reason: DNSError.)" in warnings[-1]
    assert not logging.getLogger("yfinance").handlers


# --- cache ------------------------------------------------------------------------------------


def test_a_live_refresh_is_cached_with_its_metadata():
    market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    folder = market.cache_dir()
    document = json.loads((folder / market.CACHE_FILE).read_text(encoding="utf-8"))
    assert document["as_of"] == LAST_DAY
    assert document["fetched_at"] == "2025-11-22T12:00:00+00:00"
    assert document["tickers"] == {c: t for c, t in PROXIES["ticker"].items()}
    assert document["yfinance_version"] == metadata.version("yfinance")
    assert sorted(p.name for p in folder.iterdir()) == [market.CACHE_FILE]


def test_a_fresh_cache_is_used_without_downloading():
    live, _ = market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    cached, warnings = market_reference(
        refresh=False, downloader=refuse_download, now=NOW + timedelta(days=6)
    )
    assert warnings == []
    assert source_of(cached) == ("cache", LAST_DAY, "cache")
    pd.testing.assert_series_equal(cached.assumptions["volatility"], live.assumptions["volatility"])
    pd.testing.assert_frame_equal(cached.correlations, live.correlations)
    assert market_summary(cached).startswith("Volatilities and correlations: cached market data")


def test_a_failed_refresh_falls_back_to_a_fresh_cache():
    market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    reference, warnings = market_reference(
        refresh=True, downloader=Fake(pd.DataFrame()), now=NOW + timedelta(days=1)
    )
    assert source_of(reference) == ("cache", LAST_DAY, "cache")
    assert "download failed" in warnings[0] and "using the cached market data as of 2025-11-21" in warnings[0]


def test_a_stale_cache_is_ignored():
    market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    reference, warnings = market_reference(refresh=False, max_age_days=7, now=NOW + timedelta(days=8))
    assert source_of(reference)[0] == "bundled"
    assert "8.0 days old, older than the 7-day limit" in warnings[-1]
    accepted, _ = market_reference(refresh=False, max_age_days=10, now=NOW + timedelta(days=8))
    assert source_of(accepted)[0] == "cache"


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"format": 1}', "[]", '{"format": 99}'],
)
def test_a_corrupt_cache_is_ignored_with_a_warning(content):
    path = market.cache_dir() / market.CACHE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    reference, warnings = market_reference(refresh=False, now=NOW)
    assert source_of(reference)[0] == "bundled"
    assert "is damaged and was ignored" in warnings[-1]


def test_a_cache_with_an_invalid_correlation_matrix_is_ignored():
    market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    path = market.cache_dir() / market.CACHE_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    document["correlations"]["matrix"][0][1] = 0.99
    path.write_text(json.dumps(document), encoding="utf-8")
    reference, warnings = market_reference(refresh=False, now=NOW)
    assert source_of(reference)[0] == "bundled"
    assert "not a valid correlation matrix" in warnings[-1]


def test_a_cache_made_for_other_proxies_is_ignored(tmp_path):
    market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    other = proxies_file(tmp_path, "asset_class,ticker,currency\nuk_equity,VMID.L,GBp\n")
    reference, warnings = market_reference(refresh=False, proxies=other, now=NOW)
    assert source_of(reference)[0] == "bundled"
    assert "made for other proxies" in warnings[-1]


def test_a_cache_that_cannot_be_written_still_gives_live_data(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("IMPACT_SCREEN_CACHE", str(blocker / "cache"))
    reference, warnings = market_reference(refresh=True, downloader=Fake(good_frame()), now=NOW)
    assert source_of(reference)[0] == "live"
    assert any("could not write the cache" in w for w in warnings)


def test_without_a_cache_or_refresh_the_bundled_figures_are_used_and_nothing_is_downloaded():
    reference, warnings = market_reference(refresh=False, downloader=refuse_download, now=NOW)
    assert source_of(reference)[0] == "bundled"
    assert warnings == [
        "market data: there is no market data cache yet (refresh to download it). Using bundled "
        "capital_market_assumptions.csv (illustrative, as of 2026-11-22) for volatilities and correlations."
    ]


def test_the_cache_folder_is_the_users_unless_overridden(monkeypatch):
    monkeypatch.delenv("IMPACT_SCREEN_CACHE")
    assert market.cache_dir().name == "impact-screen"


# --- correlation repair -----------------------------------------------------------------------


def test_nearest_correlation_repairs_an_impossible_matrix():
    impossible = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    assert not is_correlation_matrix(impossible)
    repaired = nearest_correlation(impossible)
    assert is_correlation_matrix(repaired)
    np.testing.assert_allclose(np.diag(repaired), 1.0)
    valid = REFERENCE.correlations.to_numpy()
    np.testing.assert_allclose(nearest_correlation(valid), valid, atol=1e-8)


def test_combining_keeps_bundled_entries_unless_a_repair_is_needed():
    ids = ["a", "b", "c"]
    bundled = pd.DataFrame([[1.0, 0.2, 0.2], [0.2, 1.0, 0.2], [0.2, 0.2, 1.0]], index=ids, columns=ids)
    mild = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=["a", "b"], columns=["a", "b"])
    combined, note = combine_correlations(bundled, mild)
    assert combined.at["a", "b"] == 0.5 and combined.at["a", "c"] == 0.2
    assert note == "history for 2 of 3 asset classes, bundled for the rest"
    bundled.loc["a", "c"] = bundled.loc["c", "a"] = 0.9
    bundled.loc["b", "c"] = bundled.loc["c", "b"] = -0.9
    extreme = pd.DataFrame([[1.0, 0.95], [0.95, 1.0]], index=["a", "b"], columns=["a", "b"])
    combined, note = combine_correlations(bundled, extreme)
    assert "repaired to the nearest valid correlation matrix" in note
    assert is_correlation_matrix(combined.to_numpy())


def test_closing_prices_refuses_rows_that_are_not_dates():
    frame = good_frame().reset_index(drop=True)
    frame.index = ["x"] * len(frame)
    with pytest.raises(MarketDataError, match="not dates"):
        closing_prices(frame, PROXIES)


def test_statistics_are_scale_free_so_pence_do_not_change_volatility():
    closes = closes_gbp()
    pounds = fetch_market_data(PROXIES, Fake(yahoo_frame(closes)), 5, NOW)
    pence = fetch_market_data(PROXIES, Fake(yahoo_frame(closes * 100)), 5, NOW)
    np.testing.assert_allclose(pounds.used["volatility"], pence.used["volatility"])
    assert math.isclose(
        pence.table.at["ISF.L", "last_price_gbp"], 100 * pounds.table.at["ISF.L", "last_price_gbp"]
    )
