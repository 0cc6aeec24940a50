"""End to end in a real browser: the app served by `streamlit run`, driven in headless Chromium.

Uses the system Chromium (Debian's `chromium`, installed by .ci/run) through Playwright; the
Playwright browser download cannot work on a machine without internet. Without Chromium the
tests are skipped on a developer's machine but fail in CI (CI=true), so CI never passes by
skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsers import ROOT, no_exception, open_page, require_chromium, served_app
from browsers import settle as _settle

SCREENSHOTS = os.environ.get("IMPACT_SCREEN_SCREENSHOTS")  # a folder: save one PNG per page there
PAGES = {
    "overview": "",
    "candidates": "candidates",
    "screen": "screen",
    "allocate": "allocate",
    "compare": "compare",
    "pacing": "pacing",
    "runs": "runs",
    "assumptions": "assumptions",
}

require_chromium()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("user")) as url:
        yield url


def shoot(page: object, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_without_an_exception(page: object, app_url: str, name: str) -> None:
    open_page(page, app_url, PAGES[name])
    if name == "overview":
        page.get_by_text("Jobs supported").first.wait_for()  # type: ignore[attr-defined]
        _settle(page)
    no_exception(page)
    links = page.get_by_test_id("stSidebarNavLink")  # type: ignore[attr-defined]
    assert links.count() >= 4
    shoot(page, name)


@pytest.mark.parametrize("name", ["screen", "allocate", "compare", "pacing"])
def test_plotly_charts_are_drawn(page: object, app_url: str, name: str) -> None:
    open_page(page, app_url, PAGES[name])
    chart = page.locator(".js-plotly-plot .main-svg").first  # type: ignore[attr-defined]
    chart.wait_for()
    assert page.locator(".js-plotly-plot .bars path, .js-plotly-plot .scatterlayer path").count() > 0  # type: ignore[attr-defined]
    no_exception(page)


def test_an_uploaded_file_replaces_the_candidates(page: object, app_url: str, tmp_path: Path) -> None:
    lines = (ROOT / "data" / "candidates.csv").read_text(encoding="utf-8").splitlines()
    upload = tmp_path / "mine.csv"
    upload.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    open_page(page, app_url, PAGES["candidates"])
    page.locator("input[type=file]").set_input_files(str(upload))  # type: ignore[attr-defined]
    page.get_by_text("mine.csv is in use.").wait_for()  # type: ignore[attr-defined]
    _settle(page)
    assert page.get_by_text("5 candidates").count() >= 1  # type: ignore[attr-defined]
    no_exception(page)


def test_a_bad_upload_lists_its_problems(page: object, app_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id;name;sector\nA;B;C\n", encoding="utf-8")
    open_page(page, app_url, PAGES["candidates"])
    page.locator("input[type=file]").set_input_files(str(bad))  # type: ignore[attr-defined]
    page.get_by_text("bad.csv was not used").wait_for()  # type: ignore[attr-defined]
    no_exception(page)


def test_moving_a_weight_slider_changes_the_ranking(page: object, app_url: str) -> None:
    open_page(page, app_url, PAGES["screen"])
    first_before = _first_ranked(page)
    for name, fraction in (("Social", 0.0), ("Local economy", 0.0), ("Financial", 1.0)):
        drag_slider(page, name, fraction)
    assert _first_ranked(page) != first_before
    no_exception(page)


def drag_slider(page: object, label: str, fraction: float, tries: int = 3) -> str:
    """Drag a slider's thumb to a fraction of its track, as a person would; returns its value."""
    widget = page.get_by_test_id("stSlider").filter(has_text=label)  # type: ignore[attr-defined]
    value = ""
    for _ in range(tries):
        track = widget.locator("[role=group] > div").first
        thumb, box = track.locator("> div").nth(1).bounding_box(), track.bounding_box()
        y = thumb["y"] + thumb["height"] / 2
        page.mouse.move(thumb["x"] + thumb["width"] / 2, y)  # type: ignore[attr-defined]
        page.mouse.down()  # type: ignore[attr-defined]
        page.mouse.move(box["x"] + fraction * box["width"], y, steps=10)  # type: ignore[attr-defined]
        page.mouse.up()  # type: ignore[attr-defined]
        _settle(page)
        value = widget.locator("input[type=range]").input_value()
        if float(value) == float(
            widget.locator("input[type=range]").get_attribute("max" if fraction else "min")
        ):
            return value
    raise AssertionError(f"the {label} slider did not move (value {value})")


