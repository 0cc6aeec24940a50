"""Statistics of the proxies' price history (volatilities, correlations, trailing returns),
and their plain JSON form, which is what the cache keeps."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from impact_screen.market.correlation import is_correlation_matrix
from impact_screen.market.download import YAHOO, yfinance_version
from screening.errors import MarketDataError

WEEKS_PER_YEAR = 52
MIN_WEEKS = 104  # two years of weekly returns before a volatility or correlation is trusted
CACHE_FORMAT = 1


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
            parse_time(data.fetched_at)
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


def parse_time(text: str) -> datetime:
    """An ISO time as written in the cache; a time without a zone is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
