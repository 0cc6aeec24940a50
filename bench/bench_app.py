"""App speed: time until the first page shows, and the Screen page's re-render after a weight change.

Run: .venv/bin/python bench/bench_app.py   (needs Debian's chromium; not part of the test suite)

- first page: from starting `streamlit run app.py` to the Overview's headline numbers drawn in
  headless Chromium (cold process, so it includes imports and the first allocation);
- weight change: the Screen page's script run after a pillar weight moves, measured with
  Streamlit's AppTest (the server-side part), and the browser round trip from releasing the
  slider to the new ranking on screen.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "test_app_pages"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_screen import machine  # noqa: E402
from browsers import CHROMIUM, CHROMIUM_ARGS, served_app, settle  # noqa: E402
from test_browser import drag_slider  # noqa: E402


def first_page_seconds() -> tuple[float, float, float]:
    """Seconds from launching the server until it answers; then from opening the first page in a
    fresh browser until its title shows, and until its headline numbers show."""
    started = time.perf_counter()
    with served_app(Path(tempfile.mkdtemp())) as url, sync_playwright() as driver:
        ready = time.perf_counter() - started
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        opened = time.perf_counter()
        page.goto(url)
        page.locator("h1").first.wait_for(timeout=60_000)
        title = time.perf_counter() - opened
        page.get_by_text("Jobs supported").first.wait_for(timeout=60_000)
        numbers = time.perf_counter() - opened
        browser.close()
    return ready, title, numbers


def weight_change_script_seconds(repeats: int = 7) -> float:
    """Median server-side run of the Screen page after a pillar weight changes (AppTest)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("app_pages/screen.py").run()
    times = []
    for step in range(repeats):
        value = 0.3 + 0.05 * (step % 6)
        started = time.perf_counter()
        app.slider(key="weight_social").set_value(round(value, 2)).run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def weight_change_browser_seconds() -> float:
    """Browser round trip: release a weight slider, until the new ranking shows on screen."""
    with served_app(Path(tempfile.mkdtemp())) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/screen")
        page.locator("p", has_text="Ranked first:").first.wait_for(timeout=60_000)
        settle(page)
        drag_slider(page, "Social", 0.0)  # untimed: weights (0.4, 0.3, 0)
        before = page.locator("p", has_text="Ranked first:").first.inner_text()
        widget = page.get_by_test_id("stSlider").filter(has_text="Local economy")
        track = widget.locator("[role=group] > div").first
        thumb, box = track.locator("> div").nth(1).bounding_box(), track.bounding_box()
        y = thumb["y"] + thumb["height"] / 2
        page.mouse.move(thumb["x"] + thumb["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(box["x"], y, steps=5)  # local economy to 0: ranked by the financial pillar
        started = time.perf_counter()
        page.mouse.up()
        page.wait_for_function(
            "(before) => [...document.querySelectorAll('p')].some("
            "p => p.innerText.startsWith('Ranked first:') && p.innerText !== before)",
            arg=before,
            timeout=10_000,
            polling=10,
        )
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


METRIC_CHANGED = """([label, before]) => {
  const box = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith(label));
  return box && !box.innerText.includes(before);
}"""
GIVEN_UP = "Return given up against the UK benchmark"  # the vocabulary's label: set against the benchmarks
FRESH = """(label) => {  // the metric drawn again by this run (its value may be the same as before)
  const box = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith(label));
  const holder = box && box.closest('[data-stale]');
  return holder && holder.getAttribute('data-stale') === 'false';
}"""
FRONTIER_DRAWN = """(before) => [...document.querySelectorAll('.js-plotly-plot')]
  .some(p => p.innerText.includes('Best expected return') && p.innerText !== before)"""


def limit_change_seconds(candidates: Path | None = None) -> tuple[float, float, float]:
    """Browser round trip on the Allocate page: press Allocate with a tighter cap per candidate, until
    the headline numbers show the new allocation, until the figures set against the benchmarks
    (the return given up) show it too, and until the frontier below is drawn again.
    With `candidates`, the page first uses that upload."""
    with served_app(Path(tempfile.mkdtemp())) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        if candidates is not None:
            page.goto(f"{url}/candidates")
            page.locator("input[type=file]").set_input_files(str(candidates))
            page.get_by_text("is in use").first.wait_for(timeout=60_000)
            settle(page)
        page.goto(f"{url}/allocate")
        page.get_by_text("Best expected return").first.wait_for(timeout=120_000)
        settle(page)
        volatility = page.locator('[data-testid="stMetric"]', has_text="Volatility").first.inner_text()
        frontier = page.locator(".js-plotly-plot", has_text="Best expected return").first.inner_text()
        box = page.get_by_label("Largest share in one candidate (%)")  # binding: the holdings move
        box.fill(f"{float(box.input_value()) - 3:.2f}")
        started = time.perf_counter()
        page.get_by_role("button", name="Allocate").click()
        page.wait_for_function(
            METRIC_CHANGED, arg=["Volatility", volatility.split("\n")[-1]], timeout=60_000, polling=10
        )
        headline = time.perf_counter() - started
        page.wait_for_function(FRESH, arg=GIVEN_UP, timeout=60_000, polling=10)
        against = time.perf_counter() - started
        page.wait_for_function(FRONTIER_DRAWN, arg=frontier, timeout=120_000, polling=20)
        drawn = time.perf_counter() - started
        browser.close()
    return headline, against, drawn


def fifty_with_minimum_tickets(folder: Path) -> Path:
    """The bundled candidates plus two more, 50 in all, every one with a minimum ticket."""
    import csv

    rows = list(csv.DictReader((ROOT / "data" / "candidates.csv").open(encoding="utf-8")))
    extra = [dict(rows[i], id=f"{rows[i]['id']}-B", name=rows[i]["name"] + " II") for i in (0, 1)]
    for row in rows + extra:
        row["min_ticket_gbp"] = row["min_ticket_gbp"] or "1000000"
    path = folder / "fifty.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    return path


def main() -> None:
    print(f"machine: {machine()}")
    ready, title, numbers = first_page_seconds()
    print(f"server start until it answers: {ready:.2f} s")
    print(
        f"first page in a fresh browser (first session, nothing cached): title {title:.2f} s (target < 5 s); "
        f"headline numbers (first allocation, frontier and comparison) {numbers:.2f} s"
    )
    script = weight_change_script_seconds()
    print(f"weight change, Screen page script run (AppTest, median of 7): {script:.3f} s (target < 0.5 s)")
    print(
        f"weight change, browser round trip to the new ranking on screen: {weight_change_browser_seconds():.2f} s"
    )
    for what, upload in (("bundled 48", None), ("50 with minimum tickets", fifty_with_minimum_tickets)):
        headline, against, drawn = limit_change_seconds(upload(Path(tempfile.mkdtemp())) if upload else None)
        print(
            f"limit change, Allocate ({what}): headline {headline:.2f} s (target < 1 s); "
            f"return given up {against:.2f} s; frontier {drawn:.2f} s"
        )


if __name__ == "__main__":
    main()
