"""ScenarioInputs: every input of a run read once by a loader; the core reads no file after it;
a saved run stores exactly this object and a rerun starts from it."""

from __future__ import annotations

import argparse
import builtins
import io
import pathlib
from dataclasses import replace

import numpy as np
import pytest
from callers import OFFICER
from scenario_helpers import FAST, SCREEN, bundled_scenario

from impact_screen.inputs import load_inputs
from impact_screen.runs import capture, load_run, rerun, restore, save_run
from portfolio.report import run_result
from portfolio.run import run_scenario
from portfolio.scenario import ScenarioInputs
from screening import InputError, InputFile
from screening.reading import bundled


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(tmp_path / "runs.sqlite3"))


def amounts(scenario: ScenarioInputs) -> dict[str, float]:
    result = run_scenario(scenario).allocation
    return {k: float(v) for k, v in result.amounts.items() if v > 0}


def test_the_command_line_loader_reads_every_input_once_into_one_object(tmp_path):
    mandate = tmp_path / "m.toml"
    mandate.write_bytes(bundled.bundled(bundled.MANDATE).read_bytes())
    args = argparse.Namespace(candidates=None, mandate=mandate, covariance=None)
    scenario = load_inputs(args, SCREEN, FAST)
    files = scenario.files()
    assert set(files) == {
        "candidates",
        "mandate",
        "risk_model",
        "uk_benchmark_mix",
        "stress_scenarios",
        "pacing_assumptions",
        "local_investment_peers",
        "places",
        "retention",
        "social_value",
    }
    assert files["mandate"].content == mandate.read_bytes() and files["mandate"].name == str(mandate)
    for role, name in {
        "candidates": bundled.CANDIDATES,
        "stress_scenarios": bundled.STRESS_SCENARIOS,
    }.items():
        assert files[role].content == bundled.bundled(name).read_bytes() and files[role].origin == "bundled"
    assert scenario.screen == SCREEN and scenario.solve == FAST
    assert scenario.universe.provenance.sha256 == files["candidates"].sha256


def test_a_run_reads_no_file(monkeypatch):
    """Once the scenario is built, running it touches no file: every way of opening one fails."""
    scenario = bundled_scenario()
    expected = amounts(scenario)  # warm every import and cache first

    def refused(*_args, **_kwargs):
        raise AssertionError("the core read a file")

    for owner, name in (
        (builtins, "open"),
        (io, "open"),
        (pathlib.Path, "open"),
        (pathlib.Path, "read_bytes"),
        (pathlib.Path, "read_text"),
        (InputFile, "from_path"),
        (bundled, "read"),
    ):
        monkeypatch.setattr(owner, name, refused)
    run = run_scenario(scenario)
    assert run.allocation.feasible and run.comparison is not None
    assert {k: float(v) for k, v in run.allocation.amounts.items() if v > 0} == expected
    result = run_result(run, scenario.universe, scenario.mandate, scenario.reference)
    assert result.compared and len(result.frontier) == len(run.frontier)


def test_a_saved_run_stores_exactly_its_scenario_and_restores_it():
    scenario = bundled_scenario()
    save_run(capture("kept", scenario, run_scenario(scenario)), OFFICER)
    back = restore(load_run("kept", OFFICER))
    assert {role: f.content for role, f in back.files().items()} == {
        role: f.content for role, f in scenario.files().items()
    }
    assert back.mandate == scenario.mandate
    assert back.screen == scenario.screen and back.solve == scenario.solve
    assert back.risk == scenario.risk and back.notes == []
    assert back.comparison.mix.equals(scenario.comparison.mix)


def test_a_rerun_starts_from_the_files_the_run_kept_not_the_bundled_ones():
    """A run made with its own risk-model settings reruns with them: its holdings, not the default's."""
    text = bundled.bundled(bundled.RISK_MODEL).read_text(encoding="utf-8")
    own = text.replace("place_share = 0.2", "place_share = 0.45")
    assert own != text
    scenario = bundled_scenario(risk_model=InputFile("my_risk_model.toml", own.encode(), "file"))
    assert scenario.risk.place_share == 0.45
    run = run_scenario(scenario)
    saved = capture("own risk", scenario, run)
    save_run(saved, OFFICER)
    stored = load_run("own risk", OFFICER)
    assert stored.files["risk_model"].content == own.encode()
    assert restore(stored).risk.place_share == 0.45
    again = rerun(stored)
    assert again.same, again.differences
    default = run_scenario(replace(scenario, risk=bundled_scenario().risk))
    assert not np.array_equal(default.risk.covariance(), run.risk.covariance())


def test_an_older_run_without_copies_uses_the_bundled_files_and_says_when_they_changed():
    scenario = bundled_scenario()
    saved = capture("old", scenario, run_scenario(scenario))
    older = replace(saved, files={})  # saved before a run kept every input
    assert restore(older).notes == []  # the bundled files are still the bytes it used
    provenance = {**older.provenance, "risk_model": {**older.provenance["risk_model"], "sha256": "0" * 64}}
    notes = restore(replace(older, provenance=provenance)).notes
    assert notes == [
        f"the {bundled.RISK_MODEL} in use has changed since the run was saved (the run did not keep a copy)"
    ]


def test_every_problem_in_every_file_of_a_scenario_is_reported_at_once():
    broken_risk = InputFile("risk.toml", b"asset_class_share = 0.9\nplace_share = 0.9\n", "file")
    broken_mix = InputFile("mix.csv", b"asset_class,weight\nnot_a_class,1\n", "file")
    with pytest.raises(InputError) as caught:
        bundled_scenario(risk_model=broken_risk, uk_benchmark_mix=broken_mix)
    files = {p.file for p in caught.value.problems}
    assert {"risk.toml", "mix.csv"} <= files
