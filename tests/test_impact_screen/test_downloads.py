"""Downloads from the app: tables round-trip, and formula-like text stays inert in CSV and XLSX."""

import csv
import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from impact_screen.downloads import csv_bytes, xlsx_bytes
from screening import InputFile, load_candidates
from screening.reading.candidates import as_written, to_csv_bytes

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "plain"]


def test_edited_candidates_round_trip_through_the_loader_unchanged():
    universe = load_candidates()
    again = load_candidates(InputFile("edited.csv", to_csv_bytes(as_written(universe)), "upload"))
    pd.testing.assert_frame_equal(again.frame, universe.frame)


def test_csv_download_prefixes_formula_like_text_with_an_apostrophe():
    frame = pd.DataFrame({"name": HOSTILE, "amount": [1.0, -2.0, 3.0, 4.0, 5.0]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame, index=False).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'" + HOSTILE[0], "'+1+1", "'-2+3", "'@SUM(A1)", "plain"]
    assert rows[2][1] == "-2.0"  # numbers are left alone


def test_xlsx_download_keeps_formula_like_text_as_text():
    content = xlsx_bytes(
        {"Table": pd.DataFrame({"name": HOSTILE, "amount": [1.0, 2.0, 3.0, 4.0, float("inf")]})}, index=False
    )
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(content))["Table"]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 7)] == HOSTILE
    assert sheet.cell(row=6, column=2).value == "inf"
