"""How much of an input file is read before it is refused, so that no file can take the machine.

Every table (CSV or workbook) is measured before any heavy work: its size in bytes, a workbook's
size once unzipped, and its rows, columns and cells, counted as they are read (so a stray cell at
XFD1048576 is refused at once instead of being padded into a billion empty cells). A file past a
limit is refused with the limit named, never read in part. The command line uses `FILE_LIMITS`; the
app, shared by many people, uses the lower `UPLOAD_LIMITS` (docs/inputs.md states both).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadLimits:
    """The largest file, workbook content, table and candidate universe that is read."""

    max_bytes: int = 100_000_000
    max_unzipped_bytes: int = 400_000_000
    max_rows: int = 200_000
    max_columns: int = 500
    max_cells: int = 6_000_000

    def describe(self) -> str:
        """The limits in words, for the docs and for messages."""
        return (
            f"at most {self.max_bytes / 1e6:,.0f} MB ({self.max_unzipped_bytes / 1e6:,.0f} MB once a "
            f"workbook is unzipped), {self.max_rows:,} rows, {self.max_columns:,} columns and "
            f"{self.max_cells:,} cells"
        )


FILE_LIMITS = ReadLimits()
UPLOAD_LIMITS = ReadLimits(
    max_bytes=10_000_000, max_unzipped_bytes=100_000_000, max_rows=5_000, max_columns=200, max_cells=300_000
)


def limits_for(origin: str) -> ReadLimits:
    """The limits for a file of this origin: UPLOAD_LIMITS for an upload to the app, else FILE_LIMITS."""
    return UPLOAD_LIMITS if origin == "upload" else FILE_LIMITS
