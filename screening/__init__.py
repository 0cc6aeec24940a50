"""Screening core: read and check the inputs, then score, rank and explain each candidate.

Pure Python over plain data: no Streamlit, no printing. Shells (the CLI, the app) call these.
The names below are imported on first use, so `import screening.errors` (the run store, the
CLI's start-up) does not load pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_WHERE = {
    "ImpactScreenError": "screening.errors",
    "InputError": "screening.errors",
    "InputFile": "screening.reading.tables",
    "Mandate": "screening.reading.mandate",
    "Problem": "screening.reading.problems",
    "Reference": "screening.reading.reference",
    "Universe": "screening.reading.candidates",
    "bundled_reference": "screening.reading.reference",
    "load_candidates": "screening.reading.candidates",
    "load_mandate": "screening.reading.mandate",
    "load_matrix": "screening.reading.matrix",
    "load_reference": "screening.reading.reference",
}

__all__ = [
    "ImpactScreenError",
    "InputError",
    "InputFile",
    "Mandate",
    "Problem",
    "Reference",
    "Universe",
    "bundled_reference",
    "load_candidates",
    "load_mandate",
    "load_matrix",
    "load_reference",
]

if TYPE_CHECKING:
    from screening.errors import ImpactScreenError, InputError
    from screening.reading.candidates import Universe, load_candidates
    from screening.reading.mandate import Mandate, load_mandate
    from screening.reading.matrix import load_matrix
    from screening.reading.problems import Problem
    from screening.reading.reference import Reference, bundled_reference, load_reference
    from screening.reading.tables import InputFile


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'screening' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
