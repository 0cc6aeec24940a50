"""`allocate --save`, `runs list|show|compare|rerun|delete` and `report` through impact_screen.cli.main."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from callers import OFFICER

from impact_screen import cli
from impact_screen.runs import capture, list_runs, load_run, rerun, restore, save_run
from impact_screen.runs_compare import compare
from impact_screen.store import RunStore
from portfolio.run import risk_model, run_allocation, run_scenario
from screening import bundled_reference, load_candidates, load_mandate
from screening.reading import bundled

FAST = ["--frontier-points", "3"]


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite3"
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(path))
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def mandate_file(tmp_path, old: str, new: str, name: str = "m.toml"):
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def amounts(name: str) -> dict[str, float]:
    with RunStore(caller=OFFICER) as store:
        return {a["id"]: a["amount_gbp"] for a in store.load(name).results["allocations"]}


def test_save_list_show_and_rerun(capsys, private_store):
    code, out, err = run(capsys, "allocate", *FAST, "--save", "base")
    assert code == 0, err
    assert f"Saved as run 'base' in {private_store}." in out
    code, out, _ = run(capsys, "runs", "list")
    assert code == 0
    assert "base" in out and "optimal" in out and "1 run(s)" in out
    code, out, _ = run(capsys, "runs", "show", "base")
    assert code == 0
    assert "candidates.csv (bundled, sha256" in out
    assert "assumptions  bundled capital_market_assumptions.csv (illustrative" in out
    held = [a["id"] for a in load_run("base", OFFICER).results["allocations"]]
    assert "cvxpy" in out and held and all(candidate in out for candidate in held)
    code, out, err = run(capsys, "runs", "rerun", "base")
    assert code == 0, err
    assert "same result" in out and "identical to the pound" in out


def test_list_and_show_speak_the_vocabulary(capsys):
    assert run(capsys, "allocate", *FAST, "--save", "committee March, 8% volatility")[0] == 0
    _, listed, _ = run(capsys, "runs", "list")
    _, shown, _ = run(capsys, "runs", "show", "committee March, 8% volatility")
    for text in (listed, shown):
        assert "6.04%" in text and "optimal: the mandate is met" in text
        assert not re.search(r"\b(expected_return|impact_score|target_gbp|objective most_impact)\b", text)
    assert "Expected return" in listed and "Jobs supported (gross)" in listed
    assert "jobs supported (net) 523" in shown and "(South Ribble)" in shown


def test_what_a_run_keeps(capsys, tmp_path):
    candidates = tmp_path / "c.csv"
    candidates.write_bytes(bundled.bundled(bundled.CANDIDATES).read_bytes())
    assert run(capsys, "allocate", *FAST, "--candidates", str(candidates), "--save", "kept")[0] == 0
    with RunStore(caller=OFFICER) as store:
        saved = store.load("kept")
    assert saved.candidates.content == candidates.read_bytes()
    assert saved.candidates.name == str(candidates) and saved.candidates.origin == "file"
    assert saved.provenance["assumptions"]["source"] == "bundled"
    assert saved.provenance["candidates"]["sha256"] == saved.candidates.sha256
    assert set(saved.versions) >= {
        "impact-screen",
        "cvxpy",
        "clarabel",
        "pyscipopt",
        "pandas",
        "numpy",
        "yfinance",
    }
    stability = {"draws": 10_000, "concentration": 30.0, "top_k": 10, "seed": 0}  # the screen's own
    assert saved.settings == {
        "time_limit_s": 60.0,
        "frontier_points": 3,
        "with_comparison": True,
        "stability": stability,
    }
    # every other input, as the bytes the run read: nothing is read again at save time
    roles = {
        "risk_model",
        "uk_benchmark_mix",
        "stress_scenarios",
        "pacing_assumptions",
        "local_investment_peers",
        "places",
        "retention",
        "social_value",
    }
    assert set(saved.files) == roles
    for role, name in {"risk_model": bundled.RISK_MODEL, "places": bundled.PLACES}.items():
        assert saved.files[role].content == bundled.bundled(name).read_bytes()
    assert "target_gbp = 100000000" in saved.mandate_toml
    assert saved.assumptions_csv.startswith("asset_class,label,expected_return,volatility")
    assert saved.results["status"] == "optimal" and len(saved.screen) == 48
    assert saved.created_at.endswith("+00:00")
    if "stress" in saved.results:  # the comparison's own input files are kept too
        assert saved.provenance["stress_scenarios"]["sha256"] == saved.files["stress_scenarios"].sha256


def test_same_inputs_give_the_same_allocation_to_the_pound(capsys):
    assert run(capsys, "allocate", *FAST, "--save", "one")[0] == 0
    assert run(capsys, "allocate", *FAST, "--save", "two")[0] == 0
    first, second = amounts("one"), amounts("two")
    assert first == second and sum(first.values()) == 100_000_000
    assert all(float(v).is_integer() for v in first.values())
    code, out, _ = run(capsys, "runs", "compare", "one", "two")
    assert code == 0
    assert out.count("no change") == 5  # mandate, candidates, assumptions, allocation, outcomes


def test_rerun_uses_the_stored_inputs_after_the_files_change(capsys, tmp_path):
    candidates = tmp_path / "c.csv"
    candidates.write_bytes(bundled.bundled(bundled.CANDIDATES).read_bytes())
    mandate = mandate_file(tmp_path, "max_candidate_share = 0.15", "max_candidate_share = 0.12")
    assert (
        run(
            capsys,
            "allocate",
            *FAST,
            "--candidates",
            str(candidates),
            "--mandate",
            str(mandate),
            "--save",
            "r",
        )[0]
        == 0
    )
    candidates.write_text("not,a,candidate,file\n", encoding="utf-8")
    mandate.unlink()
    code, out, err = run(capsys, "runs", "rerun", "r")
    assert code == 0, err
    assert "same result" in out


def test_rerun_reports_a_different_result_and_exits_1(capsys, private_store):
    assert run(capsys, "allocate", *FAST, "--save", "base")[0] == 0
    with sqlite3.connect(private_store) as db:  # as if the solver had placed £1 differently
        text = db.execute("SELECT results_json FROM runs WHERE name = 'base'").fetchone()[0]
        document = json.loads(text)
        document["allocations"][0]["amount_gbp"] -= 1
        document["allocations"][1]["amount_gbp"] += 1
        db.execute("UPDATE runs SET results_json = ? WHERE name = 'base'", (json.dumps(document),))
    code, out, _ = run(capsys, "runs", "rerun", "base", "--json", str(private_store.parent / "rerun.json"))
    assert code == 1
    first, second = document["allocations"][0]["id"], document["allocations"][1]["id"]
    assert "the result differs" in out
    assert f"({first}): £14,999,999 → £15,000,000 (£1 more)" in out
    assert f"({second}): " in out and "(£1 less)" in out
    verdict = json.loads((private_store.parent / "rerun.json").read_text())
    assert verdict["same"] is False and len(verdict["differences"]) == 2


def test_compare_names_what_changed_in_inputs_allocation_and_outcomes(capsys, tmp_path):
    rows = bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8").splitlines()
    changed = tmp_path / "c.csv"
    header = rows[0].split(",")
    cells = rows[1].split(",")
    old_return = cells[header.index("expected_return")]
    cells[header.index("expected_return")] = "0.071"
    changed.write_text("\n".join([rows[0], ",".join(cells), *rows[2:-1]]) + "\n", encoding="utf-8")
    removed = rows[-1].split(",")[0]
    mandate = mandate_file(tmp_path, "max_candidate_share = 0.15", "max_candidate_share = 0.12")
    assert run(capsys, "allocate", *FAST, "--save", "before")[0] == 0
    args = ["allocate", *FAST, "--candidates", str(changed), "--mandate", str(mandate), "--save", "after"]
    assert run(capsys, *args)[0] == 0
    out_json = tmp_path / "diff.json"
    code, out, _ = run(capsys, "runs", "compare", "before", "after", "--json", str(out_json))
    assert code == 0
    assert "Largest share in one candidate (max_candidate_share): 15.0% → 12.0%" in out
    assert f"removed {rows[-1].split(',')[1]}" in out and f"({removed})" in out
    assert f"({cells[0]}): Expected return (expected_return): {float(old_return):.2%} → 7.10%" in out
    diff = json.loads(out_json.read_text())
    assert {"a", "b", "mandate", "candidates", "covariance", "assumptions", "allocation", "outcomes"} <= set(
        diff
    )
    moved = {c["id"]: c for c in diff["allocation"]}
    assert moved, "a tighter cap must move money"
    assert sum(c["change_gbp"] for c in moved.values()) == 0  # the target is placed in both
    assert all(c["b_gbp"] <= 12_000_000 for c in moved.values())
    assert any(o["key"] == "portfolio.impact_score" for o in diff["outcomes"])
    assert any(o["key"].startswith(("fiduciary.", "benchmarks.", "stress")) for o in diff["outcomes"])


def test_names_are_validated_and_overwrite_needs_the_flag(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["allocate", "--save=-rf"])
    assert stop.value.code == 2
    assert "invalid run name" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["allocate", "--save", "a/b"])
    capsys.readouterr()
    assert run(capsys, "allocate", *FAST, "--save", "base")[0] == 0
    code, out, err = run(capsys, "allocate", *FAST, "--save", "base")
    assert code == 2 and out == ""  # refused before solving
    assert err == "impact-screen: a run named 'base' already exists; add --overwrite to replace it\n"
    code, out, _ = run(capsys, "allocate", *FAST, "--save", "base", "--overwrite")
    assert code == 0 and "Saved as run 'base'" in out
    with RunStore(caller=OFFICER) as store:
        assert [r.name for r in store.list()] == ["base"]


def test_store_errors_are_one_line_and_exit_2(capsys, private_store):
    code, out, err = run(capsys, "runs", "list")
    assert code == 0 and "No saved runs" in out
    for args in (["runs", "show", "nope"], ["runs", "rerun", "nope"], ["report", "nope", "--html", "x.html"]):
        code, _, err = run(capsys, *args)
        assert code == 2 and err == "impact-screen: no saved run named 'nope'; no run has been saved yet\n"
    code, _, err = run(capsys, "report", "nope")
    assert code == 2 and "--xlsx FILE, --html FILE, --pdf FILE" in err
    private_store.unlink(missing_ok=True)
    with sqlite3.connect(private_store) as db:
        db.execute("PRAGMA user_version = 99")
    code, _, err = run(capsys, "runs", "list")
    assert code == 2 and "newer than this impact-screen knows" in err and len(err.splitlines()) == 1


def test_delete_needs_yes(capsys):
    assert run(capsys, "allocate", *FAST, "--save", "base")[0] == 0
    code, _, err = run(capsys, "runs", "delete", "base")
    assert code == 2 and "--yes" in err
    assert run(capsys, "runs", "delete", "base", "--yes")[0] == 0
    assert "No saved runs" in run(capsys, "runs", "list")[1]


def test_json_outputs(capsys, tmp_path):
    assert run(capsys, "allocate", *FAST, "--save", "base", "--json", "-")[0] == 0
    code, out, _ = run(capsys, "runs", "list", "--json", "-")
    assert code == 0 and json.loads(out)[0]["name"] == "base"
    code, out, _ = run(capsys, "runs", "show", "base", "--json", "-")
    shown = json.loads(out)
    assert shown["candidates"]["bytes"] > 0 and shown["results"]["status"] == "optimal"


def test_an_infeasible_run_is_saved_with_its_diagnosis(capsys, tmp_path):
    mandate = mandate_file(tmp_path, "max_volatility = 0.10", "max_volatility = 0.02")
    code, _, _ = run(capsys, "allocate", *FAST, "--mandate", str(mandate), "--save", "impossible")
    assert code == 3
    code, out, _ = run(capsys, "runs", "show", "impossible")
    assert code == 0 and "infeasible" in out and "max_volatility" in out
    assert run(capsys, "runs", "rerun", "impossible")[0] == 0


def test_a_covariance_file_is_stored_and_used_by_the_rerun(capsys, tmp_path):
    reference = bundled_reference()
    universe = load_candidates(None, reference)
    matrix = risk_model(universe, reference).covariance()
    ids = list(universe.frame.index)
    path = tmp_path / "cov.csv"
    pd.DataFrame(matrix * 1.1, index=ids, columns=ids).to_csv(path, index_label="id")
    assert run(capsys, "allocate", *FAST, "--covariance", str(path), "--save", "cov")[0] == 0
    path.unlink()
    with RunStore(caller=OFFICER) as store:
        saved = store.load("cov")
    assert saved.covariance is not None and saved.results["risk_model"] == "covariance file"
    assert rerun(saved).same


def _scenario(reference):
    """The bundled scenario over `reference`, as the app's loader builds it (no frontier)."""
    from impact_screen.inputs import bundled_files
    from portfolio.scenario import SolveSettings, scenario_inputs

    candidates = bundled.read(bundled.CANDIDATES)
    mandate = load_mandate(None, reference)
    files = bundled_files(reference)
    return scenario_inputs(candidates, mandate, reference, files, solve=SolveSettings(frontier_points=0))


