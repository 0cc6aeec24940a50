"""Extreme values for every numeric mandate key: `validate` and `allocate` must agree.

Why: the mandate is checked once by pydantic, but its numbers then flow into scores, solver
bounds, big-M constants and reports. A value the checker lets through (1e300, 1e-300, 10**30,
`inf`, a weight of 1e308 that overflows when the weights are added up) can still break the
solve; a value it refuses must be refused the same way by every command. For each case the
bundled mandate is changed in one key and run through `validate` and through
`allocate --no-comparison --frontier-points 0` over 12 bundled candidates:

- validate exit 0 => allocate exit 0 (amounts finite, adding up to the target) or exit 3
  (infeasible, with a diagnosis);
- validate exit 2 => allocate exit 2; both name the mandate file (FILE:LINE or FILE:);
- neither ever exits 1.

TOML has `inf`, `-inf` and `nan` float literals and arbitrarily large integers, so all of these
are values a committee's file can really hold.
"""

from __future__ import annotations

import json
import math

import pytest
from robustness_helpers import (
    FAST_ALLOCATE,
    SMALL_IDS,
    Outcome,
    assert_allocation_sound,
    assert_no_crash,
    assert_refused,
    bundled_mandate,
    bundled_rows,
    run,
    write_candidates,
    write_mandate,
)

from screening.metrics import BY_NAME

KEYS = [
    "target_gbp",
    "fund_size_gbp",
    "max_volatility",
    "min_expected_return",
    "max_candidate_share",
    "min_candidate_return",
    "max_candidate_volatility",
    "min_evidence_quality",
    "max_lockup_years",
    "min_impact_score",
    "max_illiquid_share",
    "min_holdings",
    "impact_weight",
    "risk_aversion",
    "tolerance_bp",
    "local_plan_share",
    "sector_caps.affordable_housing",
    "asset_class_caps.social_housing",
    "weights.financial",
    "weights.local_economy",
    "weights.social",
    "metric_weights.jobs_per_gbp_m",
]

VALUES = {
    "1e300": 1e300,
    "-1e300": -1e300,
    "1e-300": 1e-300,
    "0": 0,
    "10**30": 10**30,
    "-1": -1,
    "inf": math.inf,
    "-inf": -math.inf,
    "nan": math.nan,
    # strings: refused by every key that is not a share; shares read "8%" and must refuse these
    "'inf'": "inf",
    "'nan%'": "nan%",
    "'1e300%'": "1e300%",
}


def with_key(document: dict, dotted: str, value: object) -> dict:
    """The document with `dotted` ('weights.social') set to value."""
    *tables, key = dotted.split(".")
    target = document
    for table in tables:
        target = target.setdefault(table, {})
    target[key] = value
    return document


def check_agreement(tmp_path, mandate_path) -> tuple[Outcome, Outcome]:
    """validate and allocate on the small universe; they must agree (see the module docstring)."""
    candidates = tmp_path / "candidates.csv"
    if not candidates.exists():
        write_candidates(tmp_path, bundled_rows(SMALL_IDS))
    checked = run("validate", "--candidates", candidates, "--mandate", mandate_path)
    assert_no_crash(checked)
    document = tmp_path / "allocation.json"
    document.unlink(missing_ok=True)
    allocated = run(
        "allocate", "--candidates", candidates, "--mandate", mandate_path, *FAST_ALLOCATE, "--json", document
    )
    assert_no_crash(allocated)
    if checked.code == 0:
        assert allocated.code in (0, 3), (
            f"validate accepted the mandate but allocate did not{allocated.describe()}"
        )
        assert_allocation_sound(allocated, document)
    else:
        assert checked.code == 2, checked.describe()
        assert_refused(checked, mandate_path)
        assert allocated.code == 2, f"validate refused the mandate but allocate did not{allocated.describe()}"
        assert_refused(allocated, mandate_path)
    return checked, allocated


# keys that are shares or rates, which also accept strings such as "8%"
SHARE_KEYS = {
    "max_volatility",
    "min_expected_return",
    "max_candidate_share",
    "min_candidate_return",
    "max_candidate_volatility",
    "max_illiquid_share",
    "local_plan_share",
    "sector_caps.affordable_housing",
    "asset_class_caps.social_housing",
}
CASES = [(k, v) for k in KEYS for v in VALUES if k in SHARE_KEYS or not v.startswith("'")]


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{k}={v}" for k, v in CASES])
def test_extreme_value_validate_and_allocate_agree(tmp_path, key, value):
    document = with_key(bundled_mandate(), key, VALUES[value])
    check_agreement(tmp_path, write_mandate(tmp_path, document))


