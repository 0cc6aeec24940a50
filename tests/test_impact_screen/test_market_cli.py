"""`impact-screen assumptions`: exit codes, the table, the JSON keys, warnings on stderr.
yfinance.download is always replaced: by a function that fails the test, or by a fake."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yfinance
from market_fakes import REFERENCE, TICKERS, good_frame, refuse_download

from impact_screen import cli

ROW_KEYS = {"asset_class", "expected_return", "volatility", "proxy"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch, tmp_path):
    """No test may reach Yahoo; every test gets its own empty cache folder."""
    monkeypatch.setattr(yfinance, "download", refuse_download)
    monkeypatch.setenv("IMPACT_SCREEN_CACHE", str(tmp_path / "cache"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["assumptions", *args])
    out, err = capsys.readouterr()
    return code, out, err


def document(capsys, *args: str) -> tuple[int, dict, str]:
    code, out, err = run(capsys, *args, "--json", "-")
    return code, json.loads(out), err


def fake_yahoo(monkeypatch, answer: object) -> None:
    """yfinance.download answers `answer` (a frame) or raises it (an exception)."""

    def download(tickers, **kwargs):
        if isinstance(answer, BaseException):
            raise answer
        return answer

    monkeypatch.setattr(yfinance, "download", download)


def test_without_cache_or_refresh_the_bundled_table_is_printed_and_exit_is_0(capsys):
    code, out, err = run(capsys)
    assert code == 0
    for asset_class in REFERENCE.asset_classes:
        assert asset_class in out
    assert "expected return" in out and "volatility" in out and "proxy" in out and "source" in out
    assert "ISF.L" in out and "16.0%" in out
    assert err.startswith("warning: market data: there is no market data cache yet")


def test_json_holds_source_as_of_asset_classes_and_warnings(capsys, tmp_path):
    out_file = tmp_path / "out" / "assumptions.json"
    code, out, _ = run(capsys, "--json", str(out_file))
    assert code == 0 and "uk_equity" in out
    written = json.loads(out_file.read_text(encoding="utf-8"))
    assert {"source", "as_of", "asset_classes", "warnings"} <= set(written)
    assert written["source"] == "bundled" and written["as_of"] == "2026-11-22"
    assert [r["asset_class"] for r in written["asset_classes"]] == REFERENCE.asset_classes
    assert all(set(r) >= ROW_KEYS for r in written["asset_classes"])
    assert written["asset_classes"][0]["proxy"] == "ISF.L"
    assert written["warnings"] and "bundled" in written["warnings"][0]


def test_refresh_with_live_data_reports_live_and_caches_it(capsys, monkeypatch):
    fake_yahoo(monkeypatch, good_frame())
    code, doc, err = document(capsys, "--refresh")
    assert code == 0 and err == ""
    assert doc["source"] == "live" and doc["as_of"] == "2025-11-21"
    assert doc["warnings"] == []
    rows = {r["asset_class"]: r for r in doc["asset_classes"]}
    assert rows["uk_equity"]["volatility"] != REFERENCE.assumptions.at["uk_equity", "volatility"]
    assert rows["uk_equity"]["expected_return"] == REFERENCE.assumptions.at["uk_equity", "expected_return"]
    assert rows["private_debt"]["proxy"] is None and rows["private_debt"]["volatility_source"] == "bundled"
    assert doc["correlations"]["source"] == "live"
    monkeypatch.setattr(yfinance, "download", refuse_download)
    code, doc, _ = document(capsys)
    assert code == 0 and doc["source"] == "cache" and doc["as_of"] == "2025-11-21"
    code, out, _ = run(capsys)
    assert "cached market data as of 2025-11-21" in out


@pytest.mark.parametrize("answer", [ConnectionError("offline"), pd.DataFrame()])
def test_refresh_that_fails_exits_0_with_bundled_figures_and_a_warning(capsys, monkeypatch, answer):
    fake_yahoo(monkeypatch, answer)
    code, doc, err = document(capsys, "--refresh")
    assert code == 0
    assert doc["source"] == "bundled"
    assert len(doc["asset_classes"]) == len(REFERENCE.asset_classes)
    assert "warning: market data: the download failed" in err
    assert doc["warnings"] and "the download failed" in doc["warnings"][0]


def test_a_stale_cache_is_refused_unless_max_age_allows_it(capsys, monkeypatch):
    fake_yahoo(monkeypatch, good_frame())
    assert document(capsys, "--refresh")[1]["source"] == "live"
    assert document(capsys, "--max-age-days", "0")[1]["source"] == "bundled"
    assert document(capsys, "--max-age-days", "1")[1]["source"] == "cache"


def test_json_to_stdout_is_only_json(capsys):
    code, out, _ = run(capsys, "--json", "-")
    assert code == 0
    assert json.loads(out)["source"] == "bundled"


@pytest.mark.parametrize("days", ["-1", "nan"])
def test_a_negative_max_age_is_invalid_input(capsys, days):
    code, out, err = run(capsys, "--max-age-days", days)
    assert code == 2 and out == ""
    assert "--max-age-days must be 0 or more" in err


def test_a_users_broken_proxies_file_is_invalid_input_with_its_line(capsys, tmp_path):
    path = tmp_path / "proxies.csv"
    path.write_text("asset_class,ticker,currency\nuk_equity,ISF.L,GBp\nplanets,X.L,GBp\n", encoding="utf-8")
    code, _, err = run(capsys, "--proxies", str(path))
    assert code == 2
    assert f"{path}:3: column 'asset_class': 'planets' is not a known asset class" in err
    code, _, err = run(capsys, "--proxies", str(tmp_path / "missing.csv"))
    assert code == 2 and "file not found" in err


def test_a_users_proxies_file_is_used(capsys, tmp_path, monkeypatch):
    path = tmp_path / "proxies.csv"
    path.write_text("asset_class,ticker,currency\nuk_equity,ISF.L,GBp\ngilts,IGLT.L,GBp\n", encoding="utf-8")
    frame = good_frame()
    keep = [t for t in TICKERS if t in ("ISF.L", "IGLT.L")]
    fake_yahoo(monkeypatch, frame.loc[:, frame.columns.get_level_values("Ticker").isin(keep)])
    code, doc, _ = document(capsys, "--refresh", "--proxies", str(path))
    assert code == 0 and doc["source"] == "live"
    sources = {r["asset_class"]: r["volatility_source"] for r in doc["asset_classes"]}
    assert sources["uk_equity"] == "live" and sources["property"] == "bundled"
    assert next(r for r in doc["asset_classes"] if r["asset_class"] == "property")["proxy"] is None
