"""One RunResult, every renderer: the figures that appear in more than one place (the CLI text, the
JSON, an app page, the committee paper, the workbook, the run comparison) come from one field of
the result and read the same, through the vocabulary's one formatter, wherever they appear."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace

import openpyxl
import pytest
from scenario_helpers import bundled_scenario
from streamlit.testing.v1 import AppTest

from impact_screen import reports_html, reports_xlsx, runs_compare
from impact_screen.output import allocation_text
from impact_screen.runs import capture, result_of
from portfolio.report import run_result
from portfolio.result import RunResult
from portfolio.run import run_scenario
from screening.vocabulary import EXCEL_FORMATS, figure, show

# each shared figure and the one field of RunResult it comes from
FIELDS = {
    "expected_return": ("portfolio", "expected_return"),
    "return_given_up_bp": ("fiduciary", "return_given_up_bp"),
    "return_given_up_gbp": ("fiduciary", "return_given_up_gbp"),
    "jobs": ("portfolio", "jobs"),
    "jobs_net": ("portfolio", "jobs_net"),
    "local_spend_retained_gbp": ("portfolio", "local_spend_retained_gbp"),
}
ON_THE_APP = ("expected_return", "return_given_up_bp", "jobs", "jobs_net", "local_spend_retained_gbp")


def value(result: RunResult, key: str) -> float:
    part, name = FIELDS[key]
    found = getattr(getattr(result, part), name)
    assert isinstance(found, float), f"{key} is not a number in this run"
    return found


@pytest.fixture(scope="module")
def made():
    """The app's own scenario (bundled inputs, the app's screen and frontier), run once."""
    from portfolio.scenario import SolveSettings
    from screening.stability import StabilitySettings

    scenario = bundled_scenario()
    scenario = type(scenario)(
        **{**scenario.__dict__, "screen": StabilitySettings(), "solve": SolveSettings()}
    )
    run = run_scenario(scenario)
    result = run_result(run, scenario.universe, scenario.mandate, scenario.reference)
    assert result.compared
    return scenario, run, result, capture("shared", scenario, run, result)


@pytest.fixture(scope="module")
def expected(made) -> dict[str, str]:
    result = made[2]
    return {key: show(key, value(result, key)) for key in FIELDS}


def test_the_json_is_the_result_and_reads_back_to_the_same_words(made, expected):
    _, _, result, saved = made
    document = result.to_json()
    for key, (part, name) in FIELDS.items():
        assert document[part][name] == value(result, key)
    for again in (RunResult.model_validate(document), result_of(saved)):
        assert {key: show(key, value(again, key)) for key in FIELDS} == expected


def test_the_command_line_shows_each_figure_in_its_one_format(made, expected):
    scenario, _, result, _ = made
    text = allocation_text(result, scenario.reference)
    for key, words in expected.items():
        assert words in text, f"{figure(key).label}: {words} not in the CLI text"


def _rows(document: str) -> list[str]:
    """Each table row and paragraph of the paper as plain text."""
    parts = re.findall(r"<(?:tr|p|li)\b.*?</(?:tr|p|li)>", document, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split()) for part in parts]


def test_the_committee_paper_shows_each_figure_by_its_label_in_its_one_format(made, expected):
    rows = _rows(reports_html.html_report(made[3]))
    for key, words in expected.items():
        label = figure(key).label
        assert any(label in row and words in row for row in rows), f"no row with '{label}' and '{words}'"


def test_the_workbook_holds_each_figure_as_the_same_number_in_its_unit(made):
    result, saved = made[2], made[3]
    book = openpyxl.load_workbook(io.BytesIO(reports_xlsx.xlsx_report(saved)))
    cells = {row[0].value: row[1] for row in book["Summary"].iter_rows() if len(row) > 1}
    for key in FIELDS:
        term = figure(key)
        cell = cells[term.heading]
        assert cell.value == pytest.approx(term.cell(value(result, key)), rel=1e-12, abs=1e-9), term.heading
        assert cell.number_format == EXCEL_FORMATS[term.unit]


def test_an_app_page_shows_each_figure_in_its_one_format(made, expected):
    app = AppTest.from_file("../../app.py", default_timeout=120)
    app.run()
    app.switch_page("app_pages/compare.py").run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    for key in ON_THE_APP:
        assert shown.get(figure(key).label) == expected[key], figure(key).label


def test_the_run_comparison_shows_each_figure_in_its_one_format(made, expected):
    from portfolio.scenario import SolveSettings

    scenario = made[0]
    other = scenario.with_mandate(scenario.mandate.model_copy(update={"max_volatility": 0.065}))
    other = replace(other, solve=SolveSettings(frontier_points=0))
    other_run = run_scenario(other)
    diff = runs_compare.compare(made[3], capture("other", other, other_run))
    rows = {row["key"]: row for row in diff["outcomes"]}
    text = runs_compare.comparison_text(diff, keys=False)
    for key, (part, name) in FIELDS.items():
        row = rows[f"{part}.{name}"]
        assert row["label"] == figure(key).label
        assert row["before"] == expected[key]
        assert f"{row['label']}: {expected[key]}" in text or expected[key] in text


def test_the_city_weighted_places_are_one_table_in_the_paper_the_workbook_and_the_app(made):
    """One Table from the result: the paper writes each cell in its column's format, the workbook
    holds the numbers under the same headings, the app shows the same rows; shares are shares
    (no population shown as a percentage)."""
    from impact_screen.chart_data import city_weighted_places

    result, saved = made[2], made[3]
    table = city_weighted_places(result)
    assert table is not None and table.columns[1] == "population"
    first = table.rows[0]
    words = [figure(k).format(v) for k, v in zip(table.columns, first, strict=True)]
    assert words[1] == f"{first[1]:,.0f}" and words[2].endswith("%") and float(words[2][:-1]) <= 100
    rows = _rows(reports_html.html_report(saved))
    assert any(all(w in row for w in words) for row in rows), words
    book = openpyxl.load_workbook(io.BytesIO(reports_xlsx.xlsx_report(saved)))
    sheet = [[c.value for c in row] for row in book["Comparison"].iter_rows()]
    headings = [figure(k).heading for k in table.columns]
    top = sheet.index(headings + [None] * (len(sheet[0]) - len(headings)))
    assert tuple(sheet[top + 1][: len(first)]) == first
    app = AppTest.from_file("../../app.py", default_timeout=120)
    app.run()
    app.switch_page("app_pages/compare.py").run()
    shown = next(d.value for d in app.dataframe if list(d.value.columns) == headings)
    assert tuple(shown.iloc[0]) == first


def _decision_and_paragraph(document: str) -> tuple[dict[str, str], dict[str, str]]:
    """The figures the paper's summary table and its paragraph both state, as each writes them."""
    table = dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", document.split("</table>")[0]))
    table = {html.unescape(k): html.unescape(v) for k, v in table.items()}
    (lead,) = [r for r in _rows(document) if r.startswith("Investing ")]
    money_ = r"(-?£[\d,.]+(?:m|bn)?)"
    said = {
        "return": re.search(r"expected to earn ([\d.]+%) a year", lead),
        "given up": re.search(rf"a year, ([\d.]+ percentage points) \(about {money_} a year\)", lead),
        "jobs": re.search(r"support about ([\d,]+) jobs \(([\d,]+) after additionality\)", lead),
        "kept": re.search(rf"keep about {money_} circulating", lead),
        "stress": re.search(rf"stress tests \((.+?)\) it would lose about {money_}, against {money_}", lead),
    }
    assert all(said.values()), (lead, said)
    written = {
        "return": table["Expected return"].removesuffix(" a year"),
        "given up": table["Return given up a year"],
        "jobs": table["Jobs supported"],
        "kept": table["Money kept circulating locally"].split(" (")[0],
        "stress": table["Worst stress test"],
    }
    paragraph = {
        "return": said["return"].group(1),
        "given up": f"{said['given up'].group(2)} a year ({said['given up'].group(1)})",
        "jobs": f"{said['jobs'].group(2)} after additionality ({said['jobs'].group(1)} gross)",
        "kept": said["kept"].group(1),
        "stress": "{}: a loss of {}; the UK benchmark {}".format(*said["stress"].groups()),
    }
    return written, paragraph


