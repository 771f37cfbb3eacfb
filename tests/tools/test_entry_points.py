"""Each product runs as ``python -m generator.<name>`` and exposes what ``tlgen`` registers."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name, expected", [("docs", "--out DIR"), ("diff", "--old A.tl"), ("decode", "--auth-key F")])
def test_module_help(name: str, expected: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", f"generator.{name}", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert f"usage: python -m generator.{name}" in out and expected in out and "examples:" in out


@pytest.mark.parametrize("name", ["docs", "diff", "decode"])
def test_cli_module_contract(name: str) -> None:
    module = importlib.import_module(f"generator.{name}.cli")
    assert isinstance(module.SUMMARY, str) and module.SUMMARY
    sub = argparse.ArgumentParser(prog="tlgen").add_subparsers().add_parser(name, help=module.SUMMARY)
    module.configure(sub)
    assert sub.description and sub.format_help().startswith(f"usage: tlgen {name}")
