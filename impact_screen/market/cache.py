"""The market data cache: one JSON file of statistics, written whole, read back only when it was
made for the same proxies and is fresh enough."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pandas as pd

from impact_screen.files import write_atomically
from impact_screen.market.statistics import MarketData, parse_time
from screening.errors import MarketDataError

DEFAULT_MAX_AGE_DAYS = 7.0
CACHE_ENV = "IMPACT_SCREEN_CACHE"
CACHE_FILE = "market_data.json"


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
    age = max(0.0, (now - parse_time(data.fetched_at)).total_seconds() / 86400)
    if age > max_age_days:
        return None, (
            f"the market data cache is {age:.1f} days old, older than the {max_age_days:g}-day limit"
        )
    return data, ""
