"""Group 4: cold import time and extra RSS of the whole layer, one fresh process per run.

Each measurement runs in a new interpreter that records the clock and its own
resident set size (``VmRSS`` in ``/proc/self/status``) just before and just
after the import statements, so interpreter start-up is excluded and every
library pays only for what its import does.  Our modules are byte-compiled
first (pip compiled the peers' when installing them), one discarded warm-up
run per variant fills the page cache, and the runs of the variants are
interleaved.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .report import KURIGRAM, TELETHON, Row, Target

PROJECT_ROOT = Path(__file__).resolve().parent.parent

IMPORT_TIME_TARGET = Target("≤1/10 Telethon", factor=10.0, against=(TELETHON,))
IMPORT_RSS_TARGET = Target("≤1/5 Telethon", factor=5.0, against=(TELETHON,))

#: The statements timed for each variant.  Telethon and kurigram cannot import
#: their TL layer without their package ``__init__`` (which pulls in the client),
#: so that is part of their figure, as it is for any user of theirs.
OURS_LAZY = "import tlruntime.tl\nfrom tlruntime.tl import functions, types"
OURS_EVERYTHING = OURS_LAZY + "\nimport bench.load_all\nbench.load_all.load_every_class()"
TELETHON_ALL = "import telethon.tl.alltlobjects"
KURIGRAM_ALL = "import pyrogram.raw\nfrom pyrogram.raw import types, functions, base"

# Only built-in modules (``time``) are loaded before the timed statements:
# importing e.g. ``json`` first would pre-load ``re`` and hide its cost from
# whichever library needs it.
_PROBE = """
import time

def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")

before_rss = rss_kib()
start = time.perf_counter()
exec(compile({code!r}, "<bench-import>", "exec"), {{}})
elapsed = time.perf_counter() - start
extra = rss_kib() - before_rss
print("RESULT", repr(elapsed), extra)
"""


@dataclass(frozen=True)
class ImportCost:
    """Medians over the runs of one variant."""

    seconds: float
    rss_mib: float


class ImportProbeError(RuntimeError):
    """The probe process failed (e.g. the layer is not generated); carries its stderr."""


def _probe_once(code: str) -> tuple[float, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ImportProbeError(last)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise ImportProbeError(f"probe printed no result: {done.stdout[-200:]!r}")
    _, seconds, rss_kib = lines[-1].split()
    return float(seconds), int(rss_kib) / 1024


def measure_imports(variants: dict[str, str], runs: int) -> dict[str, ImportCost | str]:
    """Median cost of each variant over ``runs`` fresh processes, runs interleaved.

    Run k of every variant happens before run k+1 of any, so a stretch of
    machine load hits all variants alike.  A variant whose probe fails maps
    to the error text instead (and is not retried).
    """
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    failures: dict[str, str] = {}
    warm_up = runs > 1  # writes .pyc files, fills the page cache (skipped by --smoke)
    for index in range(runs + warm_up):
        for name, code in variants.items():
            if name in failures:
                continue
            try:
                sample = _probe_once(code)
            except ImportProbeError as exc:
                failures[name] = str(exc)
                continue
            if index >= warm_up:
                samples[name].append(sample)
    results: dict[str, ImportCost | str] = dict(failures)
    for name, values in samples.items():
        if name not in failures:
            results[name] = ImportCost(
                seconds=statistics.median(seconds for seconds, _ in values),
                rss_mib=statistics.median(rss for _, rss in values),
            )
    return results


def _byte_compile_ours() -> None:
    """Give our modules their byte-code, as pip gave the peers theirs when installing them.

    The warm-up run cannot do it where ``PYTHONDONTWRITEBYTECODE`` is set (this
    machine sets it): a source edited since the last ``make generate`` would then
    be compiled again in every timed run, billing the compiler to our import.
    """
    for folder in ("tlruntime", "bench"):
        compileall.compile_dir(str(PROJECT_ROOT / folder), quiet=1, workers=0)


def bench_imports(runs: int) -> list[Row]:
    """Rows for import time (ms) and extra RSS (MiB): ours lazy and fully loaded vs peers."""
    _byte_compile_ours()
    variants = {
        TELETHON: TELETHON_ALL,
        KURIGRAM: KURIGRAM_ALL,
        "lazy": OURS_LAZY,
        "everything": OURS_EVERYTHING,
    }
    costs = measure_imports(variants, runs)
    for peer in (TELETHON, KURIGRAM):
        if isinstance(costs[peer], str):
            raise ImportProbeError(f"{peer} cannot be imported: {costs[peer]}")
    rows: list[Row] = []
    labels = (
        ("lazy", "lazy: import tlruntime.tl + functions, types", True),
        ("everything", "every class loaded (walk the index)", False),
    )
    for key, label, has_target in labels:
        time_row = Row("4 import", f"time, {label}", "ms", False, None)
        rss_row = Row("4 import", f"extra RSS, {label}", "MiB", False, None)
        for peer in (TELETHON, KURIGRAM):
            cost = costs[peer]
            if isinstance(cost, ImportCost):
                time_row.references[peer] = cost.seconds * 1e3
                rss_row.references[peer] = cost.rss_mib
        if has_target:
            time_row.target = IMPORT_TIME_TARGET
            rss_row.target = IMPORT_RSS_TARGET
        else:
            note = "no target: the lazy import is the contract; shown for an honest full-load cost"
            time_row.notes.append(note)
        ours = costs[key]
        if isinstance(ours, ImportCost):
            time_row.ours = ours.seconds * 1e3
            rss_row.ours = ours.rss_mib
        else:
            time_row.unavailable = rss_row.unavailable = f"import failed: {ours}"
        rows += [time_row, rss_row]
    return rows
