"""Bytes to (line, cells): every later message must name the line the user sees."""

from __future__ import annotations

import zipfile

import pytest

from screening.errors import InputError
from screening.reading.tables import InputFile, read_table


def fatal(source: InputFile, sheet: str | None = None):
    """The single problem that stopped a file being read."""
    with pytest.raises(InputError) as caught:
        read_table(source, sheet)
    (problem,) = caught.value.problems
    assert problem.severity == "error"
    return problem


def raw(content: bytes, name: str = "f.csv") -> InputFile:
    return InputFile(name, content)


# ---- files that cannot be read at all ---------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n", b"   \n\n", b"\r\n \r\n\t\n"])
def test_empty_file(content):
    problem = fatal(raw(content))
    assert (problem.file, problem.line) == ("f.csv", 1)
    assert "empty" in problem.message


def test_header_with_no_rows():
    table = read_table(raw(b"id,name\n\n"))
    assert table.header == ["id", "name"]
    assert table.rows == []
    (problem,) = table.problems
    assert problem.line == 1
    assert "header but no rows" in problem.message


@pytest.mark.parametrize(
    ("delimiter", "named"), [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_other_delimiters_are_refused_by_name(candidate_rows, delimiter, named):
    content = "\n".join(delimiter.join(row) for row in candidate_rows[:3]).encode()
    problem = fatal(raw(content, "candidates.csv"))
    assert (problem.file, problem.line) == ("candidates.csv", 1)
    assert f"separated by {named}, not commas" in problem.message


def test_latin1_is_refused_with_the_line():
    content = "id,name\nA,Cafe\nB,Caf\u00e9 Co-op\n".encode("latin-1")
    problem = fatal(raw(content))
    assert problem.line == 3
    assert "not UTF-8" in problem.message
    assert "byte 0xe9 at character 6" in problem.message
    assert "CSV UTF-8" in problem.message


def test_binary_content_is_refused():
    problem = fatal(raw(b"id,name\nA,\x00\x01\x02\n"))
    assert "binary content" in problem.message


def test_old_xls_is_refused():
    problem = fatal(raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "candidates.xls"))
    assert problem.file == "candidates.xls"
    assert "old Excel .xls format" in problem.message
    assert "save it as .xlsx" in problem.message


def test_corrupt_zip_is_refused_cleanly():
    problem = fatal(raw(b"PK\x03\x04" + b"this is not really a workbook" * 20, "c.xlsx"))
    assert problem.file == "c.xlsx"
    assert "not a readable .xlsx workbook" in problem.message


def test_zip_that_is_not_a_workbook_is_refused_cleanly(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    problem = fatal(InputFile.from_path(path))
    assert "not a readable .xlsx workbook" in problem.message


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(InputError) as caught:
        InputFile.from_path(tmp_path / "nowhere.csv")
    assert "file not found" in str(caught.value)


# ---- CSV variants that are fine ---------------------------------------------------------------


def test_utf8_bom_and_crlf_are_accepted(candidate_rows):
    text = "\r\n".join(",".join(row) for row in candidate_rows[:3]) + "\r\n"
    table = read_table(raw(b"\xef\xbb\xbf" + text.encode()))
    assert table.header == candidate_rows[0]  # no BOM glued to 'id'
    assert table.rows == [(2, candidate_rows[1]), (3, candidate_rows[2])]
    assert table.problems == []


def test_header_names_are_stripped():
    table = read_table(raw(b" id , name \nA,B\n"))
    assert table.header == ["id", "name"]


def test_blank_lines_are_skipped_but_lines_stay_right():
    content = b"id,name\nA,one\n\n   \n,\nB,two\nC,three,extra\n"
    table = read_table(raw(content))
    assert table.rows == [(2, ["A", "one"]), (6, ["B", "two"])]
    (problem,) = table.problems
    assert problem.line == 7
    assert "this row has 3 fields but the header has 2" in problem.message


def test_quoted_newline_keeps_later_lines_right():
    content = b'id,name\nA,"two\nline name"\nB,two\nC,x,y\n'
    table = read_table(raw(content))
    assert table.rows == [(2, ["A", "two\nline name"]), (4, ["B", "two"])]
    (problem,) = table.problems
    assert problem.line == 5


def test_too_many_fields_reported_on_its_line(candidate_rows):
    candidate_rows[4][1] += ", Preston"  # unquoted comma inside the name: one field too many
    content = "\n".join(",".join(row) for row in candidate_rows).encode()
    table = read_table(raw(content))
    (problem,) = table.problems
    assert problem.line == 5
    assert "this row has 21 fields but the header has 20" in problem.message
    assert "unquoted comma" in problem.message
    assert [line for line, _ in table.rows] == [n for n in range(2, 50) if n != 5]


def test_empty_cells_past_the_header_are_ignored():
    table = read_table(raw(b"id,name\nA,one,,\n"))
    assert table.rows == [(2, ["A", "one"])]
    assert table.problems == []


def test_unclosed_quote_is_a_clear_problem():
    problem = fatal(raw(b'id,name\nA,one\nB,"never closed\nC,three\n'))
    assert problem.line == 3
    assert "cannot be read here" in problem.message
    assert "check the quotes" in problem.message


def test_text_after_closing_quote_is_a_clear_problem():
    problem = fatal(raw(b'id,name\nA,"one"two\n'))
    assert problem.line == 2
    assert "check the quotes" in problem.message


# ---- XLSX -------------------------------------------------------------------------------------


def test_xlsx_lines_are_excel_row_numbers(write_xlsx, candidate_rows):
    rows = [candidate_rows[0], candidate_rows[1], [], candidate_rows[2]]
    table = read_table(write_xlsx(rows), sheet="candidates")
    assert table.file.endswith("candidates.xlsx[candidates]")
    assert table.header == candidate_rows[0]
    assert [line for line, _ in table.rows] == [2, 4]
    first = table.rows[0][1]
    assert first[0] == "PRE-001"
    assert first[5] == 0.052  # a numeric cell stays a number
    assert first[7] == 2_000_000


def test_xlsx_named_sheet_is_found_among_others(write_xlsx, candidate_rows):
    source = write_xlsx(candidate_rows[:3], before=["Notes", "Read me"])
    table = read_table(source, sheet="candidates")
    assert table.file.endswith("[candidates]")
    assert table.header == candidate_rows[0]


def test_xlsx_single_sheet_with_another_name(write_xlsx, candidate_rows):
    table = read_table(write_xlsx(candidate_rows[:3], sheet="Pipeline Q3"), sheet="candidates")
    assert table.file.endswith("[Pipeline Q3]")
    assert [line for line, _ in table.rows] == [2, 3]


def test_xlsx_percent_formatted_cell_reads_as_the_fraction(write_xlsx, candidate_rows):
    rows = candidate_rows[:2]
    rows[1][5] = "0.065"
    table = read_table(write_xlsx(rows, formats={"F2": "0.0%"}))
    assert table.rows[0][1][5] == 0.065


def test_xlsx_row_with_too_many_cells_reported_on_its_row(write_xlsx):
    table = read_table(write_xlsx([["id", "name"], ["A", "one"], ["B", "two", "three"]]))
    assert table.rows == [(2, ["A", "one"])]
    (problem,) = table.problems
    assert problem.line == 3
