"""`impact-screen validate`: exit codes, the one-line-per-problem contract, never a traceback."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from impact_screen import cli
from impact_screen import inputs as inputs_module
from screening.reading import bundled

CONTRACT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (warning: )?(column|key) '(?P<name>[^']+)': .+$")


def bundled_lines() -> list[str]:
    return bundled.bundled(bundled.CANDIDATES).read_text(encoding="utf-8").splitlines()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_inputs_are_valid_and_summarised(capsys):
    code, out, err = run(capsys)
    assert code == 0
    assert "48 candidates in 12 places" in out
    assert "19 in Preston and South Ribble" in out
    assert "target £100m of a £7bn fund (1.43%)" in out
    assert "illustrative" in out
    assert err == ""


def test_bad_candidate_cell_exits_2_with_file_line_and_column(tmp_path, capsys):
    lines = bundled_lines()
    cells = lines[3].split(",")
    cells[5] = "6.5"
    lines[3] = ",".join(cells)
    path = write(tmp_path, "cands.csv", "\n".join(lines))
    code, out, err = run(capsys, "--candidates", str(path))
    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:4: column 'expected_return': 6.5 looks like a percentage")
    assert CONTRACT.match(first)


def test_problems_in_every_file_are_reported_in_one_run(tmp_path, capsys):
    lines = bundled_lines()
    lines[1] = lines[1].replace("E07000123", "E99999999", 1)
    candidates = write(tmp_path, "c.csv", "\n".join(lines))
    mandate = write(tmp_path, "m.toml", 'target_gbp = 1e8\nplaces = ["E07000123"]\nmax_volatilty = 0.1\n')
    covariance = write(tmp_path, "cov.csv", "id,a\na,-1\n")
    code, _, err = run(
        capsys, "--candidates", str(candidates), "--mandate", str(mandate), "--covariance", str(covariance)
    )
    assert code == 2
    assert f"{candidates}:2: column 'local_authority': 'E99999999'" in err
    assert f"{mandate}:3: key 'max_volatilty': is not a mandate key" in err
    assert "did you mean 'max_volatility'" in err
    assert f"{covariance}:2: column 'a': variance -1 is negative" in err


def test_missing_file_is_a_clear_message(tmp_path, capsys):
    code, _, err = run(capsys, "--candidates", str(tmp_path / "nope.csv"))
    assert code == 2
    assert err.splitlines()[0] == f"{tmp_path / 'nope.csv'}: file not found"


def test_mandate_warning_for_a_sector_nobody_has_still_exits_0(tmp_path, capsys):
    mandate = write(
        tmp_path, "m.toml", 'target_gbp = 1e8\nplaces = ["E07000123"]\n[sector_caps]\nhousing = 0.3\n'
    )
    code, out, err = run(capsys, "--mandate", str(mandate))
    assert code == 0
    assert f"{mandate}:4: warning: key 'sector_caps.housing': no candidate has sector 'housing'" in err
    assert "All inputs are valid." in out


def test_unexpected_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    def boom(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(inputs_module, "load_mandate", boom)
    monkeypatch.delenv("IMPACT_SCREEN_DEBUG", raising=False)
    code, _, err = run(capsys)
    assert code == 1
    assert err.strip() == (
        "impact-screen: internal error: RuntimeError: disk on fire (set IMPACT_SCREEN_DEBUG=1 to see the details)"
    )


@pytest.mark.parametrize(
    "content", [b"", b"\x00\x01\x02\x03", b"\xd0\xcf\x11\xe0rest", b"PK\x03\x04broken zip"]
)
def test_installed_command_never_prints_a_traceback(tmp_path, content):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    script = Path(sys.executable).parent / "impact-screen"
    result = subprocess.run(
        [str(script), "validate", "--candidates", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(str(path))


def test_allocate_without_comparison_writes_the_allocation_only(tmp_path, capsys):
    out = tmp_path / "a.json"
    code = cli.main(["allocate", "--json", str(out), "--frontier-points", "0", "--no-comparison"])
    capsys.readouterr()
    document = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert document["status"] == "optimal"
    assert sum(a["amount_gbp"] for a in document["allocations"]) == 100_000_000
    assert "benchmarks" not in document and document["frontier"] == []
