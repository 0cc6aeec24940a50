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
from callers import OFFICER
from openpyxl import load_workbook

from impact_screen import cli
from impact_screen.reports_html import html_report
from impact_screen.reports_xlsx import xlsx_report
from impact_screen.store import RunStore
from screening.reading import bundled
from screening.vocabulary import input_label

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
        with RunStore(caller=OFFICER) as opened:
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
        "Pacing",
        "Local investment report",
        "Assumptions",
        "Provenance",
        "Frontier",
    ]
    candidates = book["Candidates"]
    assert candidates["A1"].value == "id" and candidates.max_row == 49
    assert isinstance(candidates.cell(row=2, column=6).value, float)  # numbers stay numbers
    provenance = [c.value for c in book["Provenance"]["A"]]
    roles = ("candidates", "assumptions", "correlations", "places")
    assert {input_label(role) for role in roles} <= set(provenance)
    assert not set(roles) & set(provenance)  # inputs by their labels, not their code names
    assert "cvxpy" in provenance
    allocation = book["Allocation"]
    column = [allocation.cell(row=r, column=6).value for r in range(2, 13)]
    total = sum(v for v in column if isinstance(v, int | float))
    assert total == pytest.approx(100_000_000, abs=0.5)
    assert book["Comparison"]["A1"].value == "Fiduciary test"
    assert book["Stress"]["A1"].value == "Loss in each stress scenario (£)"
    bare = replace(hostile_run, results={k: v for k, v in hostile_run.results.items() if k not in COMPARED})
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
    assert "<svg" in page and "Money per holding (£m)" in page
    for words in (
        "Summary for the committee",
        "Fiduciary test",
        "Appendix",
        "Where each input came from",
        "Caveats",
        "Illustrative data",
    ):
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


COMPARED = ("summary", "fiduciary", "benchmarks", "stress", "projection", "pacing", "comparison")


def readable_text(page: str) -> str:
    """What a person reads: the text outside <style>, and outside the fingerprints' <code>."""

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.skip: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in ("style", "code"):
                self.skip.append(tag)

        def handle_endtag(self, tag):
            if self.skip and self.skip[-1] == tag:
                self.skip.pop()

        def handle_data(self, data):
            if not self.skip:
                self.text.append(data)

    reader = Reader()
    reader.feed(page)
    return " ".join(reader.text)


def test_the_paper_autoescapes_mandate_and_candidate_names(hostile_run):
    saved = replace(
        hostile_run,
        results={**hostile_run.results, "mandate": "<script>alert(1)</script> fund"},
    )
    page = html_report(saved)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fund" in page
    assert "<script>alert(1)</script> fund" in readable_text(page)


def test_no_mandate_key_or_ons_code_is_text_a_person_reads(hostile_run):
    text = readable_text(html_report(hostile_run))
    for key in ("tolerance_bp", "max_volatility", "sme_finance", "basis:", "within_tolerance", "E07000123"):
        assert key not in text, key
    assert "Preston" in text and "SME finance" in text


def test_shared_figures_read_the_same_in_the_paper_and_the_workbook(hostile_run):
    from impact_screen.runs import result_of
    from screening.vocabulary import figure, show

    result = result_of(hostile_run)
    text = readable_text(html_report(hostile_run))
    fiduciary = result.fiduciary
    assert fiduciary is not None
    for key, value in (
        ("return_given_up_bp", fiduciary.return_given_up_bp),
        ("jobs_net", result.portfolio.jobs_net),
        ("local_spend_retained_gbp", result.portfolio.local_spend_retained_gbp),
        ("expected_return", result.portfolio.expected_return),
    ):
        assert f"{figure(key).label}" in text and show(key, value) in text, key
    assert re.search(r"\b\d+\.\d+ jobs|Jobs supported \(net\)", text)


