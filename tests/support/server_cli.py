"""``python -m tlruntime.server`` as a real subprocess, for the CLI tests of every area.

(``tests/support`` is on pytest's ``pythonpath``; the module name is unique.)
The server prints ``name: value`` banner lines once it listens; tests read a
known number of them, then talk to the ports they name.  SIGTERM must end the
server cleanly (exit 0); the pipes are closed either way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def start_server(*args: str, lines: int) -> tuple[subprocess.Popen[str], list[str]]:
    """Start the server with ``args`` and return it with its first ``lines`` banner lines."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tlruntime.server", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
    )  # fmt: skip
    banner: list[str] = []
    try:
        assert process.stdout is not None
        while len(banner) < lines:
            line = process.stdout.readline()
            if not line:
                raise AssertionError(f"server exited early: {process.stderr.read() if process.stderr else ''}")
            banner.append(line.rstrip("\n"))
    except BaseException:
        process.kill()
        process.communicate(timeout=10)
        raise
    return process, banner


def stop_server(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then the exit code must be 0."""
    process.terminate()
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate(timeout=10)
        raise
    assert process.returncode == 0, stderr


@contextmanager
def running_server(*args: str, lines: int) -> Iterator[list[str]]:
    """The banner lines of a server that is stopped (and checked) when the block ends."""
    process, banner = start_server(*args, lines=lines)
    try:
        yield banner
    finally:
        stop_server(process)


def as_fields(banner: list[str]) -> dict[str, str]:
    """``{"port": "43121", "dc 1 port": "43122", ...}`` from ``name: value`` lines."""
    return dict(line.partition(": ")[::2] for line in banner)
