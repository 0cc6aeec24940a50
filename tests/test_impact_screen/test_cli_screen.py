"""`impact-screen screen`: the JSON contract, uploads and mandates that change it, failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from impact_screen import cli
from screening.reading import bundled

PILLAR_KEYS = {"financial", "local_economy", "social"}
REQUIRED_KEYS = {
    "id",
    "eligible",
    "reasons",
    "score",
    "pillars",
    "rank",
    "missing",
    "contributions",
    "rank_interval",
}
FAST = ["--draws", "500"]


def screen(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["screen", *FAST, *args])
    out, err = capsys.readouterr()
    return code, out, err


def screen_json(capsys, tmp_path: Path, *args: str) -> dict:
    target = tmp_path / "screen.json"
    code, _, err = screen(capsys, "--json", str(target), *args)
    assert code == 0, err
    return json.loads(target.read_text(encoding="utf-8"))


def by_id(document: dict) -> dict[str, dict]:
    return {entry["id"]: entry for entry in document["candidates"]}


def test_bundled_screen_writes_the_json_contract(capsys, tmp_path):
    target = tmp_path / "out" / "screen.json"  # the folder is created
    code, out, err = screen(capsys, "--json", str(target))
    assert code == 0
    assert err == ""
    assert out.startswith("18 of 48 candidates are eligible for Preston, South Ribble.")
    document = json.loads(target.read_text(encoding="utf-8"))
    candidates = document["candidates"]
    assert len(candidates) == 48
    for entry in candidates:
        assert set(entry) >= REQUIRED_KEYS, entry["id"]
        assert set(entry["pillars"]) == PILLAR_KEYS
        assert all(0 <= v <= 100 for v in entry["pillars"].values())
        assert 0 <= entry["score"] <= 100
        assert sum(entry["contributions"].values()) == pytest.approx(entry["score"], abs=0.01)
        assert isinstance(entry["reasons"], list) and isinstance(entry["missing"], list)
        assert entry["eligible"] == (entry["reasons"] == [])
        if entry["eligible"]:
            low, high = entry["rank_interval"]
            assert 1 <= low <= high <= 18
        else:
            assert entry["rank"] is None
            assert entry["rank_interval"] is None
    ranks = sorted(e["rank"] for e in candidates if e["eligible"])
    assert ranks == list(range(1, 19))
    eligible = sorted((e for e in candidates if e["eligible"]), key=lambda e: e["rank"])
    assert [e["score"] for e in eligible] == sorted((e["score"] for e in eligible), reverse=True)
    assert eligible[0]["id"] == "PRE-003"
    assert document["eligible"] == 18
    assert document["rank_stability"]["draws"] == 500
    assert by_id(document)["BPL-003"]["missing"] == ["jobs_per_gbp_m", "local_spend_share"]
    assert by_id(document)["SRB-006"]["reasons"] == [
        "Lowest evidence quality (min_evidence_quality) is 2: its evidence quality is 1"
    ]
    assert not list(target.parent.glob(".*.tmp"))  # the temporary file was renamed into place


def test_an_uploaded_file_with_more_jobs_scores_higher(capsys, tmp_path, candidate_rows, write_csv):
    header = candidate_rows[0]
    jobs = header.index("jobs_per_gbp_m")
    row = next(r for r in candidate_rows if r[0] == "PRE-008")
    assert row[jobs] == "10"
    plain = by_id(screen_json(capsys, tmp_path))
    row[jobs] = "25"
    upload = write_csv(candidate_rows, name="more_jobs.csv")
    raised = by_id(screen_json(capsys, tmp_path, "--candidates", upload.name))
    # 15 more jobs per £1m are 60 points on the jobs scale: 60 / 4 in the local economy pillar,
    # times the evidence factor 0.75 (quality 3).
    assert raised["PRE-008"]["pillars"]["local_economy"] == pytest.approx(
        plain["PRE-008"]["pillars"]["local_economy"] + 60 / 4 * 0.75, abs=0.011
    )
    assert raised["PRE-008"]["score"] > plain["PRE-008"]["score"]
    assert raised["PRE-008"]["score"] == pytest.approx(plain["PRE-008"]["score"] + 0.3 * 15 * 0.75, abs=0.011)
    assert raised["PRE-003"]["score"] == plain["PRE-003"]["score"]  # fixed scales


def test_a_financial_only_mandate_ranks_by_the_financial_pillar(capsys, tmp_path):
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    text, count = re.subn(
        r"\[weights\].*\Z",
        "[weights]\nfinancial = 1.0\nlocal_economy = 0.0\nsocial = 0.0\n",
        text,
        flags=re.S,
    )
    assert count == 1
    mandate = tmp_path / "financial.toml"
    mandate.write_text(text, encoding="utf-8")
    document = screen_json(capsys, tmp_path, "--mandate", str(mandate))
    assert document["weights"] == {"financial": 1.0, "local_economy": 0.0, "social": 0.0}
    eligible = sorted((e for e in document["candidates"] if e["eligible"]), key=lambda e: e["rank"])
    financial = [e["pillars"]["financial"] for e in eligible]
    assert financial == sorted(financial, reverse=True)
    assert [e["score"] for e in eligible] == financial
    assert all(e["rank_interval"] == [e["rank"], e["rank"]] for e in eligible)
    assert all(e["top_k_probability"] == (1.0 if e["rank"] <= 10 else 0.0) for e in eligible)
    assert eligible[0]["id"] == "SRB-002"


def test_a_bad_candidate_file_exits_2_and_writes_no_json(capsys, tmp_path, candidate_rows, write_csv):
    candidate_rows[3][5] = "6.5"  # expected_return of line 4 typed as a whole-number percentage
    upload = write_csv(candidate_rows, name="bad.csv")
    target = tmp_path / "screen.json"
    code, out, err = screen(capsys, "--candidates", upload.name, "--json", str(target))
    assert code == 2
    assert out == ""
    assert err.splitlines()[0].startswith(
        f"{upload.name}:4: column 'expected_return': 6.5 looks like a percentage"
    )
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_json_to_stdout_prints_only_json(capsys):
    code, out, err = screen(capsys, "--json", "-", "--top-k", "3")
    assert code == 0
    assert err == ""
    document = json.loads(out)
    assert len(document["candidates"]) == 48
    assert document["rank_stability"]["top_k"] == 3
    assert "candidates are eligible" not in out


def test_without_json_the_table_is_printed(capsys, tmp_path):
    code, out, _ = screen(capsys, "--top-k", "5")
    assert code == 0
    lines = out.splitlines()
    assert "P(top 5)" in lines[2]
    assert lines[3].split()[:2] == ["1", "PRE-003"]
    assert "30 not eligible:" in out
    assert (
        "  SRB-006: Lowest evidence quality (min_evidence_quality) is 2: its evidence quality is 1" in lines
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flag", ["--top-k", "--draws"])
def test_a_count_below_1_is_invalid_input(capsys, flag):
    code, out, err = screen(capsys, flag, "0")
    assert code == 2
    assert out == ""
    assert f"{flag} must be at least 1" in err