def test_the_workbook_holds_the_same_figures_as_numbers_in_the_vocabulary_format(hostile_run):
    from impact_screen.runs import result_of
    from screening.vocabulary import figure

    result = result_of(hostile_run)
    fiduciary = result.fiduciary
    assert fiduciary is not None
    summary = load_workbook(io.BytesIO(xlsx_report(hostile_run)))["Summary"]
    cells = {row[0].value: row[1] for row in summary.iter_rows(min_row=3, max_col=2) if row[0].value}
    for key, value in (
        ("return_given_up_bp", fiduciary.return_given_up_bp / 100),  # shown as percentage points
        ("jobs_net", result.portfolio.jobs_net),
        ("local_spend_retained_gbp", result.portfolio.local_spend_retained_gbp),
        ("expected_return", result.portfolio.expected_return),
    ):
        cell = cells[figure(key).heading]
        assert isinstance(cell.value, float) and cell.value == pytest.approx(value), key
        assert cell.number_format == figure(key).excel_format, key
    allocation = load_workbook(io.BytesIO(xlsx_report(hostile_run)))["Allocation"]
    assert allocation["C1"].value == "Place" and allocation["H1"].value == "ONS code"
    assert allocation["C2"].value == result.place(allocation["H2"].value) != allocation["H2"].value


def test_an_infeasible_run_reports_its_diagnosis_in_the_forms_words(tmp_path):
    mandate = tmp_path / "tight.toml"
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    mandate.write_text(re.sub(r"^max_volatility = .*$", "max_volatility = 0.01", text, flags=re.M))
    assert cli.main(["allocate", "--mandate", str(mandate), "--save", "tight"]) == 3
    with RunStore(caller=OFFICER) as opened:
        saved = opened.load("tight")
    text = readable_text(html_report(saved))
    assert (
        "No allocation (infeasible: the limits cannot all be met)" in text
        and "Highest portfolio volatility" in text
    )
    assert "max_volatility" not in text
    book = load_workbook(io.BytesIO(xlsx_report(saved)))
    assert book["Comparison"]["A1"].value == "This run has no benchmark comparison or fiduciary test."


@pytest.fixture(scope="module")
def no_pacing_run(tmp_path_factory):
    """A saved run, compared, whose mandate is the bundled one without its [pacing] table."""
    folder = tmp_path_factory.mktemp("no-pacing")
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    assert text.count("[pacing]") == 1
    start = text.index("[pacing]")
    after = re.search(r"^\[", text[start + 1 :], re.M)  # the next table (the local investment rules)
    end = start + 1 + after.start() if after else len(text)
    mandate = folder / "m.toml"
    mandate.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_SCREEN_DB", str(folder / "runs.sqlite3"))
        args = ["allocate", "--mandate", str(mandate), "--frontier-points", "0", "--save", "no plan"]
        assert cli.main([*args, "--json", str(folder / "a.json")]) == 0
        with RunStore(caller=OFFICER) as opened:
            saved = opened.load("no plan")
    assert "pacing" not in saved.results and "fiduciary" in saved.results  # compared, with no plan
    return saved


def _section(page: str, name: str) -> str:
    """One <section> of the paper, by its id."""
    start = page.index(f'<section id="{name}">')
    return page[start : page.index("</section>", start)]


