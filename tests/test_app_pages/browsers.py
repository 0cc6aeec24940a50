"""What the browser tests share: the app served by `streamlit run` on a free local port, the
system Chromium's flags, and waiting for a page to settle.

Uses the system Chromium (Debian's `chromium`, installed by .ci/run) through Playwright; the
Playwright browser download cannot work on a machine without internet. Without Chromium a
browser test module is skipped on a developer's machine but fails in CI (CI=true), so CI never
passes by skipping them (`require_chromium`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip the calling module without Chromium, except in CI, where that is a failure."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed; .ci/run installs the Debian chromium package", pytrace=False
            )
        pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the app did not answer at {url} within {seconds} s")


@contextmanager
def served_app(
    user_folder: Path, env: dict[str, str] | None = None, args: Sequence[str] = (), port: int | None = None
) -> Iterator[str]:
    """The app served exactly as `make run` serves it (plus `args`, `env`), on a free local port
    unless `port` is given; yields its URL.

    The market-data cache and the run store live in `user_folder`, never the user's own."""
    port = port or free_port()
    env = {
        **os.environ,
        "IMPACT_SCREEN_CACHE": str(user_folder / "cache"),
        "IMPACT_SCREEN_DB": str(user_folder / "runs.db"),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        *args,
    ]
    log = user_folder / "streamlit.log"  # a file, not a pipe: a full pipe would stall the server
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def open_page(page: object, url: str, path: str) -> None:
    """Go to a page and wait until Streamlit has finished running it."""
    page.goto(f"{url}/{path}")  # type: ignore[attr-defined]
    page.get_by_test_id("stApp").wait_for()  # type: ignore[attr-defined]
    page.locator("h1").first.wait_for()  # type: ignore[attr-defined]
    settle(page)


def settle(page: object) -> None:
    """Wait for the script run to end (the status widget shows meanwhile) and placeholders to fill."""
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')",
        timeout=60_000,
    )


def no_exception(page: object) -> None:
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id(
        "stException"
    ).first.inner_text()  # type: ignore[attr-defined]