def test_the_core_api_for_the_app_keeps_the_assumptions_actually_used():
    """Capture with market-like assumptions; the rerun uses them, not whatever is current."""
    base = bundled_reference()
    assumptions = base.assumptions.copy()
    assumptions["volatility"] = assumptions["volatility"] * 1.3 + 1e-13  # full float precision must survive
    correlations = base.correlations * 0.5 + np.eye(len(base.correlations)) * 0.5
    reference = replace(base, assumptions=assumptions, correlations=correlations)
    scenario = _scenario(reference)
    saved = capture("app", scenario, run_scenario(scenario))
    restored = restore(saved)
    assert restored.reference.assumptions["volatility"].equals(assumptions["volatility"])
    assert np.array_equal(restored.reference.correlations.to_numpy(), correlations.to_numpy())
    again = rerun(saved)
    assert again.same, again.differences
    save_run(saved, OFFICER)
    assert [r.name for r in list_runs(OFFICER)] == ["app"] and load_run("app", OFFICER) == saved
    plain_inputs = _scenario(base)
    plain = capture("plain", plain_inputs, run_scenario(plain_inputs))
    diff = compare(saved, plain)
    assert any(v["key"].endswith(".volatility") for v in diff["assumptions"]["values"])
    assert diff["assumptions"]["correlations"]