def test_the_paper_shows_the_commitment_plan_in_sentences_chart_and_tables(hostile_run):
    from impact_screen import chart_data
    from impact_screen.runs import result_of
    from portfolio.pacing.summary import pacing_summary
    from screening.vocabulary import figure, money

    pacing = result_of(hostile_run).pacing
    assert pacing is not None and pacing.status == "optimal" and len(pacing.years) == 10
    page = html_report(hostile_run)
    section = _section(page, "pacing")
    assert section.startswith('<section id="pacing"><h2>From commitment to money at work</h2>')
    # after the projection, before the appendix
    assert page.index('id="projection"') < page.index('id="pacing"') < page.index('id="appendix"')
    text = readable_text(section)
    for line in pacing_summary(pacing):
        assert line in text, line
    first = pacing.years[0]
    shown = figure("commitments_gbp").format(first.commitments_gbp)
    assert shown == money(first.commitments_gbp) and shown.startswith("£") and shown.endswith("m")
    assert f'<tr><td>{first.year}</td><td class="n">{shown}</td>' in section  # the table's first row
    assert [figure(k).label for k in chart_data.pacing_table(pacing).columns] == [
        "Year",
        "Committed",
        "Called",
        "Paid back",
        "Value at work",
        "Cash from the programme",
        "Fund's net cash flow",
    ]
    svg = section[section.index("<svg") : section.index("</svg>")]
    label = f"Target: {money(pacing.target_gbp)} at work by the end of {pacing.target_year}"
    assert label == "Target: £100m at work by the end of 2031"
    assert f">{label}</text>" in svg and 'stroke-dasharray="6 4"' in svg
    for mark in ("Committed (", "Called (", "Paid back (", "Value at work (", "(dashed)"):
        assert mark in svg, mark  # the legend names every mark
    assert svg.count("<rect") >= 3 * len(pacing.years) and "<polyline" in svg
    assert "How each asset class is paced (assumptions)" in text and "Social housing" in text
    assert "Takahashi-Alexander model (Takahashi and Alexander 2002)" in text
    assert "not fitted to data" in text and "(pacing_assumptions.csv)" in text
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.csv)", text)  # no code names
    assert "/" not in text.replace("£", "")  # no machine path


def test_the_workbooks_pacing_sheet_holds_the_plan_as_numbers(hostile_run):
    from impact_screen.runs import result_of
    from portfolio.pacing.summary import pacing_summary
    from screening.vocabulary import figure

    pacing = result_of(hostile_run).pacing
    assert pacing is not None
    sheet = load_workbook(io.BytesIO(xlsx_report(hostile_run)))["Pacing"]
    column = [c.value for c in sheet["A"]]
    lines = pacing_summary(pacing)
    assert column[0] == "From commitment to money at work" and column[1 : 1 + len(lines)] == lines
    top = column.index("Year") + 1  # the yearly table's header row
    headings = [c.value for c in sheet[top]]
    assert headings[:3] == ["Year", "Committed (£)", "Called (£)"]
    for i, year in enumerate(pacing.years):
        row = sheet[top + 1 + i]
        assert row[0].value == year.year
        for j, key in ((1, "commitments_gbp"), (2, "calls_gbp"), (4, "nav_gbp")):
            cell = row[j]
            assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), key
            assert round(cell.value) == round(getattr(year, key)), (year.year, key)
            assert cell.number_format == figure(key).excel_format == '"£"#,##0'
    assert sum(
        sheet.cell(row=top + 1 + i, column=2).value for i in range(len(pacing.years))
    ) == pytest.approx(pacing.total_commitments_gbp, abs=len(pacing.years))
    shares = {
        r[0].value: r[1]
        for r in sheet.iter_rows(min_row=column.index("Asset class") + 2)
        if r[1].value is not None
    }
    by_class = {c.asset_class: c.share for c in pacing.classes}
    assert shares["Social housing"].value == pytest.approx(by_class["social_housing"])
    assert shares["Social housing"].number_format == figure("share").excel_format


