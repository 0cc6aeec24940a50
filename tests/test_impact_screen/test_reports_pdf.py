"""The committee paper as a clerk would circulate it: rendered to PDF by WeasyPrint, its pages
drawn to images (pypdfium2) and read as a person would: the mandate's own name, a one-page
summary first, no code names or machine paths in the body, and no half-empty page or heading
stranded at a page foot."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from callers import OFFICER

from impact_screen import cli
from impact_screen.reports_html import CSS, html_report
from impact_screen.reports_pdf import pdf_report, unavailable
from impact_screen.store import RunStore
from screening.reading import bundled

pdfium = pytest.importorskip("pypdfium2")
if unavailable() is not None:  # a developer's machine without Pango; CI installs it and must not skip
    if os.environ.get("CI"):
        pytest.fail(f"no PDF engine in CI: {unavailable()}", pytrace=False)
    pytest.skip(f"no PDF engine: {unavailable()}", allow_module_level=True)

NAME = "Fylde coast pilot: £80m local sleeve"
# snake_case words a person should never read (file names, with their extension, are fine)
CODE_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.(?:csv|toml|xlsx))")


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """An £80m run under the officer's own mandate name, saved from files in a folder of this
    machine, and its paper as PDF bytes, page texts and page images."""
    folder = tmp_path_factory.mktemp("officer")
    store = folder / "runs.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_SCREEN_DB", str(store))
        text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
        text = re.sub(r'^name = ".*"$', f'name = "{NAME}"', text, flags=re.M)
        text = text.replace("target_gbp = 100_000_000", "target_gbp = 80_000_000")
        assert NAME in text and "80_000_000" in text
        mandate = folder / "officer-mandate.toml"
        mandate.write_text(text, encoding="utf-8")
        candidates = folder / "officer-pipeline.csv"
        candidates.write_bytes(bundled.bundled(bundled.CANDIDATES).read_bytes())
        args = [
            "allocate",
            "--frontier-points",
            "3",
            "--draws",
            "500",
            "--save",
            "committee March, 8% volatility",
        ]
        assert cli.main([*args, "--candidates", str(candidates), "--mandate", str(mandate)]) == 0
        with RunStore(caller=OFFICER) as runs:
            saved = runs.load("committee March, 8% volatility")
    document = pdfium.PdfDocument(pdf_report(saved))
    pages = [document[i] for i in range(len(document))]
    texts = [page.get_textpage().get_text_range() for page in pages]
    images = [np.asarray(page.render(scale=0.5).to_pil().convert("L")) for page in pages]
    lowest = [_lowest_line(page) for page in pages]
    return {
        "saved": saved,
        "folder": folder,
        "document": document,
        "html": html_report(saved),
        "texts": texts,
        "images": images,
        "lowest": lowest,
    }


POINTS = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "px": 0.75}


def _page_margins(css: str) -> dict[str, float]:
    """The margins of the paper's @page rule, in points, by side (CSS shorthand: one to four values)."""
    rule = re.search(r"@page\s*\{[^{}]*?\bmargin:\s*([^;{}]+);", css)
    assert rule, "the paper's CSS has no @page margin"
    values = []
    for token in rule.group(1).split():
        number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", token).groups()
        values.append(float(number) * POINTS[unit])
    top, right, bottom, left = {
        1: lambda a: (a, a, a, a),
        2: lambda a, b: (a, b, a, b),
        3: lambda a, b, c: (a, b, c, b),
        4: lambda a, b, c, d: (a, b, c, d),
    }[len(values)](*values)
    return {"top": top, "right": right, "bottom": bottom, "left": left}


MARGINS = _page_margins(CSS)
INK_SCALE = 4  # pixels per point when pages are drawn to look for ink past the margin
# a line drawn to the margin exactly lights the pixel it ends in and, anti-aliased, the next one
INK_TOLERANCE = 2 / INK_SCALE


