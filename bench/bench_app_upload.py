"""The shared app server under the largest upload its limits allow (issues 15 and 17): the server's
peak memory while one session uploads a candidate file at the row limit (all in the mandate's
places, so every one is eligible) and opens Screen, Allocate and Compare, and how long another
session waits for its Overview meanwhile, against the same Overview on an idle server. Two files
past the limit must be refused at once: one row past it, and the most rows that fit under the size
cap (for an officer 49,000 rows, 9.0 MB: near the 55,666 that took the server past 10 GB).

Run: .venv/bin/python bench/bench_app_upload.py   (an officer's limits, and local mode's: 5,000
rows, 10 MB; screening.reading.limits.UPLOAD_LIMITS)
     .venv/bin/python bench/bench_app_upload.py --rows 1000 --megabytes 2   (a committee member's
default limits, impact_screen.access.DEFAULT_UPLOAD_LIMITS: the app is served with
IMPACT_SCREEN_UPLOAD_MAX_ROWS and IMPACT_SCREEN_UPLOAD_MAX_MB set to them, which give every
session the limits a committee member gets, without signing in)

Needs Debian's chromium; not part of the test suite; results go in docs/benchmarks.md with the
machine and the load average printed at the start.
"""

from __future__ import annotations

import argparse
import os
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

import browsers  # noqa: E402
from bench_allocate import synthetic_frame  # noqa: E402
from bench_screen import machine  # noqa: E402
from browsers import CHROMIUM, CHROMIUM_ARGS, open_page, served_app, settle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from test_browser import PAGES  # noqa: E402

from screening import bundled_reference, load_mandate  # noqa: E402
from screening.reading.limits import UPLOAD_LIMITS  # noqa: E402

# as app_pages.state names them (importing it here would start Streamlit's caches outside a server)
UPLOAD_MB_VARIABLE, UPLOAD_ROWS_VARIABLE = "IMPACT_SCREEN_UPLOAD_MAX_MB", "IMPACT_SCREEN_UPLOAD_MAX_ROWS"
LOWEST_EVIDENCE = load_mandate(None, bundled_reference()).min_evidence_quality


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


