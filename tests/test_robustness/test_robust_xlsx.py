"""Damaged, odd and hostile XLSX candidate workbooks, through `impact-screen validate`.

Why: a workbook is a zip of XML parts that the reader trusts more than it should. Each case
here writes a real workbook with openpyxl and then damages it with zipfile: a stale stored sheet
dimension (the reader may believe it and read a fraction of the rows), a chartsheet where the
`candidates` sheet should be, a truncated or corrupted archive, malformed sheet XML, an XML
entity-expansion ("billion laughs") bomb, one stray cell at XFD1048576 (a reader that pads to
the stored dimension builds 17 billion empty cells), an empty workbook. Each must end in exit 0
with every candidate read exactly as the same rows read from CSV, or exit 2 with a message
naming the file; never exit 1, never a hang, never all the memory.

The cases that could hang or exhaust memory run in a subprocess capped at 2 GiB and 60 s.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from robustness_helpers import (
    all_bundled_rows,
    assert_ended_well,
    assert_no_crash,
    assert_refused,
    bundled_rows,
    read_back,
    run,
    run_capped,
    write_candidates,
)
from universes import HEADER

SHEET = "xl/worksheets/sheet1.xml"
NOTES = "notes"  # an extra column U after the 20 known columns (A..T): a warning, not an error


def _cell(text: str) -> object:
    """A cell as Excel would hold it: numbers as numbers, blanks empty."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def write_book(
    path: Path,
    rows: list[dict[str, str]],
    sheet: str = "candidates",
    extra_column: bool = True,
    edit: Callable | None = None,
) -> Path:
    """A workbook holding `rows` under the candidate header (plus a notes column U)."""
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.title = sheet
    header = [*HEADER, NOTES] if extra_column else list(HEADER)
    sheet_.append(header)
    for number, row in enumerate(rows, start=2):
        sheet_.append([_cell(row[c]) for c in HEADER] + ([f"row {number}"] if extra_column else []))
    if edit is not None:
        edit(book, sheet_)
    book.save(path)
    return path


def damage(path: Path, member: str, change: Callable[[bytes], bytes | None]) -> Path:
    """Rewrite one part of the zip (None drops it); the other parts are copied unchanged."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == member:
                changed = change(data)
                if changed is None:
                    continue
                data = changed
            target.writestr(info.filename, data)
    return path


def set_dimension(ref: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        changed, count = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)
        assert count == 1, "openpyxl no longer writes a <dimension> element"
        return changed

    return change


def assert_reads_like_csv(tmp_path: Path, book: Path, rows: list[dict[str, str]]) -> None:
    """The workbook's candidates are exactly those of the same rows written as CSV."""
    expected = read_back(write_candidates(tmp_path, rows, "same-rows.csv"))
    pd.testing.assert_frame_equal(read_back(book), expected)


# ---- a stored dimension that does not match the data --------------------------------------------


@pytest.mark.parametrize(
    "stale",
    ["A1:C5", "A1:U20", "A1:T49", "A1:A1", "B2:D9"],
    ids=["three-columns-five-rows", "all-columns-19-rows", "one-column-short", "one-cell", "offset"],
)
def test_stale_dimension_reads_every_row_or_refuses(tmp_path, stale):
    """The data runs to U49 (header + 48 candidates); the sheet claims `stale`. All 48 read, or
    a refusal naming the file: never 19 (or 4) candidates read as if they were the whole file."""
    rows = all_bundled_rows()
    book = damage(write_book(tmp_path / "book.xlsx", rows), SHEET, set_dimension(stale))
    outcome = run("validate", "--candidates", book)
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert "48 candidates" in outcome.out, f"not all 48 candidates read{outcome.describe()}"
        assert_reads_like_csv(tmp_path, book, rows)
    else:
        assert_refused(outcome, book)


def assert_read_whole_or_refused(tmp_path, outcome, book, rows) -> None:
    """No crash; then either read exactly as the same rows in a CSV, or refused with a message."""
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert_reads_like_csv(tmp_path, book, rows)
    else:
        assert_refused(outcome, book)


def test_missing_dimension_reads_every_row(tmp_path):
    rows = all_bundled_rows()
    book = damage(
        write_book(tmp_path / "book.xlsx", rows), SHEET, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml)
    )
    outcome = run("validate", "--candidates", book)
    assert_read_whole_or_refused(tmp_path, outcome, book, rows)