def test_a_run_keeps_the_screen_the_user_saw(capsys, tmp_path):
    """One screen per run: the screen behind `allocate` uses the settings of `screen` (the same
    flags, the same defaults), a saved run keeps its records and settings, and a rerun uses them."""
    screened = tmp_path / "screen.json"
    assert run(capsys, "screen", "--draws", "2000", "--top-k", "5", "--json", str(screened))[0] == 0
    shown = {c["id"]: c for c in json.loads(screened.read_text(encoding="utf-8"))["candidates"]}
    code, _, err = run(capsys, "allocate", *FAST, "--draws", "2000", "--top-k", "5", "--save", "seen")
    assert code == 0, err
    saved = load_run("seen", OFFICER)
    assert saved.settings["stability"] == {"draws": 2000, "concentration": 30.0, "top_k": 5, "seed": 0}
    assert saved.results["screen_settings"] == {**saved.settings["stability"], "draws_used": 2000}
    kept = {c["id"]: c for c in saved.screen}
    assert {k: (c["rank_interval"], c["top_k_probability"]) for k, c in kept.items()} == {
        k: (c["rank_interval"], c["top_k_probability"]) for k, c in shown.items()
    }
    code, out, _ = run(capsys, "runs", "rerun", "seen")
    assert code == 0 and "same result" in out


