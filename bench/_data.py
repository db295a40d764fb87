"""Reading the evaluation data the benchmarks are given (a path; nothing is copied)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_records(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file, the first ``limit`` of them when given."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    break
    return out