@pytest.mark.parametrize("value", ["1e300", "1e-300", "10**30", "inf"])
def test_extreme_target_without_a_fund_size(tmp_path, value):
    """The bundled fund size (£7bn) refuses a huge target; without it the target stands alone."""
    document = with_key(bundled_mandate(), "target_gbp", VALUES[value])
    del document["fund_size_gbp"]
    check_agreement(tmp_path, write_mandate(tmp_path, document))


def screen_scores(tmp_path, document: dict, name: str) -> dict[str, float | None]:
    """Each candidate's score from `screen --json` under the mandate `document`."""
    mandate = write_mandate(tmp_path, document, name)
    out = tmp_path / f"{name}.json"
    outcome = run(
        "screen",
        "--candidates",
        tmp_path / "candidates.csv",
        "--mandate",
        mandate,
        "--draws",
        "50",
        "--json",
        out,
    )
    assert outcome.code == 0, outcome.describe()
    return {c["id"]: c["score"] for c in json.loads(out.read_text(encoding="utf-8"))["candidates"]}


@pytest.mark.parametrize("value", ["1e308", "1e300", "1.7e308"])
def test_every_pillar_weight_huge(tmp_path, value):
    """Each weight is finite but their sum is not (3 x 1e308 overflows). If accepted, equal
    weights of 1e308 are equal weights: the scores must be those of weights 1, 1, 1."""
    document = bundled_mandate()
    document["weights"] = dict.fromkeys(("financial", "local_economy", "social"), float(value))
    checked, _ = check_agreement(tmp_path, write_mandate(tmp_path, document))
    if checked.code == 0:
        equal = {**document, "weights": dict.fromkeys(("financial", "local_economy", "social"), 1.0)}
        assert screen_scores(tmp_path, document, "huge") == screen_scores(tmp_path, equal, "ones")


@pytest.mark.parametrize("value", [1e308, 1e-300])
def test_every_metric_weight_extreme(tmp_path, value):
    """Equal metric weights, however large or small, score as the default weights (all 1)."""
    document = bundled_mandate()
    document["metric_weights"] = dict.fromkeys(BY_NAME, value)
    checked, _ = check_agreement(tmp_path, write_mandate(tmp_path, document))
    if checked.code == 0:
        default = {k: v for k, v in document.items() if k != "metric_weights"}
        assert screen_scores(tmp_path, document, "extreme") == screen_scores(tmp_path, default, "default")


@pytest.mark.parametrize("impact_weight", [math.inf, 1e300, 0.0])
@pytest.mark.parametrize("risk_aversion", [math.inf, 1e300, 0.0])
def test_blended_objective_with_extreme_terms(tmp_path, impact_weight, risk_aversion):
    document = bundled_mandate()
    document.update(objective="blended", impact_weight=impact_weight, risk_aversion=risk_aversion)
    check_agreement(tmp_path, write_mandate(tmp_path, document))


@pytest.mark.parametrize("tolerance", [math.inf, 1e300])
def test_tolerance_bp_extreme_with_the_comparison(tmp_path, tolerance):
    """tolerance_bp is used by the fiduciary test, which only runs with the comparison: this one
    case runs allocate in full (no --no-comparison) as well."""
    document = with_key(bundled_mandate(), "tolerance_bp", tolerance)
    mandate = write_mandate(tmp_path, document)
    checked, _ = check_agreement(tmp_path, mandate)
    full = run(
        "allocate",
        "--candidates",
        tmp_path / "candidates.csv",
        "--mandate",
        mandate,
        "--frontier-points",
        "0",
        "--draws",
        "100",
    )
    assert_no_crash(full)
    assert full.code in {0: (0, 3), 2: (2,)}[checked.code], full.describe()


def test_target_with_pennies_is_refused_by_validate_and_allocate(tmp_path):
    """Amounts are whole pounds, so £123,456,789.50 cannot be placed exactly: both commands refuse
    it on its line (it used to be placed as £123,456,790 in silence)."""
    document = with_key(bundled_mandate(), "target_gbp", 123_456_789.50)
    mandate = write_mandate(tmp_path, document)
    checked, allocated = check_agreement(tmp_path, mandate)
    for outcome in (checked, allocated):
        (line,) = assert_refused(outcome, mandate, field="target_gbp")
        assert "has pennies, but amounts are placed in whole pounds" in line


def test_more_holdings_than_candidates_is_infeasible_with_a_diagnosis(tmp_path):
    """The exit-3 path itself: validate 0, allocate 3 with a diagnosis naming min_holdings."""
    mandate = write_mandate(tmp_path, with_key(bundled_mandate(), "min_holdings", 40))
    checked, allocated = check_agreement(tmp_path, mandate)
    assert (checked.code, allocated.code) == (0, 3), allocated.describe()
    assert "min_holdings" in allocated.out, allocated.describe()