def _first_ranked(page: object) -> str:
    """The page's 'Ranked first' line (the table itself is drawn on a canvas)."""
    _settle(page)
    line = page.locator("p", has_text="Ranked first:").first  # type: ignore[attr-defined]
    line.wait_for()
    return str(line.inner_text())


TRUNCATED = """() => [...document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], [data-testid="stMetricLabel"] *,'
    + ' [data-testid="stMetricValue"] *, h1')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
  .map(e => e.innerText)"""
SCROLLS = """() => [...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]'),
    document.scrollingElement]
  .filter(e => e && e.scrollHeight > e.clientHeight + 2)
  .map(e => `${e.getAttribute('data-testid') || e.tagName}: ${e.scrollHeight} > ${e.clientHeight}`)"""


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["projector", "desktop"])
def test_presentation_mode_tells_the_story_on_one_screen(browser: object, app_url: str, size) -> None:
    """At a projector's 1280x720 and at 1920x1080: 63p against 40p, the money kept local, the jobs
    (net, gross beside) and the return given up a year, with no metric cut and no scrolling."""
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        open_page(tab, app_url, "")
        tab.get_by_text("Presentation mode").click()
        tab.get_by_text("Leave presentation mode").wait_for()
        tab.get_by_text("Money kept circulating locally").first.wait_for()
        _settle(tab)
        no_exception(tab)
        shoot(tab, f"presenting-{width}x{height}")
        values = tab.get_by_test_id("stMetricValue").all_inner_texts()
        assert values == ["63p", "40p", "£55.5m", "523", "870", "£489,000 a year"]
        assert not tab.get_by_test_id("stSidebar").is_visible()
        assert tab.get_by_test_id("stCaptionContainer").filter(has_text="Source").count() == 0
        assert tab.evaluate(TRUNCATED) == []
        assert tab.evaluate(SCROLLS) == []
        tab.get_by_text("Leave presentation mode").click()
        tab.get_by_test_id("stSidebar").wait_for()
        _settle(tab)
        assert tab.get_by_role("heading", name="This scenario").is_visible()  # the Overview, in full
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["projector", "desktop"])
def test_presentation_mode_shows_the_commitment_plan_on_one_screen(
    browser: object, app_url: str, size
) -> None:
    """The Pacing page presented: its figures, one sentence and the chart, nothing cut, no scrolling."""
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        open_page(tab, app_url, "pacing")
        tab.get_by_text("Presentation mode").click()
        tab.get_by_text("Leave presentation mode").wait_for()
        tab.locator(".js-plotly-plot .main-svg").first.wait_for()
        _settle(tab)
        no_exception(tab)
        shoot(tab, f"pacing-presenting-{width}x{height}")
        values = tab.get_by_test_id("stMetricValue").all_inner_texts()
        assert values == ["£100m", "2031", "£198.6m", "£23.7m", "2031"]
        assert tab.locator(".js-plotly-plot").count() == 1
        assert tab.evaluate(TRUNCATED) == []
        assert tab.evaluate(SCROLLS) == []
    finally:
        context.close()


def test_the_map_draws_every_district_and_asks_no_other_server(browser: object, app_url: str) -> None:
    """At a projector's 1280x720 the Map page draws the district shapes (the mandate's places named
    on them) from the app's own files: no request leaves for any other host, no map tiles, no
    world outline from a CDN, no icon from a font server."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    asked: list[str] = []
    tab.on("request", lambda request: asked.append(request.url))
    try:
        open_page(tab, app_url, "map")
        shapes = tab.locator(".js-plotly-plot .geolayer .choroplethlayer path.choroplethlocation")
        shapes.first.wait_for(state="attached")
        _settle(tab)
        no_exception(tab)
        shoot(tab, "map-1280x720")
        assert shapes.count() >= 361  # every district; the footprint (2) outlined on top
        drawn = tab.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot .choroplethlayer path')]
                 .filter(p => (p.getAttribute('d') || '').length > 20).length"""
        )
        assert drawn >= 2  # the paths have shapes, at least the footprint's inside the view
        labels = tab.locator(".js-plotly-plot .geolayer .scatterlayer text").all_text_contents()
        assert any("Preston" in label for label in labels) and any(
            "South Ribble" in label for label in labels
        )
        own = urlsplit(app_url).netloc
        elsewhere = [
            url
            for url in asked
            if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own
        ]
        assert asked and elsewhere == []
    finally:
        context.close()
