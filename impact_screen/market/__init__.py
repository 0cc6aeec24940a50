"""Live market data for the capital market assumptions, and the fallback live -> cache -> bundled.

The steps live in their own modules: `proxies` (the proxies file), `download` (the bounded
download and the checks on what came back), `statistics` (volatilities, correlations, trailing
returns), `correlation` (validity and repair of a correlation matrix), `assumptions` (the combine
rule, with the capital market assumptions), `cache` (the cache file). This module chains them.

Nothing is downloaded unless asked (`refresh=True`), nothing here ever waits longer than the
time limit, and every failure becomes a warning and a fallback, never an exception.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd

from impact_screen.market.assumptions import assumptions_table, combine, combine_correlations
from impact_screen.market.cache import (
    CACHE_FILE,
    DEFAULT_MAX_AGE_DAYS,
    cache_dir,
    cache_path,
    read_cache,
    write_cache,
)
from impact_screen.market.correlation import is_correlation_matrix, nearest_correlation
from impact_screen.market.download import (
    DEFAULT_TIMEOUT_S,
    YAHOO,
    Downloader,
    closing_prices,
    download_prices,
    with_deadline,
    yfinance_download,
)
from impact_screen.market.proxies import PROXIES_FILE, load_proxies
from impact_screen.market.statistics import MarketData, market_statistics
from screening.errors import InputError, MarketDataError
from screening.reading.reference import Reference, bundled_reference
from screening.reading.tables import InputFile


def fetch_market_data(
    proxies: pd.DataFrame, downloader: Downloader, timeout_s: float, now: datetime
) -> MarketData:
    """Download, check and summarise the proxies' history; MarketDataError on any failure."""
    frame = download_prices(list(proxies["ticker"]), downloader, timeout_s)
    prices, problems = closing_prices(frame, proxies)
    return market_statistics(prices, proxies, problems, now)


def market_reference(
    refresh: bool = False,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    downloader: Downloader | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    now: datetime | None = None,
    proxies: InputFile | None = None,
    base: Reference | None = None,
) -> tuple[Reference, list[str]]:
    """The reference tables with volatilities and correlations from market history where possible.

    `refresh=True` downloads now (giving up after `timeout_s`); otherwise nothing is downloaded
    and a cache younger than `max_age_days` is used. On any failure: the fresh cache, then the
    bundled assumptions, with warnings that say which and why. Never raises, never hangs.
    `reference.provenance["assumptions"]` (and `["correlations"]`) say live, cache or bundled.
    """
    now = now or datetime.now(UTC)
    base = base or bundled_reference()
    try:
        return _market_reference(refresh, max_age_days, downloader, timeout_s, now, proxies, base)
    except Exception as exc:  # the promise is a fallback, never a crash
        reason = f"unexpected error {type(exc).__name__}: {exc}"
        return _bundled(base, None, [], reason)


def _market_reference(
    refresh: bool,
    max_age_days: float,
    downloader: Downloader | None,
    timeout_s: float,
    now: datetime,
    proxies_file: InputFile | None,
    base: Reference,
) -> tuple[Reference, list[str]]:
    try:
        proxies = load_proxies(proxies_file, base.asset_classes)
    except InputError as exc:
        lines = [f"market data: {p}" for p in exc.problems]
        return _bundled(base, None, lines, "the proxies file has problems")
    warnings: list[str] = []
    failure = ""
    if refresh:
        try:
            data = fetch_market_data(proxies, downloader or yfinance_download, timeout_s, now)
        except MarketDataError as exc:
            failure = str(exc) if "download failed" in str(exc) else f"the download failed: {exc}"
        else:
            try:
                write_cache(data)
            except OSError as exc:
                warnings.append(f"market data: could not write the cache in {cache_dir()} ({exc})")
            reference, notes = combine(base, proxies, data, "live", YAHOO)
            return reference, warnings + notes
    data, why_not = read_cache(proxies, now, max_age_days)
    if data is not None:
        reference, notes = combine(base, proxies, data, "cache", str(cache_path()))
        if failure:
            warnings.append(
                f"market data: {failure}; using the cached market data as of {data.as_of} "
                f"(fetched {data.fetched_at})"
            )
        return reference, warnings + notes
    reason = f"{failure}; {why_not}" if failure else why_not
    return _bundled(base, proxies, warnings, reason if refresh else f"{reason} (refresh to download it)")


def _bundled(
    base: Reference, proxies: pd.DataFrame | None, warnings: list[str], reason: str
) -> tuple[Reference, list[str]]:
    """The base reference as it is (with the extra assumption columns), and why it is used."""
    table = assumptions_table(base.assumptions, proxies, None, "bundled")
    origin = base.provenance.get("assumptions")
    which = origin.describe() if origin is not None else "the bundled assumptions"
    message = f"market data: {reason}. Using {which} for volatilities and correlations."
    return replace(base, assumptions=table), [*warnings, message]


def market_source(reference: Reference) -> tuple[str, str | None]:
    """(source, as_of) of the reference's assumptions: 'live', 'cache', 'bundled', 'file' ..."""
    provenance = reference.provenance.get("assumptions")
    if provenance is None:
        return "bundled", None
    return provenance.source, provenance.as_of


def market_summary(reference: Reference) -> str:
    """One line for every page that uses the assumptions: where volatilities came from, as of when."""
    source, as_of = market_source(reference)
    table = reference.assumptions
    if source in ("live", "cache") and "volatility_source" in table:
        count = int((table["volatility_source"] == source).sum())
        how = "live market data" if source == "live" else "cached market data"
        return (
            f"Volatilities and correlations: {how} as of {as_of} for {count} of {len(table)} asset "
            "classes (Yahoo Finance history of listed proxies); expected returns: "
            "capital market assumptions."
        )
    provenance = reference.provenance.get("assumptions")
    described = provenance.describe() if provenance else "bundled capital market assumptions"
    return f"Assumptions: {described}; no market data in use."


__all__ = [
    "CACHE_FILE",
    "DEFAULT_MAX_AGE_DAYS",
    "DEFAULT_TIMEOUT_S",
    "PROXIES_FILE",
    "MarketData",
    "MarketDataError",
    "cache_dir",
    "cache_path",
    "closing_prices",
    "combine",
    "combine_correlations",
    "fetch_market_data",
    "is_correlation_matrix",
    "load_proxies",
    "market_reference",
    "market_source",
    "market_statistics",
    "market_summary",
    "nearest_correlation",
    "read_cache",
    "with_deadline",
    "write_cache",
    "yfinance_download",
]
