"""`impact-screen local-report`: the report as JSON (the allocate JSON's `local_investment`), its
text (the share of the fund against the target range, the peer beside the figures, the flags),
and the exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from impact_screen import cli
from screening.reading import bundled


def _mandate(tmp_path: Path, old: str, new: str) -> Path:
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mandate.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _report(capsys, *args: str) -> tuple[int, dict]:
    code = cli.main(["local-report", "--json", "-", *args])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_the_bundled_report_complies_and_is_the_allocate_jsons(capsys, allocate_json) -> None:
    code, report = _report(capsys)
    assert code == 0
    assert report == allocate_json["local_investment"]  # the same report, whichever command made it
    assert report["within_range"] is True
    assert report["share_of_fund"] == pytest.approx(
        sum(h["amount_gbp"] for h in allocate_json["allocations"]) / 7_000_000_000
    )


def test_the_text_sets_the_share_against_the_range_and_the_figures_beside_the_peer(capsys) -> None:
    assert cli.main(["local-report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Local investment report:\n£100m counts as local investment: 1.43% of the £7bn fund"
    )
    assert "within the target range of 1.00% to 5.00%\n(comply)" in out or (
        "within the target range of 1.00% to 5.00% (comply)" in " ".join(out.split())
    )
    kpis = re.search(r"^ *Jobs supported \(gross\) +(\S+) +(\S+)$", out, re.M)
    assert kpis is not None and kpis.group(2) == "18,300"  # the peer's, beside this allocation's
    assert re.search(r"^ *Homes \(all kinds\) +- +4,395$", out, re.M)
    assert re.search(r"^ *Jobs supported per £1m \(gross\) +\S+ +13\.5$", out, re.M)
    assert "Greater Manchester Pension Fund's local portfolio (2025)" in out
    assert "Source: The Good Economy's review" in " ".join(out.split())
    assert "Money counted as local investment, by district:" in out and "South Ribble" in out
    assert re.search(r"^ *Lancashire +Combined authority +£100m +100\.0%$", out, re.M)
    assert "Holdings in SME finance (holdings, not firms)" in out
    assert "No candidate claims jobs or homes per £1m more than 3 times the peer's." in out
    assert "_gbp" not in out and "local_investment" not in out


def test_a_range_the_share_misses_is_reported_to_explain(tmp_path, capsys) -> None:
    mandate = _mandate(tmp_path, "target_min_share = 0.01", "target_min_share = 0.02")
    code, report = _report(capsys, "--mandate", str(mandate))
    assert code == 0  # a report was made: outside the range is for the committee to explain
    assert report["within_range"] is False and report["target_range"] == {"min": 0.02, "max": 0.05}
    assert cli.main(["local-report", "--mandate", str(mandate)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "below the target range of 2.00% to 5.00%: the committee explains why (comply or explain)" in text
    assert "Within the target range no: explain" in text


def test_a_claim_far_above_the_peer_is_flagged(tmp_path, capsys) -> None:
    rows = list(csv.reader(io.StringIO(bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8"))))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == "MAN-002":  # not in the mandate's places, so never held: flagged all the same
            row[header.index("jobs_per_gbp_m")] = "60"
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    code, report = _report(capsys, "--candidates", str(path))
    assert code == 0
    assert [(f["id"], f["figure"], f["claimed"]) for f in report["flags"]] == [
        ("MAN-002", "jobs_per_gbp_m", 60.0)
    ]
    assert report["flags"][0]["times"] == pytest.approx(60 / (18_300 / 1_360), abs=1e-3)
    assert cli.main(["local-report", "--candidates", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Claims more than 3 times the peer's, per £1m:" in out
    assert re.search(r"MAN-002 .* Jobs supported +60\.0 +13\.5 +4\.5 times", out)
    assert "1 candidate claims jobs or homes per £1m more than 3 times the peer's" in out


def test_a_mandate_without_the_table_is_told_what_to_add(tmp_path, capsys) -> None:
    text = bundled.bundled(bundled.MANDATE).read_text(encoding="utf-8")
    path = tmp_path / "mandate.toml"
    path.write_text(text[: text.index("[local_investment]")], encoding="utf-8")
    assert cli.main(["local-report", "--mandate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        "mandate.toml: key 'local_investment': is not set: add a [local_investment] table with "
        "target_min_share and target_max_share" in err
    )
    assert cli.main(["local-report", "--candidates", str(tmp_path / "missing.csv")]) == 2


def test_no_allocation_exits_3_with_nothing_counted_and_the_flags(tmp_path, capsys) -> None:
    mandate = _mandate(tmp_path, "max_volatility = 0.10", "max_volatility = 0.01")
    code, report = _report(capsys, "--mandate", str(mandate))
    assert code == 3
    assert report["status"] == "no_allocation"
    assert (report["share_of_fund"], report["within_range"], report["counted_gbp"]) == (None, None, 0.0)
    assert report["by_district"] == [] and report["flags"] == [] and report["peer"]["jobs"] == 18_300
    assert cli.main(["local-report", "--mandate", str(mandate)]) == 3
    assert "No allocation meets the mandate, so nothing counts as local investment" in (
        capsys.readouterr().out
    )