@pytest.mark.parametrize("target_gbp", [100_000_000, 21_000_000])
def test_the_papers_paragraph_and_summary_table_give_the_same_figures(made, target_gbp):
    """The summary paragraph and the summary table above it write each figure from one value of
    the result with one formatter. At £21m the bundled allocation supports 218.5 gross jobs: the
    paragraph once wrote the comparison's raw sum (218.50000000000003, so 219) and the table the
    stored 218.5 (218, rounded half to even)."""
    from portfolio.scenario import SolveSettings

    scenario = made[0]
    if target_gbp != scenario.mandate.target_gbp:
        scenario = scenario.with_mandate(
            scenario.mandate.model_copy(update={"target_gbp": float(target_gbp)})
        )
    scenario = replace(scenario, solve=SolveSettings(frontier_points=0))
    run = run_scenario(scenario)
    result = run_result(run, scenario.universe, scenario.mandate, scenario.reference)
    table, paragraph = _decision_and_paragraph(
        reports_html.html_report(capture("jobs", scenario, run, result))
    )
    assert paragraph == table
    mine = result.portfolio
    jobs = f"{show('jobs_net', mine.jobs_net)} after additionality ({show('jobs', mine.jobs)} gross)"
    assert table["jobs"] == jobs
    cli = " ".join(allocation_text(result, scenario.reference).split())
    assert f"{show('jobs', mine.jobs)} jobs ({show('jobs_net', mine.jobs_net)} after additionality)" in cli
