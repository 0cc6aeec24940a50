"""Write the JSON Schema of `RunResult` (the allocate JSON) to docs/run-result.schema.json.

Run `python -m portfolio.result_schema` after changing portfolio/result.py; a test fails while the
file and the model disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

from portfolio.result import RESULT_VERSION, RunResult

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "run-result.schema.json"


def schema_text() -> str:
    """The schema as the file holds it: sorted keys, two-space indents, a final newline."""
    schema = RunResult.model_json_schema(mode="serialization")
    schema["version"] = RESULT_VERSION
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
