"""The shared app server under the largest upload its limits allow (issue 17): the server's peak
memory while one session uploads a candidate file at the row limit (5,000 candidates, all in the
mandate's places, so every one is eligible) and opens Screen, Allocate and Compare, and how long
another session waits for its Overview meanwhile, against the same Overview on an idle server.
A second file past the limit (50,000 rows, 9.2 MB: near the 55,666 that took the server past 10 GB) must be
refused at once.

Run: .venv/bin/python bench/bench_app_upload.py   (needs Debian's chromium; not part of the test
suite; results go in docs/benchmarks.md with the machine)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "test_app_pages"))
sys.path.insert(0, str(ROOT / "bench"))

import test_browser  # noqa: E402
from bench_allocate import synthetic_frame  # noqa: E402
from bench_screen import machine  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, PAGES, _settle, open_page  # noqa: E402


class PeakMemory(threading.Thread):
    """Samples the server's resident memory (and its children's) every 0.2 s; `peak` in MB."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _resident_mb(self.pid))
            time.sleep(0.2)


def _resident_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _overview_seconds(browser: object, url: str) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    started = time.perf_counter()
    open_page(page, url, PAGES["overview"])
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def _upload_and_visit(browser: object, url: str, path: Path) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    page.set_default_timeout(600_000)
    started = time.perf_counter()
    open_page(page, url, PAGES["candidates"])
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(f"{path.name} is in use").first.wait_for()
    for name in ("screen", "allocate", "compare"):  # in the app (a new address is a new session)
        page.locator(f'[data-testid="stSidebarNavLink"][href$="/{PAGES[name]}"]').click()
        page.locator("h1").first.wait_for()
        _settle(page)
        if name == "screen":  # the upload is the universe in use
            page.get_by_text("5,000").first.wait_for()
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def _refusal_seconds(browser: object, url: str, path: Path) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    open_page(page, url, PAGES["candidates"])
    started = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(f"{path.name} was not used").wait_for()
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    at_cap, past_cap = folder / "five-thousand.csv", folder / "fifty-thousand.csv"
    synthetic_frame(5_000, 3, tickets=True).to_csv(at_cap, index=False)
    synthetic_frame(50_000, 4, tickets=True).to_csv(past_cap, index=False)
    servers: list[object] = []
    real_popen = test_browser.subprocess.Popen

    def keep(*args: object, **kwargs: object) -> object:
        process = real_popen(*args, **kwargs)
        servers.append(process)
        return process

    test_browser.subprocess.Popen = keep  # to learn the server's pid
    with test_browser.served_app(folder) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pid = servers[0].pid  # type: ignore[attr-defined]  # the first process started: the server
        assert "streamlit" in Path(f"/proc/{pid}/cmdline").read_text(), "not the app server"
        idle = min(_overview_seconds(browser, url) for _ in range(3))
        base = _resident_mb(pid)
        refused = _refusal_seconds(browser, url, past_cap)
        meter = PeakMemory(pid)
        meter.start()
        busy: list[float] = []
        first = subprocess.Popen(  # its own process: one Playwright per process
            [sys.executable, __file__, "--upload", url, str(at_cap)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(2)  # the upload session is at work
        while first.poll() is None:
            busy.append(_overview_seconds(browser, url))
        uploaded = float(first.communicate()[0].strip().splitlines()[-1])
        meter.running = False
        browser.close()
    print(f"machine: {machine()}")
    print(f"server at rest after the first pages: {base:,.0f} MB")
    print(f"upload of {past_cap.stat().st_size / 1e6:.1f} MB (50,000 rows) refused in {refused:.1f} s")
    print(
        f"upload of {at_cap.stat().st_size / 1e6:.1f} MB (5,000 candidates) then Screen, Allocate, "
        f"Compare: {uploaded:.1f} s; server peak {meter.peak:,.0f} MB"
    )
    if busy:
        print(
            f"another session's Overview meanwhile: median {sorted(busy)[len(busy) // 2]:.1f} s, "
            f"worst {max(busy):.1f} s, against {idle:.1f} s on an idle server ({len(busy)} loads)"
        )


def upload_session(url: str, path: Path) -> None:
    """The uploading session, in its own process: prints its seconds."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"{_upload_and_visit(browser, url, path):.3f}")
        browser.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--upload"]:
        upload_session(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
