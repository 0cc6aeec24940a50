"""Live market data for the capital market assumptions: listed proxies, a bounded download,
checks on what came back, statistics, a cache, and the fallback live -> cache -> bundled.

The combine rule (stated in the README's "Market data" section):
- Expected returns, liquidity and every other column stay the capital market assumptions'
  (a few years of prices say little about future returns).
- An asset class whose proxy has at least `MIN_WEEKS` weeks of usable history takes its
  volatility from that history: weekly log returns over the weeks every usable proxy shares (up
  to five years), standard deviation times sqrt(52). Other asset classes keep the bundled figure.
- Correlations between two such asset classes come from the same weekly returns; every other
  entry stays the bundled correlation. If the mix is not positive semi-definite it is repaired
  to the nearest correlation matrix (Higham's alternating projections); if even that fails, the
  bundled correlations are used whole, with a warning.

Nothing is downloaded unless asked (`refresh=True`), nothing here ever waits longer than the
time limit, and every failure becomes a warning and a fallback, never an exception.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import threading
import warnings as python_warnings
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
import pandas as pd

from screening import bundled
from screening.columns import Column, validate_table
from screening.files import write_atomically
from screening.matrix import PSD_TOL
from screening.problems import ImpactScreenError, InputError, Problem, raise_if_errors
from screening.provenance import Provenance
from screening.reference import Reference, bundled_reference
from screening.tables import InputFile, read_table

PROXIES_FILE = "market_proxies.csv"
PENCE = {"GBp": 0.01, "GBX": 0.01, "GBP": 1.0}  # price units -> pounds per unit
PROXY_COLUMNS = (
    Column("asset_class", "text"),
    Column("ticker", "text"),
    Column(
        "currency",
        "text",
        vocabulary=frozenset(PENCE),
        vocabulary_name="price unit",
        hints={"gbx": " (write 'GBp' for pence)", "gbp": " (write 'GBP' for pounds or 'GBp' for pence)"},
    ),
    Column("label", "text", required=False, blank_ok=True),
)
_TICKER = re.compile(r"^[A-Z0-9^=.\-]{1,20}$")

HISTORY_PERIOD = "5y"
WEEKS_PER_YEAR = 52
MIN_WEEKS = 104  # two years of weekly returns before a volatility or correlation is trusted
JUMP_FACTOR = 20.0  # a day-on-day move beyond x20 or /20 is a pence/pound mix-up, not the market
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_AGE_DAYS = 7.0
CACHE_ENV = "IMPACT_SCREEN_CACHE"
CACHE_FILE = "market_data.json"
CACHE_FORMAT = 1
YAHOO = "Yahoo Finance"

MarketSource = Literal["live", "cache", "bundled"]
# (tickers, timeout in seconds) -> a frame shaped like yfinance.download's: columns ('Close', ticker)
# (either level order), rows dates. Anything else, or an exception, counts as a failed download.
Downloader = Callable[[Sequence[str], float], object]
T = TypeVar("T")


class MarketDataError(ImpactScreenError):
    """Market data that cannot be used: no answer, an empty or broken frame, an unreadable cache."""


# ---------------------------------------------------------------------------------------------
# Proxies


def load_proxies(source: InputFile | None, asset_classes: Collection[str]) -> pd.DataFrame:
    """The proxies file (bundled by default), indexed by asset class; InputError lists every problem."""
    source = source or InputFile.from_path(bundled.bundled(PROXIES_FILE), origin="bundled")
    raw = read_table(source)
    frame, lines, problems = validate_table(raw, PROXY_COLUMNS)
    known = set(asset_classes)
    seen: dict[str, dict[str, int]] = {"asset_class": {}, "ticker": {}}
    tickers = []
    for row, line in zip(frame.itertuples(index=False), lines, strict=True):
        ticker = str(row.ticker).strip().upper()
        tickers.append(ticker)
        if row.asset_class not in known:
            problems.append(
                Problem(raw.file, line, "asset_class", f"'{row.asset_class}' is not a known asset class")
            )
        if not _TICKER.match(ticker):
            problems.append(Problem(raw.file, line, "ticker", f"'{row.ticker}' is not a Yahoo symbol"))
        for key, value in (("asset_class", row.asset_class), ("ticker", ticker)):
            if value in seen[key]:
                problems.append(
                    Problem(raw.file, line, key, f"'{value}' already appears on line {seen[key][value]}")
                )
            seen[key].setdefault(value, line)
    if not problems and frame.empty:
        problems.append(Problem(raw.file, raw.header_line, None, "names no proxies"))
    raise_if_errors(problems)
    frame["ticker"] = tickers
    frame["label"] = frame["label"].fillna("")
    return frame.set_index("asset_class")


# ---------------------------------------------------------------------------------------------
# Download


def yfinance_download(tickers: Sequence[str], timeout_s: float) -> pd.DataFrame | None:
    """Daily adjusted prices from yfinance (imported here, so importing this module is free).

    yfinance logs failures instead of raising; they are collected into `attrs["download_errors"]`
    (so a warning can say why the frame is empty) rather than printed.
    """
    import yfinance

    python_warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"yfinance(\.|$)")
    handler = _Collector(threading.get_ident())
    logger = logging.getLogger("yfinance")
    logger.addHandler(handler)
    try:
        frame = yfinance.download(
            list(tickers),
            period=HISTORY_PERIOD,
            interval="1d",
            threads=False,
            progress=False,
            auto_adjust=True,
            timeout=max(1.0, min(10.0, timeout_s)),
        )
    finally:
        logger.removeHandler(handler)
    if isinstance(frame, pd.DataFrame) and handler.messages:
        frame.attrs["download_errors"] = handler.messages
    return frame


class _Collector(logging.Handler):
    """Keeps the error messages yfinance logs from one thread."""

    def __init__(self, thread: int):
        super().__init__(logging.ERROR)
        self.thread = thread
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            text = re.sub(r"\s*See https?://\S+.*$", "", " ".join(record.getMessage().split()))
            if text and "Failed download" not in text:
                self.messages.append(text)


def with_deadline(call: Callable[[], T], timeout_s: float) -> T:
    """`call()` in a daemon thread; MarketDataError if it has not answered within `timeout_s`.

    A daemon thread (not a ThreadPoolExecutor, whose workers are joined at exit) so that a
    download that never returns cannot hold up the process either.
    """
    future: Future[T] = Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(call())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=work, name="impact-screen-market-data", daemon=True).start()
    try:
        return future.result(timeout=timeout_s)
    except TimeoutError:
        if future.done():
            raise
        raise MarketDataError(f"no answer from {YAHOO} within {timeout_s:g} s") from None


def download_prices(tickers: Sequence[str], downloader: Downloader, timeout_s: float) -> object:
    """What the downloader returns, within the time limit; any failure is a MarketDataError."""
    try:
        return with_deadline(lambda: downloader(list(tickers), timeout_s), timeout_s)
    except MarketDataError:
        raise
    except Exception as exc:
        raise MarketDataError(_explain(exc)) from exc


def _explain(exc: Exception) -> str:
    """A plain reason for a downloader's exception; rate limits are named as such."""
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:200]
    if name == "YFRateLimitError" or "too many requests" in text.lower() or "rate limit" in text.lower():
        return f"{YAHOO} is refusing requests for now (rate limited); try again later"
    return f"the download failed: {name}: {text}" if text else f"the download failed: {name}"


