"""The allocate JSON is the `RunResult` model's serialisation, and docs/run-result.schema.json is
the model's schema: both fail here the moment they drift apart."""

from __future__ import annotations

import json

import jsonschema
import pytest
from comparison_helpers import MANDATE, REFERENCE, UNIVERSE, default_run

from portfolio.report import run_result
from portfolio.result import RunResult
from portfolio.result_schema import SCHEMA_FILE, schema_text
from portfolio.run import run_allocation


def test_the_schema_file_is_the_models_schema() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/run-result.schema.json is stale: run `python -m portfolio.result_schema`"
    )


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def infeasible() -> RunResult:
    mandate = MANDATE.model_copy(update={"max_volatility": 0.01})
    run = run_allocation(UNIVERSE, mandate, REFERENCE, frontier_points=0)
    return run_result(run, UNIVERSE, mandate, REFERENCE)


def test_a_feasible_runs_json_meets_the_schema_and_reads_back_the_same() -> None:
    result = run_result(default_run(), UNIVERSE, MANDATE, REFERENCE)
    document = json.loads(json.dumps(result.to_json()))
    assert list(_validator().iter_errors(document)) == []
    assert RunResult.model_validate(document) == result
    assert document["benchmarks"]["uk"]["expected_return"] == result.benchmarks.uk.expected_return


def test_an_infeasible_runs_json_leaves_the_comparison_out(infeasible: RunResult) -> None:
    document = json.loads(json.dumps(infeasible.to_json()))
    assert list(_validator().iter_errors(document)) == []
    assert document["status"] == "infeasible"
    assert {"benchmarks", "fiduciary", "stress", "projection", "summary"}.isdisjoint(document)
    assert document["diagnosis"] and document["allocations"] == []


def test_the_schema_refuses_a_document_with_a_misspelt_key() -> None:
    document = run_result(default_run(), UNIVERSE, MANDATE, REFERENCE).to_json()
    document["portfolio"]["expected_retrun"] = 0.05
    assert list(_validator().iter_errors(document)), "an unknown key must not pass the schema"
