"""The code stays ruff- and mypy-clean (DESIGN.md, convention 10)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    pytest.importorskip("ruff")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_package() -> None:
    pytest.importorskip("mypy")
    assert shutil.which(sys.executable)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "bot", "cogs"], cwd=ROOT, capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