# ---- a chartsheet where the table should be -----------------------------------------------------


def _chartsheet(name: str, index: int, with_chart: bool) -> Callable:
    def edit(book, data) -> None:
        sheet = book.create_chartsheet(name, index)
        if with_chart:
            chart = BarChart()
            chart.add_data(Reference(data, min_col=6, min_row=1, max_row=5), titles_from_data=True)
            sheet.add_chart(chart)

    return edit


@pytest.mark.parametrize("with_chart", [True, False], ids=["with-a-chart", "empty-chartsheet"])
@pytest.mark.parametrize(
    ("chart", "table"), [("candidates", "data"), ("Chart1", "Pipeline")], ids=["named-candidates", "first"]
)
def test_a_chartsheet_beside_the_table(tmp_path, with_chart, chart, table):
    """A chartsheet named `candidates` (the table on sheet `data`), or a chartsheet first and
    the table second: read the table, or say that the sheet is a chart; never an internal error."""
    rows = bundled_rows()
    book = write_book(tmp_path / "book.xlsx", rows, sheet=table, edit=_chartsheet(chart, 0, with_chart))
    outcome = run("validate", "--candidates", book)
    assert_read_whole_or_refused(tmp_path, outcome, book, rows)


def test_workbook_of_only_a_chartsheet_is_refused(tmp_path):
    """The workbook lists one sheet, a chart: there is no table to read."""

    def edit(book, data) -> None:
        chart = BarChart()
        chart.add_data(Reference(data, min_col=6, min_row=1, max_row=5), titles_from_data=True)
        book.create_chartsheet("candidates", 0).add_chart(chart)
        data.sheet_state = "hidden"

    book = write_book(tmp_path / "book.xlsx", bundled_rows()[:4], sheet="hidden data", edit=edit)
    book = damage(
        book, "xl/workbook.xml", lambda xml: re.sub(rb'<sheet [^>]*name="hidden data"[^>]*/>', b"", xml)
    )
    assert_refused(run("validate", "--candidates", book), book)


# ---- damaged archives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keep", ["4 bytes", "100 bytes", "half", "all but the directory end", "all but 1 byte"]
)
def test_truncated_workbook_is_refused(tmp_path, keep):
    book = write_book(tmp_path / "book.xlsx", bundled_rows())
    data = book.read_bytes()
    cut = {
        "4 bytes": 4,
        "100 bytes": 100,
        "half": len(data) // 2,
        "all but the directory end": len(data) - 22,
        "all but 1 byte": len(data) - 1,
    }[keep]
    book.write_bytes(data[:cut])
    outcome = run("validate", "--candidates", book)
    assert_no_crash(outcome)
    if outcome.code == 0:  # only a reader that recovers every row may say 0
        assert_reads_like_csv(tmp_path, book, bundled_rows())
    else:
        assert_refused(outcome, book)


