"""Screening core: load and check inputs, then (later issues) score and rank candidates.

Pure Python over plain data: no Streamlit, no printing. Shells (the CLI, the app) call these.
"""

from screening.candidates import Universe, load_candidates
from screening.mandate import Mandate, load_mandate
from screening.matrix import load_matrix
from screening.problems import ImpactScreenError, InputError, Problem
from screening.reference import Reference, bundled_reference, load_reference
from screening.tables import InputFile

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
