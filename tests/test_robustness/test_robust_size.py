"""Large inputs, each in a subprocess capped at 2 GiB of address space (and a hang guard).

Why: a candidate file with 175,000 rows, or 3,000 candidates to allocate, is not malformed, but
a reader or a screen that is quadratic in the rows (a pairwise rank comparison, say) or that
holds every row several times over takes the machine instead of answering. Each must end in
exit 0 with everything read, or exit 2 with a message naming the file and a size limit; never
an internal error (a MemoryError is one), never over a minute.

The files are made by resampling the bundled rows under unique ids (nothing large is committed).
These tests carry the project's `slow` marker (they run in the normal suite, like the others
with it; `-m "not slow"` leaves them out).
"""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from robustness_helpers import (
    FAST_ALLOCATE,
    all_bundled_rows,
    assert_allocation_sound,
    assert_no_crash,
    refusal_lines,
    run_capped,
)
from universes import HEADER

pytestmark = pytest.mark.slow

BIG = 175_000
LIMIT_WORDS = ("limit", "at most", "too many", "too large", "too big", "larger than", "more than")


def resampled(count: int, seed: int = 0) -> bytes:
    """`count` valid candidates: bundled rows drawn at random, each under a unique id."""
    pick = random.Random(seed).choice
    base = all_bundled_rows()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for number in range(count):
        row = pick(base)
        writer.writerow([f"{row['id']}-{number:06d}" if c == "id" else row[c] for c in HEADER])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("size") / "candidates-175k.csv"
    path.write_bytes(resampled(BIG))
    return path


def assert_read_whole_or_refused_for_size(outcome, path) -> None:
    """Exit 0, or exit 2 with a line naming the file and a size limit."""
    assert_no_crash(outcome)
    assert outcome.code in (0, 2), outcome.describe()
    if outcome.code == 2:
        named = refusal_lines(outcome, path)
        assert any(word in text.lower() for text in named for word in LIMIT_WORDS), (
            f"exit 2 without a line naming {path} and a size limit{outcome.describe()}"
        )


def test_175k_candidates_validate_within_2_gib(big_file):
    outcome = run_capped("validate", "--candidates", big_file, cwd=big_file.parent)
    assert_read_whole_or_refused_for_size(outcome, big_file)
    if outcome.code == 0:
        assert f"{BIG} candidates" in outcome.out or f"{BIG:,} candidates" in outcome.out, outcome.describe()


def test_175k_candidates_screen_within_2_gib(big_file):
    document = big_file.parent / "screen.json"
    outcome = run_capped(
        "screen", "--candidates", big_file, "--draws", "200", "--json", document, cwd=big_file.parent
    )
    assert_read_whole_or_refused_for_size(outcome, big_file)
    if outcome.code == 0:
        screened = json.loads(document.read_text(encoding="utf-8"))
        assert len(screened["candidates"]) == BIG


def test_3000_candidates_allocate_within_2_gib(tmp_path):
    path = tmp_path / "candidates-3000.csv"
    path.write_bytes(resampled(3000, seed=1))
    document = tmp_path / "allocation.json"
    outcome = run_capped("allocate", "--candidates", path, *FAST_ALLOCATE, "--json", document, cwd=tmp_path)
    assert_no_crash(outcome)
    assert outcome.code in (0, 2, 3), outcome.describe()
    if outcome.code == 2:
        assert_read_whole_or_refused_for_size(outcome, path)
    else:
        assert_allocation_sound(outcome, document)


def test_20000_columns_validate_within_2_gib(tmp_path):
    """A header of 20,020 columns (20,000 unknown, each a warning) over 12 candidates."""
    rows = all_bundled_rows()[:12]
    extra = [f"extra_{k}" for k in range(20_000)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*HEADER, *extra])
    for row in rows:
        writer.writerow([*(row[c] for c in HEADER), *("x" for _ in extra)])
    path = tmp_path / "wide.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    outcome = run_capped("validate", "--candidates", path, cwd=tmp_path)
    assert_read_whole_or_refused_for_size(outcome, path)