def test_a_mandate_without_a_pacing_table_gets_one_sentence_in_the_paper_and_the_workbook(
    no_pacing_run, hostile_run
):
    from impact_screen.reports import NO_PACING

    section = _section(html_report(no_pacing_run), "pacing")
    assert " ".join(readable_text(section).split()) == f"From commitment to money at work {NO_PACING}"
    assert "<svg" not in section and "<table" not in section
    assert (
        NO_PACING.count(". ") == 0
        and NO_PACING.endswith(".")
        and "[" not in NO_PACING
        and "no commitment plan" in NO_PACING
    )
    sheet = load_workbook(io.BytesIO(xlsx_report(no_pacing_run)))["Pacing"]
    assert [c.value for row in sheet.iter_rows() for c in row if c.value is not None] == [NO_PACING]
    # a run that kept the [pacing] table but was not compared says that instead
    bare = replace(hostile_run, results={k: v for k, v in hostile_run.results.items() if k not in COMPARED})
    said = readable_text(_section(html_report(bare), "pacing"))
    assert "does not include the benchmark comparison" in said and NO_PACING not in said
    assert load_workbook(io.BytesIO(xlsx_report(bare)))["Pacing"]["A1"].value.startswith("This run does not")


@pytest.fixture(scope="module")
def no_local_run(tmp_path_factory):
    """A saved run, compared, whose mandate is the bundled one without its [local_investment] table."""
    folder = tmp_path_factory.mktemp("no-local")
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    start = text.index("[local_investment]")
    assert not re.search(r"^\[", text[start + 1 :], re.M)  # the last table of the file
    mandate = folder / "m.toml"
    mandate.write_text(text[:start], encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_SCREEN_DB", str(folder / "runs.sqlite3"))
        args = ["allocate", "--mandate", str(mandate), "--frontier-points", "0", "--save", "no local"]
        assert cli.main(args) == 0
        with RunStore(caller=OFFICER) as opened:
            saved = opened.load("no local")
    assert "local_investment" not in saved.results and "fiduciary" in saved.results
    return saved


def test_the_paper_sets_the_share_against_the_range_and_the_figures_beside_the_peer(hostile_run):
    from impact_screen.runs import result_of
    from portfolio.local_investment import local_investment_lines
    from screening.vocabulary import show

    result = result_of(hostile_run)
    found = result.local_investment
    assert found is not None and found.within_range is True and found.peer is not None
    page = html_report(hostile_run)
    section = _section(page, "local")
    assert "<h2>Local investment report</h2>" in section
    assert page.index('id="pacing"') < page.index('id="local"') < page.index('id="appendix"')
    text = " ".join(readable_text(section).split())
    assert local_investment_lines(found)[0] in text
    assert (
        "£100m counts as local investment: 1.43% of the £7bn fund, within the target range of 1.00% to 5.00% (comply)."
        in text
    )
    assert '<tr><th>Share of the whole fund</th><td class="n">1.43%</td></tr>' in section
    assert '<tr><th>Within the target range</th><td class="n">yes: comply</td></tr>' in section
    # each figure beside the peer's, where the peer publishes it
    assert "<th>Greater Manchester Pension Fund&#39;s local portfolio (2025)</th>" in section
    jobs = show("jobs", found.kpis.jobs)
    assert (
        f'<tr><th>Jobs supported (gross)</th><td class="n">{jobs}</td><td class="n">18,300</td></tr>'
        in section
    )
    assert '<tr><th>Homes (all kinds)</th><td class="n">-</td><td class="n">4,395</td></tr>' in section
    assert (
        '<tr><th>Counted as local investment</th><td class="n">£100m</td><td class="n">£1.36bn</td></tr>'
        in section
    )
    assert (
        '<tr><th>Jobs supported per £1m (gross)</th><td class="n">8.7</td><td class="n">13.5</td></tr>'
        in section
    )
    ret = show("return_given_up_bp", found.kpis.return_given_up_bp)
    assert (
        f'<tr><th>Return given up against the UK benchmark</th><td class="n">{ret}</td><td class="n">-</td></tr>'
        in section
    )
    assert (
        "Source: The Good Economy's review of Greater Manchester Pension Fund's local portfolio (2025)"
        in text
    )
    assert "Money counted as local investment, by district" in text and "South Ribble" in text
    assert "Holdings in SME finance (holdings, not firms)" in text
    assert "Renewable capacity is not in the candidate data" in text
    assert "No candidate claims jobs or homes per £1m more than 3 times the peer's." in text
    assert "is on the app's Map page (it draws offline)" in text  # no exporter: where to find the map
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.csv)", text)  # no code names
    assert "/" not in text.replace("£", "") and "E07000123" not in text  # no machine path, no ONS code


