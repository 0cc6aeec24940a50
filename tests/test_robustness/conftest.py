"""Every robustness test runs with its own run store and market-data cache in tmp_path.

The session-wide conftest only sets these when they are not set already (`setdefault`), so a
developer with IMPACT_SCREEN_DB in their shell would otherwise have these malformed inputs run
against their own store; here they are always replaced, and IMPACT_SCREEN_DEBUG is removed so
an internal error is reported as the user would see it (exit 1, one line) and not raised.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_store_and_cache(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("user-folder")
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(folder / "runs.sqlite3"))
    monkeypatch.setenv("IMPACT_SCREEN_CACHE", str(folder / "cache"))
    monkeypatch.delenv("IMPACT_SCREEN_DEBUG", raising=False)
