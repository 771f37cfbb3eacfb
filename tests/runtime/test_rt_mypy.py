"""The runtime core and the whole generated layer pass ``mypy --strict`` (about a minute)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = [
    "tlruntime/tl",
    "tlruntime/binary.py",
    "tlruntime/tlobject.py",
    "tlruntime/lazy.py",
    "tlruntime/core_types.py",
    "tlruntime/pretty.py",
    "tlruntime/testing.py",
    "tlruntime/crypto/message.py",
]


def test_mypy_strict_on_runtime_core_and_generated_layer(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *TARGETS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout
