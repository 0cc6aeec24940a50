"""Market statistics combined with the capital market assumptions.

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
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pandas as pd

from impact_screen.market.correlation import is_correlation_matrix, nearest_correlation
from impact_screen.market.download import YAHOO
from impact_screen.market.statistics import MarketData
from screening.errors import MarketDataError
from screening.reading.provenance import Provenance
from screening.reading.reference import Reference

MarketSource = Literal["live", "cache", "bundled"]


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

    def from_market(note: str) -> Provenance:
        return Provenance(
            source=source,
            name=name,
            sha256=data.sha256,
            loaded_at=now,
            status="market history",
            as_of=data.as_of,
            note=note,
        )

    try:
        correlations, how = combine_correlations(base.correlations, live)
        provenance["correlations"] = from_market(
            f"Correlations of weekly returns over {data.weeks} weeks ({how}). {fetched}."
        )
    except MarketDataError as exc:
        correlations = base.correlations
        notes.append(f"market data: {exc}; using the bundled correlations")
    live_classes = [c for c in table.index if table.at[c, "volatility_source"] == source]
    kept = [c for c in table.index if c not in live_classes]
    base_note = base.provenance["assumptions"].describe() if "assumptions" in base.provenance else ""
    provenance["assumptions"] = from_market(
        f"Volatility from {data.weeks} weeks of listed proxies for {len(live_classes)} of "
        f"{len(table)} asset classes"
        + (f" (bundled figure kept for {', '.join(kept)})" if kept else "")
        + f"; expected returns and the rest from {base_note}. {fetched}."
    )
    return replace(base, assumptions=table, correlations=correlations, provenance=provenance), notes
