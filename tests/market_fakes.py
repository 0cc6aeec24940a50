"""Synthetic market data shaped like yfinance's answers, and fake downloaders, for the market tests.

No test touches the network: prices are simulated (seeded) from the bundled correlations, and
`.L` prices are given in pence as Yahoo gives them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from impact_screen.market import load_proxies
from screening.reading.reference import bundled_reference

REFERENCE = bundled_reference()
PROXIES = load_proxies(None, REFERENCE.asset_classes)
TICKERS = list(PROXIES["ticker"])
CLASS_OF = {t: c for c, t in PROXIES["ticker"].items()}
NOW = datetime(2025, 11, 22, 12, 0, tzinfo=UTC)
LAST_DAY = "2025-11-21"  # a Friday, so the last week is complete
LISTED_SCALE = 1.3  # listed proxies are simulated 30% more volatile than the bundled figures


def closes_gbp(
    tickers: Sequence[str] = TICKERS,
    years: float = 4.0,
    seed: int = 7,
    classes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Daily closes in pounds on business days ending on a Friday, correlated as the bundled matrix
    (each ticker moves like its asset class: the bundled proxies', or `classes`)."""
    days = pd.bdate_range(end=LAST_DAY, periods=int(years * 261))
    classes = list(classes) if classes is not None else [CLASS_OF[t] for t in tickers]
    corr = REFERENCE.correlations.loc[classes, classes].to_numpy()
    vols = REFERENCE.assumptions.loc[classes, "volatility"].to_numpy() * LISTED_SCALE
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal((len(days), len(tickers))) @ np.linalg.cholesky(corr).T
    daily = shocks * vols / math.sqrt(261) + 0.0002
    levels = 10.0 * (1 + np.arange(len(tickers))) * np.exp(np.cumsum(daily, axis=0))
    return pd.DataFrame(levels, index=days, columns=list(tickers))


def in_units(closes: pd.DataFrame, proxies: pd.DataFrame = PROXIES) -> pd.DataFrame:
    """Closes as Yahoo quotes them: pence (x100) for GBp tickers."""
    unit = {
        t: (100.0 if c in ("GBp", "GBX") else 1.0)
        for t, c in zip(proxies["ticker"], proxies["currency"], strict=True)
    }
    return closes * pd.Series({t: unit.get(t, 1.0) for t in closes.columns})


def yahoo_frame(quoted: pd.DataFrame) -> pd.DataFrame:
    """A frame shaped like yfinance.download's for several tickers: MultiIndex (Price, Ticker)."""
    volume = pd.DataFrame(1000.0, index=quoted.index, columns=quoted.columns)
    blocks = {"Close": quoted, "High": quoted * 1.01, "Low": quoted * 0.99, "Open": quoted, "Volume": volume}
    frame = pd.concat(blocks, axis=1)
    frame.columns.names = ["Price", "Ticker"]
    frame.index.name = "Date"
    return frame


def good_frame(**kwargs: object) -> pd.DataFrame:
    """A healthy yfinance-shaped answer for the bundled proxies."""
    return yahoo_frame(in_units(closes_gbp(**kwargs)))  # type: ignore[arg-type]


def weekly_statistics(closes: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Hand computation: annualised volatility and correlation of Friday-to-Friday log returns."""
    fridays = closes[closes.index.day_of_week == 4]
    returns = np.diff(np.log(fridays.to_numpy()), axis=0)
    vols = pd.Series(returns.std(axis=0, ddof=1) * math.sqrt(52), index=closes.columns)
    corr = pd.DataFrame(np.corrcoef(returns.T), index=closes.columns, columns=closes.columns)
    return vols, corr


class Fake:
    """A downloader: returns `answer`, raises it if it is an exception, or waits `delay` seconds."""

    def __init__(self, answer: object = None, delay: float = 0.0):
        self.answer = answer
        self.delay = delay
        self.calls: list[tuple[list[str], float]] = []
        self.release = threading.Event()

    def __call__(self, tickers: Sequence[str], timeout_s: float) -> object:
        self.calls.append((list(tickers), timeout_s))
        if self.delay:
            self.release.wait(self.delay)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def refuse_download(*args: object, **kwargs: object) -> None:
    """Stands in for yfinance.download in every market test: calling it fails the test."""
    pytest.fail("yfinance.download was called: tests must never touch the network")