def test_by_default_the_allocation_screens_as_the_screen_command_does():
    from screening.screen import run_screen

    reference = bundled_reference()
    universe, mandate = load_candidates(None, reference), load_mandate(None, reference)
    behind = run_allocation(universe, mandate, reference, frontier_points=0, with_comparison=False).screen
    alone = run_screen(universe, mandate, reference)
    assert behind.settings == alone.settings and behind.settings.draws == 10_000
    pd.testing.assert_frame_equal(behind.table, alone.table)


def test_the_comparison_speaks_the_vocabulary(capsys, tmp_path):
    """(a) no key or JSON path without its label; (b) money in whole pounds with a plain sign;
    (c) each figure formatted as `show` formats it."""
    from impact_screen.runs_compare import change_words, comparison_text
    from screening.vocabulary import figure, label, show

    mandate = mandate_file(tmp_path, "max_candidate_share = 0.15", "max_candidate_share = 0.12")
    assert run(capsys, "allocate", *FAST, "--save", "x")[0] == 0
    assert run(capsys, "allocate", *FAST, "--mandate", str(mandate), "--save", "y")[0] == 0
    diff = compare(load_run("x", OFFICER), load_run("y", OFFICER))
    for_people, for_cli = comparison_text(diff, keys=False), comparison_text(diff)
    rows = diff["mandate"] + diff["allocation"] + diff["outcomes"]
    assert rows and diff["mandate"][0]["label"] == label("max_candidate_share")
    for row in rows:
        assert f"({row['key']})" not in for_people
        assert f"{row['label']} ({row['key']})" in for_cli
    assert not re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z_]+\.[a-z_]+\b", for_people)
    assert "->" not in for_cli and " £)" not in for_cli
    volatility = next(r for r in diff["outcomes"] if r["key"] == "portfolio.volatility")
    assert volatility["before"] == show("volatility", volatility["a"])
    assert volatility["after"] == show("volatility", volatility["b"])
    assert (
        f"Volatility: {show('volatility', volatility['a'])} → {show('volatility', volatility['b'])}"
        in for_people
    )
    amount = figure("amount_gbp")
    assert change_words(amount, 12_000_000, 11_999_997) == "£3 less"
    assert change_words(amount, 11_999_997, 12_000_000) == "£3 more"