def test_the_workbooks_local_sheet_holds_the_report_as_numbers(hostile_run):
    from impact_screen.runs import result_of
    from portfolio.local_investment import local_investment_lines
    from screening.vocabulary import figure

    found = result_of(hostile_run).local_investment
    assert found is not None
    sheet = load_workbook(io.BytesIO(xlsx_report(hostile_run)))["Local investment report"]
    column = [c.value for c in sheet["A"]]
    lines = local_investment_lines(found)
    assert column[0] == "Local investment report" and column[1 : 1 + len(lines)] == lines
    rows = {r[0].value: r for r in sheet.iter_rows() if r[0].value}
    share = rows[figure("local_fund_share").heading]
    assert share[1].value == pytest.approx(100_000_000 / 7_000_000_000, rel=1e-6)
    assert share[1].number_format == "0.00%" and share[2].value == 0.045  # the peer's, beside it
    assert rows[figure("local_target_min_share").heading][1].value == 0.01
    assert rows[figure("within_range").heading][1].value == "yes: comply"
    jobs = rows[figure("jobs").heading]
    assert jobs[1].value == pytest.approx(found.kpis.jobs) and jobs[2].value == 18_300
    assert jobs[1].number_format == figure("jobs").excel_format
    ret = rows[figure("return_given_up_bp").heading]
    assert ret[1].value == pytest.approx(found.kpis.return_given_up_bp / 100)  # percentage points
    assert rows["Preston"][3].value == pytest.approx(found.by_district[0].gbp)
    assert rows["Preston"][3].number_format == '"£"#,##0' and rows["Preston"][1].value == "Lancashire"


def test_a_mandate_without_a_local_investment_table_gets_one_sentence(no_local_run):
    from impact_screen.reports import NO_LOCAL

    section = _section(html_report(no_local_run), "local")
    assert " ".join(readable_text(section).split()) == f"Local investment report {NO_LOCAL}"
    assert "<table" not in section
    sheet = load_workbook(io.BytesIO(xlsx_report(no_local_run)))["Local investment report"]
    assert [c.value for row in sheet.iter_rows() for c in row if c.value is not None] == [NO_LOCAL]


def appendix_of(page: str) -> str:
    return page[page.index('<section id="appendix"') :]


def test_the_appendix_states_who_saved_the_run_and_its_last_change(hostile_run, tmp_path):
    from callers import COUNCILLOR, FUND_OFFICER

    path = tmp_path / "hosted.sqlite3"
    with RunStore(path, caller=COUNCILLOR) as councillor:
        councillor.save(hostile_run)
    with RunStore(path, caller=FUND_OFFICER) as officer:
        officer.publish(hostile_run.name)
        published = officer.load(hostile_run.name)
    appendix = readable_text(appendix_of(html_report(published)))
    saved_at = hostile_run.created_at.replace("+00:00", "").replace("T", " ")
    assert f"Saved by {COUNCILLOR.identity} on {saved_at} UTC." in appendix
    assert f"Last change: published by {FUND_OFFICER.identity} on " in appendix
    with RunStore(path, caller=COUNCILLOR) as councillor:  # replaced: the new author, no change since
        councillor.save(hostile_run, overwrite=True)
        replaced = councillor.load(hostile_run.name)
    appendix = readable_text(appendix_of(html_report(replaced)))
    assert f"Saved by {COUNCILLOR.identity}" in appendix and "Last change" not in appendix
    old = readable_text(appendix_of(html_report(replace(hostile_run, author="", history=()))))  # before v3
    assert "who saved it was not recorded (before authors were kept)" in old
