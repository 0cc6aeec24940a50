"""Every error the tool raises on purpose, under one base class, so a shell catches one thing.

Standard library only, and `screening/__init__` is lazy, so the run store and the CLI's start-up
import this without loading pandas.

- `InputError`: input that cannot be used; carries every `Problem` found (file, line, column).
- `CellError`: one cell that cannot be read; caught by the readers and turned into a `Problem`.
- `MarketDataError`: market data that cannot be used; callers fall back to the bundled figures.
- `StoreError`: a run-store problem a person can act on (a bad or taken name, a store too new).
- `AccessError`: something the caller's role does not allow (replacing another's run, say).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screening.reading.problems import Problem


class ImpactScreenError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(ImpactScreenError):
    """Input that cannot be used: carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CellError(ImpactScreenError, ValueError):
    """A cell that cannot be read as the column demands; the message is for the user."""


class MarketDataError(ImpactScreenError):
    """Market data that cannot be used: no answer, an empty or broken frame, an unreadable cache."""


class StoreError(ImpactScreenError):
    """A run store problem a person can act on (a bad name, a taken name, a store too new)."""


class AccessError(StoreError):
    """Something the caller's role does not allow: replacing or deleting another's run, publishing
    as a committee member, saving as a visitor. The message says who asked, what and why not."""


class ReportError(ImpactScreenError):
    """A report could not be made: the PDF engine or its system libraries are missing, or it failed."""


class NotSearched(ImpactScreenError):
    """A solve needed a search over yes/no choices that the size rule left out (caught inside the
    city-weighted benchmark, which then says it is not built; never shown as an error)."""
