"""The bounded download from Yahoo Finance and the checks on what came back.

yfinance reports trouble by logging and by returning empty or partial frames, not by raising;
everything here turns that into a MarketDataError with a reason a person can act on.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings as python_warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from importlib import metadata
from typing import TypeVar

import pandas as pd

from impact_screen.market.proxies import PENCE
from screening.errors import MarketDataError

YAHOO = "Yahoo Finance"
HISTORY_PERIOD = "5y"
JUMP_FACTOR = 20.0  # a day-on-day move beyond x20 or /20 is a pence/pound mix-up, not the market
DEFAULT_TIMEOUT_S = 30.0

# (tickers, timeout in seconds) -> a frame shaped like yfinance.download's: columns ('Close', ticker)
# (either level order), rows dates. Anything else, or an exception, counts as a failed download.
Downloader = Callable[[Sequence[str], float], object]
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# The download


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


def yfinance_version() -> str:
    """The installed yfinance version (read without importing it)."""
    try:
        return metadata.version("yfinance")
    except metadata.PackageNotFoundError:
        return "not installed"


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
