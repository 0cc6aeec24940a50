"""Where a number came from: a bundled file (with its status and date), a user's file, an upload,
or (later) live or cached market data. Every loaded input carries one of these."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from screening.reading.bundled import data_dir
from screening.reading.tables import InputFile

Source = Literal["bundled", "file", "upload", "live", "cache"]


@dataclass(frozen=True)
class Provenance:
    """Origin of one input: where, which exact bytes, how trustworthy, and as of when."""

    source: Source
    name: str
    sha256: str
    loaded_at: str
    status: str = "user supplied"
    as_of: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON and saved runs."""
        return asdict(self)

    def describe(self) -> str:
        """One line for a person: 'bundled candidates.csv (illustrative, as of 2026-11-22)'."""
        when = f", as of {self.as_of}" if self.as_of else ""
        return f"{self.source} {Path(self.name).name} ({self.status}{when})"


@cache
def _manifest_document() -> dict:
    with open(data_dir() / "manifest.toml", "rb") as handle:
        return tomllib.load(handle)


def manifest() -> dict[str, dict[str, str]]:
    """The bundled files' own provenance (data/manifest.toml), by file name."""
    return _manifest_document()["files"]


def data_version() -> str:
    """Version of the bundled data set, e.g. '2026.11.22'."""
    return str(_manifest_document().get("version", ""))


def provenance_of(source: InputFile) -> Provenance:
    """Provenance for an input just read; bundled files take status and date from the manifest."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if source.origin == "bundled":
        entry = manifest().get(Path(source.name).name, {})
        return Provenance(
            source="bundled",
            name=source.name,
            sha256=source.sha256,
            loaded_at=now,
            status=entry.get("status", "bundled"),
            as_of=entry.get("as_of"),
            note=entry.get("source", ""),
        )
    return Provenance(source=source.origin, name=source.name, sha256=source.sha256, loaded_at=now)
