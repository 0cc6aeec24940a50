"""Fixtures the command-line tests share."""

from __future__ import annotations

import json

import pytest

from impact_screen import cli


@pytest.fixture(scope="session")
def allocate_json(tmp_path_factory) -> dict:
    """The bundled run's allocate JSON (no frontier), made once: the pacing and local-report
    commands must give the same plan and report as its keys."""
    out = tmp_path_factory.mktemp("allocate") / "a.json"
    assert cli.main(["allocate", "--json", str(out), "--frontier-points", "0"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))