# ---------------------------------------------------------------------------------------------
# Checking the frame


def closing_prices(frame: object, proxies: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Daily closes in pounds, one column per proxy ticker, and per-ticker problems.

    The whole frame fails (MarketDataError) when it is empty, lacks a ticker or has a ticker with
    no prices at all: yfinance reports network trouble that way instead of raising. A ticker whose
    prices are unusable (zero or negative, or a pence/pound jump) is only set aside.
    """
    tickers = list(proxies["ticker"])
    if not isinstance(frame, pd.DataFrame) or frame.empty or frame.shape[1] == 0:
        raise MarketDataError(f"{YAHOO} returned no data{_errors_of(frame)}")
    closes = _close_columns(frame)
    by_upper = {str(c).upper(): c for c in closes.columns}
    missing = [t for t in tickers if t not in by_upper]
    if missing:
        raise MarketDataError(f"{YAHOO} returned no column for {', '.join(missing)}{_errors_of(frame)}")
    closes = closes[[by_upper[t] for t in tickers]].set_axis(tickers, axis=1)
    closes = closes.apply(pd.to_numeric, errors="coerce").astype(float)
    closes.index = _dates(closes.index)
    closes = closes[~closes.index.duplicated(keep="last")].sort_index()
    empty = [t for t in tickers if closes[t].notna().sum() == 0]
    if empty:
        raise MarketDataError(f"{YAHOO} returned no prices for {', '.join(empty)}{_errors_of(frame)}")
    problems: dict[str, str] = {}
    for ticker, currency in zip(tickers, proxies["currency"], strict=True):
        series = closes[ticker].dropna()
        if (series <= 0).any():
            problems[ticker] = "has zero or negative prices"
            continue
        ratio = series / series.shift(1)
        jumps = ratio[(ratio > JUMP_FACTOR) | (ratio < 1 / JUMP_FACTOR)]
        if len(jumps):
            problems[ticker] = (
                f"jumps by a factor of {float(jumps.iloc[0]):.3g} on {jumps.index[0].date()} "
                "(pence and pounds mixed up in the source)"
            )
        closes[ticker] = closes[ticker] * PENCE[currency]
    return closes, problems


def _close_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The 'Close' block of a yfinance frame, whichever level the field names are on."""
    columns = frame.columns
    if isinstance(columns, pd.MultiIndex):
        for level in range(columns.nlevels):
            if "Close" in columns.get_level_values(level):
                block = frame.xs("Close", axis=1, level=level)
                if isinstance(block.columns, pd.MultiIndex):
                    block.columns = block.columns.get_level_values(-1)
                return block
    raise MarketDataError(f"{YAHOO} returned no closing prices (columns: {list(columns)[:6]})")


def _dates(index: pd.Index) -> pd.DatetimeIndex:
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(index))
    except (TypeError, ValueError) as exc:
        raise MarketDataError(f"{YAHOO} returned rows that are not dates ({exc})") from None
    if dates.tz is not None:
        dates = dates.tz_localize(None)
    return dates.normalize()


