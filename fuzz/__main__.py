"""``python -m fuzz``: coverage-guided fuzzing (atheris) of every registered target for a given time.

    python -m fuzz --seconds 60                     # every target, 60 s each
    python -m fuzz --seconds 300 --target deserialize --target transport-detect
    python -m fuzz --list

Each target's working corpus lives in ``fuzz/work/<target>/`` (seeded from the
schema on first use, then grown by the fuzzer, plus the committed regression
corpus ``tests/fuzz/corpus/<target>/``); inputs that make a target raise
anything but a TLError, hang or blow up memory are saved to
``fuzz/findings/<target>/``.  Neither folder is committed: copy a minimised
finding into ``tests/fuzz/corpus/<target>/`` once it is fixed, and
``make test`` replays it from then on.  Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
REGRESSION = REPO / "tests" / "fuzz" / "corpus"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60, help="fuzzing time per target (default 60)")
    parser.add_argument("--target", action="append", default=[], help="a target name (repeatable); default: all")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--work", type=Path, default=ROOT / "work", help="working corpora (default fuzz/work)")
    parser.add_argument("--findings", type=Path, default=ROOT / "findings", help="default fuzz/findings")
    parser.add_argument("--max-len", type=int, default=8192, help="largest input in bytes (default 8192)")
    parser.add_argument("--rss-limit-mb", type=int, default=2048, help="memory limit per run (default 2048)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take (default 10)")
    return parser.parse_args(argv)


def _prepare_corpus(name: str, work: Path) -> Path:
    """The target's working corpus: seeds on first use, plus the committed regression inputs."""
    from fuzz.targets import TARGETS

    corpus = work / name
    if not corpus.is_dir() or not any(corpus.iterdir()):
        corpus.mkdir(parents=True, exist_ok=True)
        for i, seed in enumerate(TARGETS[name].seeds()):
            (corpus / f"seed-{i:04d}").write_bytes(seed)
    regression = REGRESSION / name
    if regression.is_dir():
        for path in regression.iterdir():
            shutil.copyfile(path, corpus / f"regression-{path.name}")
    return corpus


def _fuzz(name: str, args: argparse.Namespace) -> tuple[int, list[Path], float]:
    """Run one target; returns (executions, new finding files, seconds)."""
    corpus = _prepare_corpus(name, args.work)
    findings = args.findings / name
    findings.mkdir(parents=True, exist_ok=True)
    before = set(findings.iterdir())
    log = args.findings / f"{name}.log"
    started = time.monotonic()
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-m", "fuzz.run_target", name, str(corpus),
             f"-max_total_time={args.seconds}", f"-artifact_prefix={findings}/",
             f"-max_len={args.max_len}", f"-rss_limit_mb={args.rss_limit_mb}",
             f"-timeout={args.timeout}", "-print_final_stats=1"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, check=False,
        )
    elapsed = time.monotonic() - started
    text = log.read_text(errors="replace")
    runs = [int(m) for m in re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)]
    new = sorted(set(findings.iterdir()) - before)
    return (runs[-1] if runs else 0), new, elapsed


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sys.path.insert(0, str(REPO))
    from fuzz.targets import TARGETS

    if args.list:
        for target in TARGETS.values():
            print(f"{target.name:42} {target.doc}")
        return 0
    unknown = [n for n in args.target if n not in TARGETS]
    if unknown:
        print(f"unknown target(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: pip install -e '.[fuzz]' (or run `make fuzz`)", file=sys.stderr)
        return 2
    found = 0
    print(f"{'target':42} {'executions':>11} {'seconds':>8}  findings")
    for name in args.target or list(TARGETS):
        runs, new, elapsed = _fuzz(name, args)
        found += len(new)
        shown = ", ".join(str(p) for p in new) or "none"
        print(f"{name:42} {runs:>11,} {elapsed:>8.0f}  {shown}", flush=True)
    print(f"logs: {args.findings}/<target>.log")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