def _upload_and_visit(browser: object, url: str, path: Path, rows: int) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    page.set_default_timeout(600_000)
    started = time.perf_counter()
    open_page(page, url, PAGES["candidates"])
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(f"{path.name} is in use").first.wait_for()
    for name in ("screen", "allocate", "compare"):  # in the app (a new address is a new session)
        page.locator(f'[data-testid="stSidebarNavLink"][href$="/{PAGES[name]}"]').click()
        page.locator("h1").first.wait_for()
        settle(page)
        if name == "screen":  # the upload is the universe in use, every candidate eligible
            page.get_by_text(f"{rows:,} of {rows:,} candidates eligible").first.wait_for()
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def _refusal_seconds(browser: object, url: str, path: Path, rows: int) -> float:
    """Seconds from choosing the file until the app says it was not used; the message must name the
    row limit."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    open_page(page, url, PAGES["candidates"])
    started = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(f"{path.name} was not used").wait_for()
    seconds = time.perf_counter() - started
    named = page.get_by_text(f"more than {rows:,} rows").first  # in the problems grid: not visible
    named.wait_for(state="attached", timeout=10_000)
    page.close()
    return seconds


def _candidate_file(path: Path, rows: int, seed: int) -> Path:
    """`rows` candidates resampled from the bundled file, in the mandate's places, with evidence
    quality lifted to the bundled mandate's lowest, so that every one is eligible (resampling alone
    leaves about 4% at evidence quality 1, screened out)."""
    frame = synthetic_frame(rows, seed, tickets=True)
    frame["evidence_quality"] = frame["evidence_quality"].clip(lower=LOWEST_EVIDENCE)
    frame.to_csv(path, index=False)
    return path


def _largest_under(folder: Path, megabytes: int, bytes_a_row: float) -> tuple[Path, int]:
    """The most rows, in thousands, whose file stays under the size cap (about 92% of it)."""
    rows = max(int(megabytes * 1e6 * 0.92 / bytes_a_row) // 1_000 * 1_000, 1_000)
    while True:
        path = _candidate_file(folder / f"under-size-cap-{rows}-rows.csv", rows, 4)
        if path.stat().st_size < megabytes * 1e6:
            return path, rows
        path.unlink()
        rows -= 1_000


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"


def main(rows: int | None, megabytes: int | None) -> None:
    load = os.getloadavg()
    for name in (UPLOAD_MB_VARIABLE, UPLOAD_ROWS_VARIABLE):  # served_app passes on this environment
        os.environ.pop(name, None)
    env = {}  # none: the app's own upload limits, an officer's (and local mode's)
    if rows is not None:
        env[UPLOAD_ROWS_VARIABLE] = str(rows)
    if megabytes is not None:
        env[UPLOAD_MB_VARIABLE] = str(megabytes)
    rows = UPLOAD_LIMITS.max_rows if rows is None else rows
    megabytes = round(UPLOAD_LIMITS.max_bytes / 1e6) if megabytes is None else megabytes
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    at_cap = _candidate_file(folder / f"at-row-limit-{rows}.csv", rows, 3)
    assert at_cap.stat().st_size < megabytes * 1e6, f"{at_cap.name} is past the {megabytes} MB cap"
    one_past = _candidate_file(folder / f"one-row-past-{rows + 1}.csv", rows + 1, 5)
    under_size, under_size_rows = _largest_under(folder, megabytes, at_cap.stat().st_size / rows)
    servers: list[object] = []
    real_popen = browsers.subprocess.Popen

    def keep(*args: object, **kwargs: object) -> object:
        process = real_popen(*args, **kwargs)
        servers.append(process)
        return process

    browsers.subprocess.Popen = keep  # to learn the server's pid (served_app starts it)
    try:
        with served_app(folder, env=env) as url, sync_playwright() as p:
            browsers.subprocess.Popen = real_popen
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pid = servers[0].pid  # type: ignore[attr-defined]  # the first process started: the server
            assert "streamlit" in Path(f"/proc/{pid}/cmdline").read_text(), "not the app server"
            idle = min(_overview_seconds(browser, url) for _ in range(3))
            base = _resident_mb(pid)
            refused_one = _refusal_seconds(browser, url, one_past, rows)
            refused_size = _refusal_seconds(browser, url, under_size, rows)
            meter = PeakMemory(pid)
            meter.start()
            busy: list[float] = []
            first = subprocess.Popen(  # its own process: one Playwright per process
                [sys.executable, __file__, "--upload", url, str(at_cap), str(rows)],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(2)  # the upload session is at work
            while first.poll() is None:
                busy.append(_overview_seconds(browser, url))
            output = first.communicate()[0].strip().splitlines()
            assert first.returncode == 0 and output, "the uploading session failed"
            uploaded = float(output[-1])
            meter.running = False
            browser.close()
    finally:
        browsers.subprocess.Popen = real_popen
    limits = ", ".join(f"{k}={v}" for k, v in env.items()) or "the app's own (an officer's)"
    print(f"machine: {machine()}")
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"upload limits: {rows:,} rows, {megabytes} MB ({limits})")
    print(f"server at rest after the first pages: {base:,.0f} MB")
    print(f"upload of {_mb(one_past)} ({rows + 1:,} rows, one past the limit) refused in {refused_one:.1f} s")
    print(
        f"upload of {_mb(under_size)} ({under_size_rows:,} rows, under the size cap) refused in {refused_size:.1f} s"
    )
    print(
        f"upload of {_mb(at_cap)} ({rows:,} candidates) then Screen, Allocate, "
        f"Compare: {uploaded:.1f} s; server peak {meter.peak:,.0f} MB"
    )
    if busy:
        print(
            f"another session's Overview meanwhile: median {sorted(busy)[len(busy) // 2]:.1f} s, "
            f"worst {max(busy):.1f} s, against {idle:.1f} s on an idle server ({len(busy)} loads)"
        )
    else:
        print("another session's Overview meanwhile: no load finished while the upload session ran")


def upload_session(url: str, path: Path, rows: int) -> None:
    """The uploading session, in its own process: prints its seconds."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"{_upload_and_visit(browser, url, path, rows):.3f}")
        browser.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--upload"]:  # the uploading session, started by main()
        upload_session(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument(
            "--rows",
            type=int,
            help=f"row limit, served as {UPLOAD_ROWS_VARIABLE} (default: the app's {UPLOAD_LIMITS.max_rows:,})",
        )
        parser.add_argument(
            "--megabytes",
            type=int,
            help=f"size cap in MB, served as {UPLOAD_MB_VARIABLE} "
            f"(default: the app's {UPLOAD_LIMITS.max_bytes / 1e6:.0f})",
        )
        options = parser.parse_args()
        main(options.rows, options.megabytes)