def _lowest_line(page) -> str:
    """The last line of text on a page as it is laid out (above the page number)."""
    text = page.get_textpage()
    width, height = page.get_size()
    rects = [text.get_rect(i) for i in range(text.count_rects())]
    rects = [r for r in rects if r[1] > height * 0.06]  # (left, bottom, right, top), from the foot
    low = min(rects, key=lambda r: r[1])
    return " ".join(text.get_text_bounded(0, low[1] - 0.5, width, low[3] + 0.5).split())


def test_the_paper_carries_the_mandates_own_name_and_a_summary_page_first(paper):
    first = paper["texts"][0]
    assert NAME in first.replace("\r\n", " ").replace("\n", " ")
    assert "illustrative default" not in " ".join(paper["texts"])
    for words in ("Summary for the committee", "£80m in", "Return given up a year", "after additionality"):
        assert words in first, words
    assert "Within the committee's limit" in first and "Worst stress test" in first
    assert "Fiduciary test" not in first  # the detail starts on page 2


def test_no_code_names_or_machine_paths_in_the_body(paper):
    body = "\n".join(paper["texts"])
    appendix = body.index("Appendix")
    words = set(CODE_NAME.findall(body[:appendix]))
    assert words == set(), words
    mandate = body[appendix : body.index("Where each input came from")]  # the mandate, in the form's words
    assert "Asset classes counted as" in mandate and not CODE_NAME.findall(mandate), CODE_NAME.findall(
        mandate
    )
    folder = str(paper["folder"])
    assert folder not in body and folder not in paper["html"]
    assert "officer-pipeline.csv" in body[appendix:]  # the file by its name, in the appendix
    assert not re.search(r"\d\.\d+ jobs|jobs \d+\.\d", body)  # whole jobs


def _ink_reaches(image: np.ndarray) -> float:
    """How far down the page the last ink is (above the page number), as a share of its height."""
    height = image.shape[0]
    rows = np.where((image[: int(height * 0.93)] < 200).any(axis=1))[0]
    return float(rows.max()) / height if rows.size else 0.0


def test_every_page_is_used_and_no_heading_is_stranded(paper):
    texts, images = paper["texts"], paper["images"]
    assert 6 <= len(texts) <= 20
    starts = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Appendix"))
    allowed_short = {0, starts - 1, len(texts) - 1}  # the summary page, the body's end, the last page
    for i, image in enumerate(images):
        if i not in allowed_short:
            assert _ink_reaches(image) >= 0.6, f"page {i + 1} is half empty"
    headings = {
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", paper["html"])
    }
    for i, last in enumerate(paper["lowest"]):
        assert last and last not in headings, f"the heading '{last}' is stranded at the foot of page {i + 1}"


