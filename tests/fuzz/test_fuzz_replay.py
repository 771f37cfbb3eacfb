"""Replay the committed fuzz regression corpus: every input returns or raises a TLError, quickly.

``tests/fuzz/corpus/<target>/`` holds inputs that once broke a target (or that
sit right at a limit, like the nesting reproducers of issue 6) plus a few
seeds per target; ``python -m fuzz`` (``make fuzz``) finds new ones.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fuzz.registry import Finding
from fuzz.targets import TARGETS, run_one

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED_TARGETS = {
    "deserialize", "rpc_result", "transport-detect",
    "auth-server-handshake", "auth-server-dh-inner", "auth-server-client-dh",
    "session-client-receive", "server-endpoint",
    *(f"transport-{f}-{side}" for f in ("abridged", "intermediate", "padded", "full") for side in ("client", "server")),
    *(f"transport-obfuscated-{f}-{side}" for f in ("abridged", "intermediate", "padded")
      for side in ("client", "server")),
}


def _corpus() -> list[tuple[str, Path]]:
    return sorted((d.name, p) for d in CORPUS.iterdir() if d.is_dir() for p in sorted(d.iterdir()))


def test_the_registry_has_every_target_and_each_has_a_corpus() -> None:
    assert EXPECTED_TARGETS <= set(TARGETS)
    folders = {d.name for d in CORPUS.iterdir() if d.is_dir()}
    assert folders <= set(TARGETS), folders - set(TARGETS)  # no corpus for a target that is gone
    assert EXPECTED_TARGETS <= folders


@pytest.mark.parametrize("name", sorted({d.name for d in CORPUS.iterdir() if d.is_dir()}))
def test_the_regression_corpus_replays_clean(name: str) -> None:
    target = TARGETS[name]
    started = time.monotonic()
    for path in sorted((CORPUS / name).iterdir()):
        try:
            run_one(target, path.read_bytes())
        except Finding as finding:
            raise AssertionError(f"{path.relative_to(CORPUS)}: {finding}") from finding
    assert time.monotonic() - started < 30


def test_a_finding_is_anything_but_a_tl_error() -> None:
    from fuzz.registry import Target

    def broken(data: bytes) -> None:
        raise KeyError(data)

    with pytest.raises(Finding, match="KeyError"):
        run_one(Target("broken", broken, lambda: [], "broken"), b"x")


@pytest.mark.parametrize("name", sorted(EXPECTED_TARGETS))
def test_the_seeds_are_valid_and_run_clean(name: str) -> None:
    """Seeds are generated with a fixed RNG: the same bytes every run, none of them a finding."""
    target = TARGETS[name]
    seeds = list(target.seeds())
    assert seeds and seeds == list(target.seeds())
    for seed in seeds:
        run_one(target, seed)
