"""Screenshots of every page of the app as its users see it, at a projector's 1280x720 and a
desktop's 1920x1080 (the viewport only: what is on screen before scrolling), for review.

    .venv/bin/python scripts/screenshots.py OUT_FOLDER

Serves the app with `streamlit run` on a free local port, with the run store and the market-data
cache in a temporary folder, and drives the system Chromium (Debian's `chromium`) headless.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("", "candidates", "screen", "allocate", "map", "compare", "pacing", "runs", "assumptions")
SIZES = ((1280, 720), (1920, 1080))
# the page has finished: no "running" indicator and no spinner left
BUSY = (
    "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSpinner\"]')"
)


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    port, folder = _port(), Path(tempfile.mkdtemp())
    env = {**os.environ, "IMPACT_SCREEN_DB": str(folder / "runs.sqlite3"), "IMPACT_SCREEN_CACHE": str(folder)}
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true"]
    server = subprocess.Popen([*command, f"--server.port={port}"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            for width, height in SIZES:
                page = browser.new_page(viewport={"width": width, "height": height})
                for name in PAGES:
                    page.goto(f"{url}/{name}")
                    page.wait_for_selector("h1")
                    for _ in range(2):  # a page may start a second run once the first is drawn
                        page.wait_for_timeout(2000)
                        page.wait_for_function(BUSY, timeout=180_000)
                    page.screenshot(path=str(out / f"{name or 'overview'}-{width}x{height}.png"))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