def test_the_report_command_writes_the_pdf(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(tmp_path / "runs.sqlite3"))
    assert cli.main(["allocate", "--frontier-points", "0", "--no-comparison", "--save", "quick"]) == 0
    out = tmp_path / "paper.pdf"
    assert cli.main(["report", "quick", "--pdf", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-") and len(pdfium.PdfDocument(out)) >= 3
    assert "Wrote the committee paper" in capsys.readouterr().out


def test_the_commitment_plan_is_drawn_and_tabled_within_the_a4_width(paper):
    from impact_screen.runs import result_of
    from screening.vocabulary import money

    pacing = result_of(paper["saved"]).pacing
    assert pacing is not None and pacing.target_gbp == 80_000_000
    texts = [" ".join(t.split()) for t in paper["texts"]]
    start = next(i for i, t in enumerate(texts) if "From commitment to money at work" in t)
    assert start < next(i for i, t in enumerate(texts) if t.startswith("Appendix"))
    label = f"Target: {money(pacing.target_gbp)} at work by the end of {pacing.target_year}"
    assert label == "Target: £80m at work by the end of 2031"
    assert label in texts[start] and "Target: the money to have at work (dashed)" in texts[start]
    tabled = [i for i, t in enumerate(texts) if "Commitments, calls, distributions and value at work" in t]
    assert len(tabled) == 1  # the yearly table on one page, every year in it
    years = texts[tabled[0]].split("Commitments, calls, distributions and value at work")[1]
    assert all(f" {y.year} " in years for y in pacing.years)
    assert "How each asset class is paced (assumptions)" in " ".join(texts[start : start + 3])
    # every text of the section (from its heading on) inside the page's right margin
    document = paper["document"]
    margin = MARGINS["right"]
    for i in range(start, tabled[0] + 1):
        page = document[i]
        width, height = page.get_size()
        text = page.get_textpage()
        below = height
        if i == start:
            found = text.search("From commitment to money at work").get_next()
            assert found is not None
            below = text.get_charbox(found[0])[3] + 1  # the heading's top
        rects = [text.get_rect(k) for k in range(text.count_rects())]
        right = max(r[2] for r in rects if r[3] <= below)
        assert right <= width - margin + 1, f"page {i + 1} runs past the right margin"


def test_the_local_investment_report_fits_the_a4_width_and_keeps_its_tables_whole(paper):
    texts = [" ".join(t.split()) for t in paper["texts"]]
    appendix = next(i for i, t in enumerate(texts) if t.startswith("Appendix"))
    start = next(i for i, t in enumerate(texts) if "Local investment report" in t)
    assert start < appendix
    # the heading, the verdict and the target table on one page
    assert "£80m counts as local investment: 1.14% of the £7bn fund" in texts[start]
    assert "Within the target range yes: comply" in texts[start]
    title = "What the local investment does, beside a published peer"
    kpis = next(i for i, t in enumerate(texts) if title in t)
    after = texts[kpis].split(title)[1]
    assert "Greater Manchester Pension Fund's local portfolio (2025)" in after
    assert "Return given up against the UK benchmark" in after  # the peer table on one page
    district = next(i for i, t in enumerate(texts) if "Money counted as local investment, by district" in t)
    assert "South Ribble" in texts[district].split("by district")[1]
    document = paper["document"]
    margin = MARGINS["right"]
    for i in range(start, district + 1):
        page = document[i]
        width, _ = page.get_size()
        text = page.get_textpage()
        rects = [text.get_rect(k) for k in range(text.count_rects())]
        assert max(r[2] for r in rects) <= width - margin + 1, f"page {i + 1} runs past the right margin"


def test_nothing_on_any_page_runs_past_the_right_margin(paper):
    """No text and no inked pixel (a table's rule or shaded heading included) beyond the @page
    rule's right margin on any page. The ten-year value table once ran 4 pt of text and 10 pt of
    ink past it: nine columns headed "5th percentile" and so on, each held to its longest word."""
    assert MARGINS["right"] == pytest.approx(16 / 25.4 * 72)  # 16mm, read from the CSS
    over = []
    for i, page in enumerate(paper["document"]):
        width, height = page.get_size()
        edge = width - MARGINS["right"]
        text = page.get_textpage()
        rects = [text.get_rect(k) for k in range(text.count_rects())]
        widest = max(rects, key=lambda r: r[2])
        if widest[2] > edge + 0.5:
            line = " ".join(text.get_text_bounded(0, widest[1] - 0.5, width, widest[3] + 0.5).split())
            over.append(f"page {i + 1}: text {widest[2] - edge:.1f} pt past the margin: {line[:80]}")
        image = np.asarray(page.render(scale=INK_SCALE).to_pil().convert("L"))
        inked = np.where((image < 250).any(axis=0))[0]
        ink_right = (inked.max() + 1) / INK_SCALE if inked.size else 0.0
        if ink_right > edge + INK_TOLERANCE:
            rows = np.where((image[:, int(np.ceil((edge + INK_TOLERANCE) * INK_SCALE)) :] < 250).any(axis=1))[
                0
            ]
            at = height - rows.min() / INK_SCALE  # from the foot, as the text rects are
            line = " ".join(text.get_text_bounded(0, at - 40, width, at + 2).split())
            over.append(f"page {i + 1}: ink {ink_right - edge:.1f} pt past the margin, near: {line[-80:]}")
    assert not over, "\n".join(over)
