"""Problems found in user input (the exception that carries them is `screening.errors.InputError`).

Every check reports *all* its problems at once, each pointing at a file, a line (header = 1) and
the column or mandate key the user wrote, so a fund officer can fix a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from screening.errors import InputError

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one input file."""

    file: str
    line: int | None
    field: str | None
    message: str
    severity: Severity = "error"
    kind: Literal["column", "key"] = "column"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        what = f" {self.kind} '{self.field}':" if self.field else ""
        prefix = " warning:" if self.severity == "warning" else ""
        return f"{where}:{prefix}{what} {self.message}"

    def as_dict(self) -> dict[str, object]:
        """Plain form for JSON output and the app's problem table."""
        return {
            "file": self.file,
            "line": self.line,
            self.kind: self.field,
            "severity": self.severity,
            "message": self.message,
        }


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop the input being used."""
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The problems worth telling the user about that do not stop anything."""
    return [p for p in problems if p.severity == "warning"]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise InputError with every problem (warnings included) when any is an error."""
    problems = list(problems)
    if errors(problems):
        raise InputError(problems)
