"""Property: any awkward cell in any column of a small candidate file is read as it means, or refused.

Why: the hand-picked cases elsewhere cover what a tester thought of; hypothesis combines
percent signs, pound signs, thousands separators, decimal commas, unicode minus signs, white
space, control characters, spreadsheet errors, non-finite words and very long strings, in
random columns and rows, several at a time. Each generated cell carries what it means for the
column it is put in: a number (or text), or "must be refused". Then, through
`impact-screen validate`:

- never exit 1 (nor a traceback), and only exit 0 or 2;
- a cell that must be refused gives exit 2 with a line naming the file and its line (and its
  column, unless the whole file is refused, e.g. for a NUL byte);
- exit 0 means every generated cell was read as what it means (a number to 1e-12).

A cell's meaning can be a number the reader may still refuse (out of range, an unusual form such
as "(5)" or "１２"): refusing is always allowed; reading it as something else never is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_helpers import (
    assert_no_crash,
    bundled_rows,
    read_back,
    refusal_lines,
    run,
    same_number,
    write_candidates,
)

ROWS = bundled_rows()
SHARES = {
    "expected_return",
    "volatility",
    "income_yield",
    "local_spend_share",
    "living_wage_share",
    "additionality",
}
MONEY = {"min_ticket_gbp", "max_ticket_gbp"}
OTHER_NUMBERS = {
    "jobs_per_gbp_m",
    "affordable_homes_per_gbp_m",
    "co2_avoided_t_per_gbp_m",
    "imd_decile",
    "evidence_quality",
    "liquidity_years",
}
REQUIRED = {"expected_return", "volatility"}
NUMBER_COLUMNS = sorted(SHARES | MONEY | OTHER_NUMBERS)
TEXT_COLUMNS = ["name"]

REFUSE = "refuse"  # the meaning of a cell that must be refused


@dataclass(frozen=True)
class Awkward:
    text: str
    meaning: float | str  # a number, the text read, or REFUSE


# ---- numbers and how they can be written --------------------------------------------------------

_SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", " \t "])
_CONTROL = st.sampled_from(["\x01", "\x07", "\x08", "\x1b", "\x7f", "\x00"])
_UNICODE_DIGITS = {"fullwidth": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966}


@st.composite
def _decimal(draw) -> tuple[str, str, bool]:
    """(whole part, fraction digits, negative)."""
    whole = draw(st.one_of(st.integers(0, 99), st.integers(0, 10**10)))
    fraction = draw(st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=4)))
    return str(whole), fraction, draw(st.booleans())


def _value(whole: str, fraction: str, negative: bool) -> Decimal:
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    return -number if negative else number


def _grouped(whole: str) -> str:
    return f"{int(whole):,}"


@st.composite
def awkward_number(draw, column: str) -> Awkward:
    whole, fraction, negative = draw(_decimal())
    value = _value(whole, fraction, negative)
    body = whole + (f".{fraction}" if fraction else "")
    form = draw(
        st.sampled_from(
            [
                "plain",
                "percent",
                "spaced-percent",
                "pound",
                "thousands",
                "pound-thousands",
                "decimal-comma",
                "unicode-minus",
                "parentheses",
                "padded",
                "exponent",
                "unicode-digits",
                "space-thousands",
                "control-inside",
                "control-around",
                "double-percent",
            ]
        )
    )
    sign = "-" if negative else ""
    meaning: float | str = float(value)
    if form == "plain":
        text = sign + body
    elif form in ("percent", "spaced-percent"):
        text = sign + body + ("%" if form == "percent" else " %")
        meaning = float(value / 100) if column in SHARES else REFUSE
    elif form == "pound":
        text = sign + "£" + body
    elif form in ("thousands", "pound-thousands"):
        text = (
            sign
            + ("£" if form == "pound-thousands" else "")
            + _grouped(whole)
            + (f".{fraction}" if fraction else "")
        )
    elif form == "decimal-comma":
        # only unambiguous ones: '6,5', '0,065', '12345,5' (never 'd,ddd', which may be thousands)
        fraction = fraction or "5"
        if whole != "0" and len(fraction) == 3 and len(whole) <= 3:
            fraction += "1"
        text, meaning = f"{sign}{whole},{fraction}", REFUSE
    elif form == "unicode-minus":
        text, meaning = "\u2212" + body, -abs(float(value))
    elif form == "parentheses":
        text, meaning = f"({body})", -abs(float(value))
    elif form == "padded":
        text = draw(_SPACES) + sign + body + draw(_SPACES)
    elif form == "exponent":
        exponent = draw(st.integers(-5, 5))
        text, meaning = f"{sign}{body}e{exponent}", float(value * Decimal(10) ** exponent)
    elif form == "unicode-digits":
        zero = _UNICODE_DIGITS[draw(st.sampled_from(sorted(_UNICODE_DIGITS)))]
        text = sign + "".join(chr(zero + int(c)) if c.isdigit() else c for c in body)
    elif form == "space-thousands":
        text = sign + _grouped(whole).replace(",", " ") + (f".{fraction}" if fraction else "")
    elif form == "control-inside":
        digits = sign + whole + "5"
        split = draw(st.integers(1, len(digits) - 1))
        text, meaning = digits[:split] + draw(_CONTROL) + digits[split:], REFUSE
    elif form == "control-around":
        control = draw(_CONTROL)
        text = control + sign + body if draw(st.booleans()) else sign + body + control
        if control == "\x00":
            meaning = REFUSE
    else:  # double-percent
        text, meaning = sign + body + "%%", REFUSE
    return Awkward(text, meaning)


_NOT_NUMBERS = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "nan",
            "-NaN",
            "inf",
            "-inf",
            "+Inf",
            "Infinity",
            "-infinity",
            "1e999",
            "-1e999",
            "∞",
            "#N/A",
            "#DIV/0!",
            "#VALUE!",
            "#REF!",
            "#NAME?",
            "#NUM!",
            "#NULL!",
            "nan%",
            "inf%",
            "£",
            "%",
            "-",
            ".",
            "e5",
            "1.2.3",
            "5e",
            "0x1A",
            "TRUE",
            "n/a",
            "TBC",
        ]
    ),
    # letters that can never spell a number (no i, n, f, t, y, a, e)
    st.text("bcdghjklmopqrsuvwxzBCDGHJKLMOPQRSUVWXZ!?/&*@ ", min_size=1, max_size=40).filter(str.strip),
    # very long digit strings: too large (inf) or ending in text
    st.integers(400, 5000).map(lambda n: "9" * n),
    st.integers(1000, 200_000).map(lambda n: "1" * n + "x"),
)


@st.composite
def awkward_cell(draw, column: str) -> Awkward:
    if column in TEXT_COLUMNS:
        text = draw(
            st.one_of(
                st.text(
                    st.characters(blacklist_characters="\x00\r\n", blacklist_categories=("Cs",)), max_size=60
                ),
                st.integers(1000, 100_000).map(lambda n: "Preston " * (n // 8)),
            )
        )
        return Awkward(text, text.strip() or REFUSE)
    kind = draw(st.sampled_from(["number", "number", "number", "not-a-number", "blank"]))
    if kind == "not-a-number":
        return Awkward(draw(_NOT_NUMBERS), REFUSE)
    if kind == "blank":
        text = draw(st.sampled_from(["", " ", "\t", "  \u00a0 "]))
        if column in REQUIRED:
            return Awkward(text, REFUSE)
        return Awkward(text, {"min_ticket_gbp": 0.0, "max_ticket_gbp": math.inf}.get(column, math.nan))
    return draw(awkward_number(column))


@st.composite
def awkward_files(draw) -> list[tuple[int, str, Awkward]]:
    """1 to 3 awkward cells, each in its own (row, column)."""
    places = draw(
        st.lists(
            st.tuples(st.integers(0, len(ROWS) - 1), st.sampled_from(NUMBER_COLUMNS + TEXT_COLUMNS)),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    return [(row, column, draw(awkward_cell(column))) for row, column in places]


def _matches(read: object, meaning: float | str) -> bool:
    if isinstance(meaning, str):
        return read == meaning
    return same_number(read, meaning)


@settings(
    max_examples=120,
    deadline=None,
    database=None,  # nothing written outside tmp folders
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cells=awkward_files())
def test_awkward_cells_are_read_as_meant_or_refused(tmp_path_factory, cells):
    rows = bundled_rows()
    for row, column, cell in cells:
        rows[row][column] = cell.text
    path = write_candidates(tmp_path_factory.mktemp("awkward"), rows)
    outcome = run("validate", "--candidates", path)
    assert_no_crash(outcome)
    assert outcome.code in (0, 2), outcome.describe()
    shown = [(row + 2, column, cell.text[:80], cell.meaning) for row, column, cell in cells]
    if outcome.code == 2:
        assert refusal_lines(outcome, path), (
            f"exit 2 without a line naming the file; cells {shown}{outcome.describe()}"
        )
    # a problem that stopped the file being read (no column named: a NUL byte, a cell too long to
    # read) leaves the other cells unread, so they cannot each be named
    whole_file_refused = any(" column '" not in text for text in refusal_lines(outcome, path))
    for row, column, cell in cells:
        line = row + 2
        if cell.meaning == REFUSE:
            assert outcome.code == 2, (
                f"{column} on line {line}: {cell.text[:80]!r} was accepted{outcome.describe()}"
            )
            assert whole_file_refused or refusal_lines(outcome, path, line, column), (
                f"{column} on line {line}: {cell.text[:80]!r} refused without naming its line and column; "
                f"cells {shown}{outcome.describe()}"
            )
    if outcome.code == 0:
        frame = read_back(path)
        for row, column, cell in cells:
            read = frame.loc[rows[row]["id"], column]
            assert _matches(read, cell.meaning), (
                f"{column} on line {row + 2}: {cell.text[:80]!r} means {cell.meaning!r} but was read as {read!r}"
            )
