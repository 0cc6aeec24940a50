"""`impact-screen pacing`: the plan as JSON (the public keys), exit codes, and the same plan the
allocate JSON carries."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from callers import OFFICER

from impact_screen import cli
from screening.reading import bundled

YEAR_KEYS = {"year", "commitments_gbp", "calls_gbp", "distributions_gbp", "nav_gbp", "net_cash_flow_gbp"}


def _mandate(tmp_path: Path, old: str, new: str) -> Path:
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mandate.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _pacing(capsys, *args: str) -> tuple[int, dict, str, str]:
    code = cli.main(["pacing", "--json", "-", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), out, err


def test_the_default_plan_puts_the_target_to_work_by_the_target_year(capsys, allocate_json) -> None:
    code, plan, _, _ = _pacing(capsys)
    assert code == 0
    assert (plan["status"], plan["target_gbp"], plan["target_year"]) == ("optimal", 100_000_000.0, 2031)
    assert [y["year"] for y in plan["years"]] == list(range(2027, 2037))
    assert all(set(y) >= YEAR_KEYS for y in plan["years"])
    at_target = next(y for y in plan["years"] if y["year"] == 2031)
    assert at_target["nav_gbp"] >= 100_000_000 * (1 - 1e-6)
    assert max(y["commitments_gbp"] for y in plan["years"]) <= 40_000_000 + 1
    assert plan == allocate_json["pacing"]  # the same plan, whichever command made it


def test_the_text_tells_the_plan_in_words(capsys) -> None:
    assert cli.main(["pacing"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("To have £100m at work by the end of 2031, held to 2036, commit £")
    assert "Value at work" in out and "Private equity" in out
    assert "_gbp" not in out


def test_limits_that_stop_the_plan_exit_3_and_say_by_how_much(tmp_path, capsys) -> None:
    mandate = _mandate(
        tmp_path, "max_yearly_commitment_gbp = 40_000_000", "max_yearly_commitment_gbp = 20_000_000"
    )
    code, plan, _, _ = _pacing(capsys, "--mandate", str(mandate))
    assert code == 3 and plan["status"] == "infeasible"
    limits = {d["limit"]: d for d in plan["diagnosis"]}
    assert limits["pacing.max_yearly_commitment_gbp"]["needed"] > 20_000_000
    assert (
        "Most committed in one year (pacing.max_yearly_commitment_gbp) would have to be £"
        in (limits["pacing.max_yearly_commitment_gbp"]["message"])
    )


def test_a_mandate_without_a_plan_is_told_what_to_add(tmp_path, capsys) -> None:
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    path = tmp_path / "mandate.toml"
    path.write_text(text[: text.index("[pacing]")], encoding="utf-8")
    assert cli.main(["pacing", "--mandate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "mandate.toml: key 'pacing': is not set: add a [pacing] table with start_year and target_year" in err
    )


def test_a_schedule_of_ones_own_is_projected(tmp_path, capsys) -> None:
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(
        "year,commitments_gbp\n2027,40000000\n2028,40000000\n2029,40000000\n", encoding="utf-8"
    )
    code, plan, _, _ = _pacing(capsys, "--commitments", str(schedule))
    assert code == 0 and plan["status"] == "schedule"
    assert [y["commitments_gbp"] for y in plan["years"][:4]] == [
        40_000_000.0,
        40_000_000.0,
        40_000_000.0,
        0.0,
    ]
    assert plan["total_commitments_gbp"] == 120_000_000.0


def test_a_broken_pacing_file_is_reported_by_line(tmp_path, capsys) -> None:
    broken = tmp_path / "pacing.csv"
    text = bundled.bundled(bundled.PACING_ASSUMPTIONS).read_text(encoding="utf-8")
    broken.write_text(text.replace("private_debt,0.40", "private_debt,40"), encoding="utf-8")
    assert cli.main(["pacing", "--pacing-assumptions", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "pacing.csv:3: column 'call_rate_year1':" in err
    assert "Traceback" not in err


def test_allocate_tells_the_plan_in_one_sentence(capsys) -> None:
    assert cli.main(["allocate", "--frontier-points", "0"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the sentence is wrapped at 100 characters
    assert "To have £100m at work by the end of 2031, held to 2036, commit £35.1m in 2027" in out
    assert "The plan year by year: impact-screen pacing." in out


def test_two_runs_compare_by_their_commitment_plans(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("IMPACT_SCREEN_DB", str(tmp_path / "runs.sqlite3"))
    later = _mandate(tmp_path, "target_year = 2031", "target_year = 2032")
    assert cli.main(["allocate", "--frontier-points", "0", "--save", "by 2031"]) == 0
    assert cli.main(["allocate", "--frontier-points", "0", "--mandate", str(later), "--save", "by 2032"]) == 0
    capsys.readouterr()
    assert cli.main(["runs", "compare", "by 2031", "by 2032"]) == 0
    out = capsys.readouterr().out
    assert "Year the money must be at work (pacing.target_year): 2031 → 2032" in out
    assert "Commitment plan: at work from (pacing.reached_year): 2031 → 2032" in out
    assert (
        "Commitment plan: years when assets must be sold (pacing.years_needing_sales): 2029, 2030 → none"
        in out
    )


def test_a_run_saved_before_commitment_plans_reruns_the_same(tmp_path, monkeypatch, capsys) -> None:
    """An older run has no plan: its rerun makes one but still confirms the same allocation."""
    from impact_screen.store import RunStore

    monkeypatch.setenv("IMPACT_SCREEN_DB", str(tmp_path / "runs.sqlite3"))
    assert cli.main(["allocate", "--frontier-points", "0", "--save", "old"]) == 0
    store = RunStore(caller=OFFICER)
    saved = store.load("old")
    older = {k: v for k, v in saved.results.items() if k != "pacing"}
    store.save(replace(saved, results=older), overwrite=True)
    capsys.readouterr()
    assert cli.main(["runs", "rerun", "old"]) == 0
    out, err = capsys.readouterr()
    assert "same result" in out
    assert "note: the run was saved before commitment plans were made" in err