def _errors_of(frame: object) -> str:
    errors = frame.attrs.get("download_errors", []) if isinstance(frame, pd.DataFrame) else []
    return f" ({errors[0][:200]})" if errors else " (offline, or the symbols are wrong)"


# ---------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class MarketData:
    """Statistics of the proxies' history, and where and when they came from.

    `table` is indexed by ticker: asset_class, currency, volatility (annual, NaN when not used),
    trailing_return_1y, last_price_gbp, weeks, first_date, last_date and problem ('' when used).
    `correlations` covers the tickers used.
    """

    table: pd.DataFrame
    correlations: pd.DataFrame
    as_of: str
    fetched_at: str
    yfinance_version: str
    weeks: int

    @property
    def used(self) -> pd.DataFrame:
        """The rows whose history is used."""
        return self.table[self.table["problem"] == ""]

    def document(self) -> dict[str, object]:
        """Plain JSON form (the cache file)."""
        rows = [{"ticker": t, **{k: _plain(v) for k, v in row.items()}} for t, row in self.table.iterrows()]
        return {
            "format": CACHE_FORMAT,
            "as_of": self.as_of,
            "fetched_at": self.fetched_at,
            "source": YAHOO,
            "yfinance_version": self.yfinance_version,
            "frequency": "weekly",
            "weeks": self.weeks,
            "tickers": {str(row["asset_class"]): t for t, row in self.table.iterrows()},
            "proxies": rows,
            "correlations": {
                "tickers": list(self.correlations.index),
                "matrix": self.correlations.to_numpy().round(12).tolist(),
            },
        }

    @property
    def sha256(self) -> str:
        """Fingerprint of the statistics, for provenance."""
        text = json.dumps(self.document(), sort_keys=True, allow_nan=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def from_document(cls, document: object) -> MarketData:
        """Read the cache's JSON form back; MarketDataError when anything is missing or off."""
        try:
            if not isinstance(document, dict):
                raise TypeError("not a JSON object")
            if document.get("format") != CACHE_FORMAT:
                raise ValueError(f"format {document.get('format')!r}, expected {CACHE_FORMAT}")
            table = pd.DataFrame(document["proxies"]).set_index("ticker")
            table["problem"] = table["problem"].fillna("").astype(str)
            for column in ("volatility", "trailing_return_1y", "last_price_gbp"):
                table[column] = pd.to_numeric(table[column]).astype(float)
            names = list(document["correlations"]["tickers"])
            matrix = np.asarray(document["correlations"]["matrix"], dtype=float)
            correlations = pd.DataFrame(matrix, index=names, columns=names)
            data = cls(
                table=table,
                correlations=correlations,
                as_of=str(document["as_of"]),
                fetched_at=str(document["fetched_at"]),
                yfinance_version=str(document.get("yfinance_version", "")),
                weeks=int(document["weeks"]),
            )
            _parse_time(data.fetched_at)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MarketDataError(f"unreadable ({type(exc).__name__}: {exc})") from None
        _check_statistics(data)
        return data


def _plain(value: object) -> object:
    """A JSON-safe scalar: NaN becomes null, numpy numbers become Python numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _check_statistics(data: MarketData) -> None:
    used = data.used
    vols = used["volatility"].to_numpy(dtype=float)
    if used.empty or not np.all(np.isfinite(vols)) or np.any(vols <= 0):
        raise MarketDataError("no usable volatility")
    matrix = data.correlations.to_numpy(dtype=float)
    if list(data.correlations.index) != list(used.index) or not is_correlation_matrix(matrix):
        raise MarketDataError("the correlations are not a valid correlation matrix for the proxies used")


def market_statistics(
    prices: pd.DataFrame,
    proxies: pd.DataFrame,
    problems: dict[str, str],
    fetched_at: datetime,
    min_weeks: int = MIN_WEEKS,
) -> MarketData:
    """Annualised volatilities and correlations of weekly log returns, and 1-year trailing returns.

    Weekly (Friday) closes smooth over thin trading in investment trusts. A proxy is used when it
    has no problem and at least `min_weeks` weekly returns; volatilities and correlations are
    taken over the weeks every used proxy shares, so the matrix is a true correlation matrix.
    """
    broken = set(problems)  # prices that cannot be trusted at all, not merely too short
    problems = dict(problems)
    weekly = prices.resample("W-FRI").last()
    returns = np.log(weekly / weekly.shift(1))
    counts = returns.notna().sum()
    for ticker in prices.columns:
        if ticker in problems:
            continue
        if counts[ticker] < min_weeks:
            problems[ticker] = f"has {int(counts[ticker])} weeks of history; at least {min_weeks} are needed"
        elif not returns[ticker].std() > 0:
            problems[ticker] = "has prices that never move"
    used = [t for t in prices.columns if t not in problems]
    if not used:
        reasons = "; ".join(f"{t} {why}" for t, why in problems.items())
        raise MarketDataError(f"no proxy has usable history: {reasons}")
    sample = returns[used].dropna(how="any")
    if len(sample) < min_weeks:
        raise MarketDataError(
            f"the proxies' histories overlap for only {len(sample)} weeks; at least {min_weeks} are needed"
        )
    volatility = sample.std(ddof=1) * math.sqrt(WEEKS_PER_YEAR)
    correlations = sample.corr()
    asset_class = {t: c for c, t in proxies["ticker"].items()}
    currency = dict(zip(proxies["ticker"], proxies["currency"], strict=True))
    table = pd.DataFrame(
        {
            "asset_class": [asset_class[t] for t in prices.columns],
            "currency": [currency[t] for t in prices.columns],
            "volatility": [float(volatility.get(t, np.nan)) for t in prices.columns],
            "trailing_return_1y": [
                float("nan") if t in broken else _trailing_return(prices[t]) for t in prices.columns
            ],
            "last_price_gbp": [_last(prices[t]) for t in prices.columns],
            "weeks": [int(counts[t]) for t in prices.columns],
            "first_date": [_day(prices[t].first_valid_index()) for t in prices.columns],
            "last_date": [_day(prices[t].last_valid_index()) for t in prices.columns],
            "problem": [problems.get(t, "") for t in prices.columns],
        },
        index=pd.Index(list(prices.columns), name="ticker"),
    )
    as_of = prices[used].dropna(how="all").index.max()
    data = MarketData(
        table=table,
        correlations=correlations,
        as_of=_day(as_of) or "",
        fetched_at=fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
        yfinance_version=yfinance_version(),
        weeks=len(sample),
    )
    _check_statistics(data)
    return data


def _trailing_return(series: pd.Series) -> float:
    """Last price over the price a year earlier, minus 1 (NaN with less than a year of prices)."""
    series = series.dropna()
    if series.empty:
        return float("nan")
    start = series.index[-1] - pd.Timedelta(days=365)
    earlier = series[series.index <= start]
    return float(series.iloc[-1] / earlier.iloc[-1] - 1) if len(earlier) else float("nan")


def _last(series: pd.Series) -> float:
    series = series.dropna()
    return float(series.iloc[-1]) if len(series) else float("nan")


def _day(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def yfinance_version() -> str:
    """The installed yfinance version (read without importing it)."""
    try:
        return metadata.version("yfinance")
    except metadata.PackageNotFoundError:
        return "not installed"


def fetch_market_data(
    proxies: pd.DataFrame, downloader: Downloader, timeout_s: float, now: datetime
) -> MarketData:
    """Download, check and summarise the proxies' history; MarketDataError on any failure."""
    frame = download_prices(list(proxies["ticker"]), downloader, timeout_s)
    prices, problems = closing_prices(frame, proxies)
    return market_statistics(prices, proxies, problems, now)


# ---------------------------------------------------------------------------------------------
# Combining with the capital market assumptions


def is_correlation_matrix(matrix: np.ndarray) -> bool:
    """Square, finite, symmetric, unit diagonal, entries in -1..1, PSD (the tolerances of matrix.py)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not np.all(np.isfinite(matrix)):
        return False
    if not np.allclose(matrix, matrix.T, atol=1e-10) or not np.allclose(np.diag(matrix), 1.0, atol=1e-9):
        return False
    if np.any(np.abs(matrix) > 1 + 1e-12):
        return False
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    return bool(eigenvalues[0] >= -PSD_TOL * max(1.0, float(eigenvalues[-1])))


def nearest_correlation(matrix: np.ndarray, iterations: int = 200, tolerance: float = 1e-10) -> np.ndarray:
    """The nearest correlation matrix (Higham 2002, alternating projections with Dykstra's correction)."""
    y = (np.asarray(matrix, dtype=float) + np.asarray(matrix, dtype=float).T) / 2
    correction = np.zeros_like(y)
    for _ in range(iterations):
        r = y - correction
        x = _psd_part(r)
        correction = x - r
        previous, y = y, x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - previous) <= tolerance * max(1.0, np.linalg.norm(y)):
            break
    y = _psd_part(y)
    scale = np.sqrt(np.clip(np.diag(y), 1e-12, None))
    y = np.clip(y / np.outer(scale, scale), -1.0, 1.0)
    y = (y + y.T) / 2
    np.fill_diagonal(y, 1.0)
    return y


def _psd_part(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.clip(values, 0.0, None)) @ vectors.T


def combine_correlations(bundled_matrix: pd.DataFrame, live: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Bundled correlations with the live block written over them, repaired if no longer PSD.

    `live` is indexed by asset class. Returns the matrix and a note saying how it was made;
    MarketDataError when no valid matrix results (the caller then keeps the bundled one).
    """
    combined = bundled_matrix.copy().astype(float)
    names = [c for c in live.index if c in combined.index]
    combined.loc[names, names] = live.loc[names, names].to_numpy(dtype=float)
    if len(names) == len(combined):
        note = "all from history"
    else:
        note = f"history for {len(names)} of {len(combined)} asset classes, bundled for the rest"
    matrix = combined.to_numpy()
    if is_correlation_matrix(matrix):
        return combined, note
    repaired = nearest_correlation(matrix)
    if not is_correlation_matrix(repaired):
        raise MarketDataError("mixing historical and bundled correlations gave an invalid matrix")
    change = float(np.abs(repaired - matrix).max())
    fixed = pd.DataFrame(repaired, index=combined.index, columns=combined.columns)
    return fixed, f"{note}; repaired to the nearest valid correlation matrix (largest change {change:.3f})"


def assumptions_table(
    base: pd.DataFrame, proxies: pd.DataFrame | None, data: MarketData | None, source: MarketSource
) -> pd.DataFrame:
    """The capital market assumptions with history's volatilities where usable, and four more
    columns: proxy, bundled_volatility, volatility_source and trailing_return_1y."""
    table = base.copy()
    table["bundled_volatility"] = table["volatility"]
    table["proxy"] = pd.Series([None] * len(table), index=table.index, dtype=object)
    table["volatility_source"] = "bundled"
    table["trailing_return_1y"] = np.nan
    if proxies is not None:
        for asset_class, ticker in proxies["ticker"].items():
            if asset_class in table.index:
                table.at[asset_class, "proxy"] = ticker
    if data is not None:
        for _, row in data.table.iterrows():
            asset_class = row["asset_class"]
            if asset_class not in table.index:
                continue
            table.at[asset_class, "trailing_return_1y"] = row["trailing_return_1y"]
            if row["problem"] == "":
                table.at[asset_class, "volatility"] = float(row["volatility"])
                table.at[asset_class, "volatility_source"] = source
    return table


def combine(
    base: Reference, proxies: pd.DataFrame, data: MarketData, source: Literal["live", "cache"], name: str
) -> tuple[Reference, list[str]]:
    """`base` with volatilities and correlations from `data` by the rule above, and warnings."""
    notes = [
        f"market data: {ticker} ({row['asset_class']}) {row['problem']}; {row['asset_class']} keeps "
        "its bundled volatility and correlations"
        for ticker, row in data.table.iterrows()
        if row["problem"]
    ]
    table = assumptions_table(base.assumptions, proxies, data, source)
    used = data.used
    live = data.correlations.rename(index=used["asset_class"], columns=used["asset_class"])
    now = datetime.now(UTC).isoformat(timespec="seconds")
    fetched = f"{YAHOO} daily prices via yfinance {data.yfinance_version}, fetched {data.fetched_at}"
    provenance = dict(base.provenance)
    try:
        correlations, how = combine_correlations(base.correlations, live)
        provenance["correlations"] = Provenance(
            source=source,
            name=name,
            sha256=data.sha256,
            loaded_at=now,
            status="market history",
            as_of=data.as_of,
            note=f"Correlations of weekly returns over {data.weeks} weeks ({how}). {fetched}.",
        )
    except MarketDataError as exc:
        correlations = base.correlations
        notes.append(f"market data: {exc}; using the bundled correlations")
    live_classes = [c for c in table.index if table.at[c, "volatility_source"] == source]
    kept = [c for c in table.index if c not in live_classes]
    base_note = base.provenance["assumptions"].describe() if "assumptions" in base.provenance else ""
    provenance["assumptions"] = Provenance(
        source=source,
        name=name,
        sha256=data.sha256,
        loaded_at=now,
        status="market history",
        as_of=data.as_of,
        note=(
            f"Volatility from {data.weeks} weeks of listed proxies for {len(live_classes)} of "
            f"{len(table)} asset classes"
            + (f" (bundled figure kept for {', '.join(kept)})" if kept else "")
            + f"; expected returns and the rest from {base_note}. {fetched}."
        ),
    )
    return replace(base, assumptions=table, correlations=correlations, provenance=provenance), notes


# ---------------------------------------------------------------------------------------------
# Cache


def cache_dir() -> Path:
    """Where market data is cached: $IMPACT_SCREEN_CACHE, else the user's cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("impact-screen"))


def cache_path() -> Path:
    """The cache file."""
    return cache_dir() / CACHE_FILE


def write_cache(data: MarketData) -> Path:
    """Write the statistics whole or not at all (temporary file, then os.replace)."""
    return write_atomically(cache_path(), json.dumps(data.document(), indent=2, allow_nan=False) + "\n")


def read_cache(proxies: pd.DataFrame, now: datetime, max_age_days: float) -> tuple[MarketData | None, str]:
    """The cached statistics when present, readable, made for these proxies and fresh enough.

    Otherwise None and the reason, in words.
    """
    path = cache_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "there is no market data cache yet"
    except OSError as exc:
        return None, f"the market data cache {path} cannot be read ({exc})"
    try:
        data = MarketData.from_document(json.loads(text))
    except (json.JSONDecodeError, MarketDataError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return None, f"the market data cache {path} is damaged and was ignored ({reason})"
    wanted = {str(t): str(c) for c, t in proxies["ticker"].items()}
    cached = {str(t): str(c) for t, c in data.table["asset_class"].items()}
    if wanted != cached:
        return None, f"the market data cache {path} was made for other proxies and was ignored"
    age = max(0.0, (now - _parse_time(data.fetched_at)).total_seconds() / 86400)
    if age > max_age_days:
        return None, (
            f"the market data cache is {age:.1f} days old, older than the {max_age_days:g}-day limit"
        )
    return data, ""


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Live -> cache -> bundled


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
    "MarketData",
    "MarketDataError",
    "closing_prices",
    "combine",
    "combine_correlations",
    "fetch_market_data",
    "load_proxies",
    "market_reference",
    "market_statistics",
    "market_summary",
    "nearest_correlation",
    "read_cache",
    "write_cache",
    "yfinance_download",
]
