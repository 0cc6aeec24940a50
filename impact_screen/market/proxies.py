"""The proxies file: which listed fund stands for which asset class, and in what price unit."""

from __future__ import annotations

import re
from collections.abc import Collection

import pandas as pd

from screening.reading import bundled
from screening.reading.columns import Column, validate_table
from screening.reading.problems import Problem, raise_if_errors
from screening.reading.tables import InputFile, read_table

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


def load_proxies(source: InputFile | None, asset_classes: Collection[str]) -> pd.DataFrame:
    """The proxies file (bundled by default), indexed by asset class; InputError lists every problem."""
    source = source or bundled.read(PROXIES_FILE)
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
