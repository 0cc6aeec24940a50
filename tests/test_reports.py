"""Reports: the XLSX workbook and the HTML committee paper, and that user text stays inert in both."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from impact_screen import cli
from impact_screen.reports_html import html_report
from impact_screen.reports_xlsx import xlsx_report
from impact_screen.store import RunStore
from screening import bundled

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "@SUM(A1)",
    "-2+3",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(tmp_path / "runs.sqlite3"))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A saved run whose allocated candidates, and whose mandate, carry hostile names."""
    folder = tmp_path_factory.mktemp("hostile")
    rows = list(csv.reader(io.StringIO(bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8"))))
    header = rows[0]
    # names play no part in the allocation, so the first six holdings of the plain run are the
    # first six of the hostile one, whichever candidates the optimum holds
    plain = folder / "plain.json"
    assert cli.main(["allocate", "--frontier-points", "0", "--no-comparison", "--json", str(plain)]) == 0
    allocated = [a["id"] for a in json.loads(plain.read_text(encoding="utf-8"))["allocations"]][:6]
    assert len(allocated) == 6
    for row in rows[1:]:
        if row[header.index("id")] in allocated:
            row[header.index("name")] = HOSTILE[allocated.index(row[header.index("id")])]
    candidates = folder / "hostile.csv"
    with candidates.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    mandate = folder / "m.toml"
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    mandate.write_text(
        re.sub(r'^name = ".*"$', "name = \"=cmd|' /C calc'!A0 <b onmouseover=x>\"", text, flags=re.M)
    )
    store = folder / "runs.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_SCREEN_DB", str(store))
        code = cli.main(
            [
                "allocate",
                "--candidates",
                str(candidates),
                "--mandate",
                str(mandate),
                "--save",
                "hostile",
                "--json",
                str(folder / "a.json"),
            ]
        )
        assert code == 0
        with RunStore() as opened:
            saved = opened.load("hostile")
    held = {a["name"] for a in saved.results["allocations"]}
    assert set(HOSTILE) <= held
    return saved


def sheets(content: bytes) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def quote_prefixed_styles(content: bytes) -> set[int]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    xfs = styles.find(f"{MAIN}cellXfs")
    assert xfs is not None
    return {i for i, xf in enumerate(xfs) if xf.get("quotePrefix") == "1"}


def test_hostile_text_is_inert_in_the_workbook(hostile_run):
    content = xlsx_report(hostile_run)
    prefixed = quote_prefixed_styles(content)
    found: dict[str, int] = {}
    for name, sheet in sheets(content).items():
        assert sheet.findall(f".//{MAIN}f") == [], f"a formula in {name}"
        for cell in sheet.iter(f"{MAIN}c"):
            text = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
            if text in HOSTILE:
                found[text] = found.get(text, 0) + 1
                assert cell.get("t") == "inlineStr"
                if text[0] in "=+-@":
                    assert int(cell.get("s", 0)) in prefixed, f"{text} without a quote prefix in {name}"
    assert set(found) == set(HOSTILE)
    assert min(found.values()) >= 3  # candidates, screen and allocation sheets at least
    book = load_workbook(io.BytesIO(content))
    values = [c for ws in book for row in ws.iter_rows() for c in row if c.value in HOSTILE]
    assert values and all(c.data_type == "s" for c in values)
    allocation = book["Allocation"]
    names = [allocation.cell(row=r, column=2).value for r in range(2, 8)]
    assert names == [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[3], HOSTILE[4], HOSTILE[5]]
    summary_mandate = book["Summary"]["B5"]
    assert summary_mandate.value.startswith("=cmd|") and summary_mandate.data_type == "s"
    assert summary_mandate.quotePrefix


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_text_is_inert_in_the_committee_paper(hostile_run):
    page = html_report(hostile_run)
    parsed = Collector()
    parsed.feed(page)
    assert not {"script", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not [name for name, _ in parsed.attributes if name in ("src", "href")]
    text = "".join(parsed.text)
    for name in HOSTILE:
        assert name in text  # shown as text, literally
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b onmouseover" not in page and "=cmd|" in text


def test_the_workbook_has_every_sheet_and_the_stored_data(hostile_run):
    book = load_workbook(io.BytesIO(xlsx_report(hostile_run)))
    assert book.sheetnames == [
        "Summary",
        "Mandate",
        "Candidates",
        "Screen",
        "Allocation",
        "Comparison",
        "Stress",
        "Assumptions",
        "Provenance",
        "Frontier",
    ]
    candidates = book["Candidates"]
    assert candidates["A1"].value == "id" and candidates.max_row == 49
    assert isinstance(candidates.cell(row=2, column=6).value, float)  # numbers stay numbers
    provenance = [c.value for c in book["Provenance"]["A"]]
    assert {"candidates", "assumptions", "correlations", "places"} <= set(provenance)
    assert "cvxpy" in provenance
    allocation = book["Allocation"]
    column = [allocation.cell(row=r, column=6).value for r in range(2, 13)]
    total = sum(v for v in column if isinstance(v, int | float))
    assert total == pytest.approx(100_000_000, abs=0.5)
    assert book["Comparison"]["A1"].value == "Fiduciary test"
    assert book["Stress"]["A1"].value == "Loss in each stress scenario (£)"
    bare = replace(hostile_run, results={k: v for k, v in hostile_run.results.items() if k not in COMPARISON})
    book = load_workbook(io.BytesIO(xlsx_report(bare)))
    assert book["Comparison"]["A1"].value == "This run has no benchmark comparison or fiduciary test."
    assert book["Stress"]["A1"].value == "This run has no stress results."
    assert "This run does not include the benchmark comparison" in html_report(bare)


def test_the_paper_is_self_contained_printable_and_says_what_it_rests_on(hostile_run):
    page = html_report(hostile_run)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert (
        not re.search(r"<[^>]*\b(src|href)\s*=", page, re.I) and "url(" not in page and "@import" not in page
    )
    assert "@media print" in page and "@page" in page
    assert "<svg" in page and "Allocation by candidate (£m)" in page
    for words in ("Summary", "Fiduciary test", "Assumptions and provenance", "Caveats", "Illustrative data"):
        assert words in page
    # the comparison the allocation now carries: benchmarks, fiduciary verdict, stress, projection
    for words in (
        "Against the benchmarks",
        "Within the committee",
        "Stress tests",
        "Projection",
        "UK benchmark",
    ):
        assert words in page
    assert page.count("<svg") >= 6
    assert "default-src 'none'" in page


COMPARISON = {
    "summary": {"headline": "<i>local</i> beats =SUM(1)", "local_share_of_fund": 0.0143},
    "fiduciary": {
        "return_given_up_bp": 35.0,
        "tolerance_bp": 150,
        "within_tolerance": True,
        "verdict": "=1+1 ok",
    },
    "benchmarks": {
        "uk": {
            "label": "UK listed <proxies>",
            "expected_return": 0.0639,
            "volatility": 0.09,
            "impact_score": 18.0,
            "jobs": 120,
        },
        "city_weighted": {
            "label": "+city",
            "expected_return": 0.058,
            "volatility": 0.08,
            "impact_score": 30.0,
            "jobs": 700,
        },
    },
    "stress": [
        {"scenario": "@local downturn", "loss_gbp": -12_000_000, "return": -0.12},
        {"scenario": "rates +2%", "loss_gbp": -5_000_000, "return": -0.05},
    ],
    "projection": {"years": [1, 2, 3], "value_gbp": [106e6, 112e6, 119e6]},
}


def test_comparison_fiduciary_and_stress_results_are_shown_when_present(hostile_run):
    saved = replace(hostile_run, results={**hostile_run.results, **COMPARISON})
    book = load_workbook(io.BytesIO(xlsx_report(saved)))
    comparison = [c.value for row in book["Comparison"].iter_rows() for c in row if c.value is not None]
    assert "Fiduciary test" in comparison and "=1+1 ok" in comparison
    assert "UK listed <proxies>" in comparison and "+city" in comparison
    stress = [c.value for row in book["Stress"].iter_rows() for c in row if c.value is not None]
    assert "@local downturn" in stress and -12_000_000 in stress
    for sheet in sheets(xlsx_report(saved)).values():
        assert sheet.findall(f".//{MAIN}f") == []
    page = html_report(saved)
    parsed = Collector()
    parsed.feed(page)
    assert "i" not in parsed.tags
    assert "Against the benchmarks" in page and "Stress tests" in page and "Projection" in page
    assert "UK listed &lt;proxies&gt;" in page and "&lt;i&gt;local&lt;/i&gt;" in page
    assert page.count("<svg") >= 5  # allocation, four comparison metrics (and the frontier)
    assert "35.0 bp" in page and "£-12,000,000" in page
