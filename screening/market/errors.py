"""The error every step of getting market data raises; its callers turn it into a warning and a fallback."""

from __future__ import annotations

from screening.problems import ImpactScreenError


class MarketDataError(ImpactScreenError):
    """Market data that cannot be used: no answer, an empty or broken frame, an unreadable cache."""