def test_runs_side_by_side_in_the_vocabulary_with_small_money_differences_unchanged(capsys, tmp_path):
    """A run against a copy whose holdings differ by a few pounds: no holding and no money figure
    reads as changed; against a tighter cap, the holdings that moved are in £m by name, and the
    workbook holds the same three tables."""
    from openpyxl import load_workbook

    from impact_screen.runs_compare import holdings_chart, side_by_side

    mandate = mandate_file(tmp_path, "max_candidate_share = 0.15", "max_candidate_share = 0.12")
    assert run(capsys, "allocate", *FAST, "--save", "wide")[0] == 0
    assert run(capsys, "allocate", *FAST, "--mandate", str(mandate), "--save", "tight")[0] == 0
    wide = load_run("wide", OFFICER)
    nudged = json.loads(json.dumps(wide.results))
    nudged["allocations"][0]["amount_gbp"] += 3
    nudged["allocations"][1]["amount_gbp"] -= 3
    nudged["portfolio"]["local_spend_retained_gbp"] += 400
    same = compare(wide, replace(wide, name="nudged", results=nudged))
    assert same["allocation"] == [] and same["outcomes"] == []
    diff = compare(wide, load_run("tight", OFFICER))
    sections = {s.title: s.rows for s in side_by_side(diff)}
    assert sections["Mandate"] == [("Largest share in one candidate", "15.0%", "12.0%")]
    holding = sections["Holdings"][0]
    assert " in Preston" in holding[0] and re.fullmatch(r"£\d+(\.\d)?m", holding[1])
    chart = holdings_chart(diff)
    assert chart is not None and set(chart.series) == {"wide", "tight"}
    out = tmp_path / "side.xlsx"
    code, text, _ = run(capsys, "runs", "compare", "wide", "tight", "--xlsx", str(out))
    assert code == 0 and "side by side" in text
    book = load_workbook(out)
    assert book.sheetnames == ["Mandate", "Holdings", "Outcomes"]
    assert [c.value for c in book["Mandate"][3]] == [None, "wide", "tight"]
    assert [c.value for c in book["Mandate"][4]] == list(sections["Mandate"][0])


def test_publish_unpublish_and_the_audit_trail_from_the_command_line(capsys):
    assert run(capsys, "allocate", *FAST, "--save", "committee March, 8% volatility")[0] == 0
    code, out, _ = run(capsys, "runs", "publish", "committee March, 8% volatility")
    assert code == 0 and "Published run 'committee March, 8% volatility'" in out
    code, out, _ = run(capsys, "runs", "list")
    assert OFFICER.identity in out and "yes" in out  # saved by, published
    code, out, _ = run(capsys, "runs", "unpublish", "committee March, 8% volatility")
    assert code == 0 and "no longer published" in out
    code, out, err = run(capsys, "runs", "publish", "nope")
    assert code == 2 and "no saved run named 'nope'" in err
    code, out, _ = run(capsys, "runs", "audit", "--json", "-")
    trail = json.loads(out)
    assert [(e["actor"], e["role"], e["action"]) for e in trail] == [
        (OFFICER.identity, "officer", action) for action in ("saved", "published", "unpublished")
    ]
    code, out, _ = run(capsys, "runs", "audit")
    assert code == 0 and "3 change(s)" in out and "fund officer" in out and "unpublished" in out
    code, out, _ = run(capsys, "runs", "show", "committee March, 8% volatility")
    assert f"Saved by {OFFICER.identity}" in out and "Last change: unpublished by" in out
    code, out, _ = run(capsys, "runs", "show", "committee March, 8% volatility", "--json", "-")
    shown = json.loads(out)
    assert shown["author"] == OFFICER.identity and shown["published_at"] is None
    assert [e["action"] for e in shown["history"]] == ["saved", "published", "unpublished"]