def test_corrupted_sheet_data_in_the_archive_is_refused(tmp_path):
    """The zip directory is intact but the sheet's compressed bytes are garbled (a CRC or zlib
    error that only shows once the sheet is read, after the workbook opened fine)."""
    book = write_book(tmp_path / "book.xlsx", bundled_rows())
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as archive:
        info = archive.getinfo(SHEET)
    local_header = data[info.header_offset : info.header_offset + 30]
    name_length = int.from_bytes(local_header[26:28], "little")
    extra_length = int.from_bytes(local_header[28:30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    for offset in range(start + info.compress_size // 3, start + info.compress_size // 3 + 64):
        data[offset] ^= 0x5A
    book.write_bytes(bytes(data))
    outcome = run("validate", "--candidates", book)
    assert_refused(outcome, book)


def test_zip_that_is_not_a_workbook_is_refused(tmp_path):
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("candidates.csv", b"id,name\nA,B\n")
    assert_refused(run("validate", "--candidates", book), book)


def test_workbook_whose_sheet_part_is_missing_is_refused(tmp_path):
    book = damage(write_book(tmp_path / "book.xlsx", bundled_rows()), SHEET, lambda xml: None)
    assert_refused(run("validate", "--candidates", book), book)


# ---- malformed sheet XML ------------------------------------------------------------------------

MALFORMED = {
    "cut-in-half": lambda xml: xml[: len(xml) // 2],
    "not-xml": lambda xml: b"this is not XML at all",
    "empty-part": lambda xml: b"",
    "unclosed-sheetData": lambda xml: xml.replace(b"</sheetData>", b""),
    "stray-close-tag": lambda xml: xml.replace(b"</row>", b"</row></c>", 1),
    "bad-cell-reference": lambda xml: xml.replace(b'r="A2"', b'r="?2"', 1),
    "row-number-zero": lambda xml: xml.replace(b'<row r="2"', b'<row r="0"', 1),
    "wrong-root": lambda xml: b"<html><body><p>hello</p></body></html>",
    "invalid-utf8": lambda xml: xml.replace(b"Preston", b"Pr\xffston", 1),
    "number-cell-holding-text": lambda xml: re.sub(
        rb'(<c r="F2"[^>]*>)<v>[^<]*</v>', rb"\1<v>abc</v>", xml, count=1
    ),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_malformed_sheet_xml_is_refused(tmp_path, kind):
    book = damage(write_book(tmp_path / "book.xlsx", bundled_rows()), SHEET, MALFORMED[kind])
    outcome = run("validate", "--candidates", book)
    assert_no_crash(outcome)
    if outcome.code == 0:  # a damaged part read anyway must still give the right candidates
        assert_reads_like_csv(tmp_path, book, bundled_rows())
    else:
        assert_refused(outcome, book)


@pytest.mark.parametrize("number", ["1048577", "99999999999999999999"])
def test_row_number_past_the_sheet_end_is_refused_within_memory_and_time(tmp_path, number):
    """A <row r="..."> past Excel's last row (1,048,576): a reader that fills the gap with empty
    rows never ends, so this runs in the capped subprocess. The rows before it must not be lost
    silently: exit 0 with all 12 candidates, or exit 2 naming the file."""
    book = damage(
        write_book(tmp_path / "book.xlsx", bundled_rows()),
        SHEET,
        lambda xml: xml.replace(b'<row r="3"', f'<row r="{number}"'.encode(), 1),
    )
    outcome = run_capped("validate", "--candidates", book, cwd=tmp_path)
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert_reads_like_csv(tmp_path, book, bundled_rows())
    else:
        assert_refused(outcome, book)


def _with_doctype(doctype: bytes, replace_name: bytes) -> Callable[[bytes], bytes]:
    """Put a DOCTYPE before <worksheet> and an entity reference in the first candidate's name."""
    first_name = bundled_rows()[0]["name"].encode()

    def change(xml: bytes) -> bytes:
        assert first_name in xml
        xml = xml.replace(first_name, replace_name, 1)
        return re.sub(rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + doctype, xml, count=1)

    return change


BILLION_LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def test_billion_laughs_in_the_sheet_is_refused_within_memory_and_time(tmp_path):
    book = damage(
        write_book(tmp_path / "book.xlsx", bundled_rows()), SHEET, _with_doctype(BILLION_LAUGHS, b"&lol9;")
    )
    outcome = run_capped("validate", "--candidates", book, cwd=tmp_path)
    assert_no_crash(outcome)
    if outcome.code == 0:  # only if the entity was left unexpanded: the name cannot be 3 GB
        assert len(read_back(book).iloc[0]["name"]) < 10_000
    else:
        assert_refused(outcome, book)


def test_billion_laughs_in_shared_strings_is_refused_within_memory_and_time(tmp_path):
    """The same bomb in xl/sharedStrings.xml (where Excel itself keeps text)."""
    book = write_book(tmp_path / "book.xlsx", bundled_rows())
    strings = (
        b'<?xml version="1.0"?>' + BILLION_LAUGHS.replace(b"worksheet", b"sst") + b'<sst xmlns="http://'
        b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )

    def to_shared(xml: bytes) -> bytes:
        return re.sub(rb'<c r="B2"[^>]*>.*?</c>', b'<c r="B2" t="s"><v>0</v></c>', xml, count=1)

    damage(book, SHEET, to_shared)
    with zipfile.ZipFile(book, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
    damage(
        book,
        "[Content_Types].xml",
        lambda xml: xml.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        ),
    )
    damage(
        book,
        "xl/_rels/workbook.xml.rels",
        lambda xml: xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        ),
    )
    outcome = run_capped("validate", "--candidates", book, cwd=tmp_path)
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert len(read_back(book).iloc[0]["name"]) < 10_000
    else:
        assert_refused(outcome, book)


def test_external_entity_is_not_read_into_a_cell(tmp_path):
    """An XXE: an entity naming a local file. Refused, or read without the file's contents."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-" + socket.gethostname(), encoding="utf-8")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
    book = damage(write_book(tmp_path / "book.xlsx", bundled_rows()), SHEET, _with_doctype(doctype, b"&xxe;"))
    outcome = run("validate", "--candidates", book)
    assert_ended_well(outcome, book)
    assert "TOP-SECRET" not in outcome.out + outcome.err
    if outcome.code == 0:
        assert not any("TOP-SECRET" in str(v) for v in read_back(book)["name"])


# ---- one far-away cell in a tiny workbook -------------------------------------------------------


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "XFD1", "XFD2"])
def test_one_far_cell_finishes_well_under_a_minute(tmp_path, far):
    """Three candidates and one stray cell far away: the file is a few kB, so reading it must
    take seconds, not a billion empty cells. Then: exit 0 with the three candidates exactly,
    or exit 2 naming the file (the stray cell's line, or a size limit)."""
    rows = bundled_rows()[:3]

    def edit(book, sheet) -> None:
        sheet[far] = "stray"

    book = write_book(tmp_path / "book.xlsx", rows, extra_column=False, edit=edit)
    outcome = run_capped("validate", "--candidates", book, cwd=tmp_path)
    assert_no_crash(outcome)
    if outcome.code == 0:
        assert far in ("XFD1",), (
            f"the stray cell at {far} is a row the header does not cover{outcome.describe()}"
        )
        assert_reads_like_csv(tmp_path, book, rows)
    else:
        assert_refused(outcome, book)


def test_a_dimension_claiming_the_whole_sheet_finishes_quickly(tmp_path):
    rows = bundled_rows()[:3]
    book = damage(
        write_book(tmp_path / "book.xlsx", rows, extra_column=False), SHEET, set_dimension("A1:XFD1048576")
    )
    outcome = run_capped("validate", "--candidates", book, cwd=tmp_path)
    assert_read_whole_or_refused(tmp_path, outcome, book, rows)


# ---- empty workbooks ----------------------------------------------------------------------------


def test_empty_workbook_is_refused(tmp_path):
    book = tmp_path / "book.xlsx"
    Workbook().save(book)
    assert_refused(run("validate", "--candidates", book), book)


def test_workbook_with_only_a_header_is_refused(tmp_path):
    book = write_book(tmp_path / "book.xlsx", [])
    assert_refused(run("validate", "--candidates", book), book)


def test_workbook_listing_no_sheets_is_refused(tmp_path):
    book = damage(
        write_book(tmp_path / "book.xlsx", bundled_rows()),
        "xl/workbook.xml",
        lambda xml: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml),
    )
    assert_refused(run("validate", "--candidates", book), book)


# ---- cells of the wrong type ---------------------------------------------------------------------

WRONG_TYPES = {
    # column: (cell, what exit 0 would have to read; None = it must be refused)
    "expected_return": (True, None),
    "volatility": (dt.datetime(2024, 1, 31), None),
    "jobs_per_gbp_m": ("=2*3", 6.0),  # a formula openpyxl saved without a cached value
    "max_ticket_gbp": ("=5000000", 5_000_000.0),
}


@pytest.mark.parametrize("column", list(WRONG_TYPES))
def test_cell_of_the_wrong_type(tmp_path, column):
    """A true/false or a date where a number belongs is refused on its row; a formula with no
    stored result is refused, or read as its result, but never read as a blank (unknown)."""
    cell, meant = WRONG_TYPES[column]
    position = f"{chr(ord('A') + HEADER.index(column))}2"

    def edit(book, sheet) -> None:
        sheet[position] = cell

    book = write_book(tmp_path / "book.xlsx", bundled_rows(), edit=edit)
    outcome = run("validate", "--candidates", book)
    assert_no_crash(outcome)
    if outcome.code == 0 and meant is not None:
        read = read_back(book).iloc[0][column]
        assert read == meant, f"{cell!r} in {column} was read as {read!r}{outcome.describe()}"
    else:
        assert_refused(outcome, book, 2, column)
