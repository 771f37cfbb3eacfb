"""``python -m bench [GROUP ...] [--quick | --smoke] [--only GROUP ...] [--json PATH | --no-json]``.

Runs the benchmark groups (all of them, or the ones named: ``python -m bench
rpc crypto``), prints one table (ours beside Telethon, kurigram or raw
cryptg, with ratios, targets and pass/miss) and writes the same rows as
JSON.  Groups whose dependency is missing still print, as "not available"
with the reason.  Exit status is 0 even when a target is missed: this is a
measurement, not a test.  ``python -m bench.compare A.json B.json`` puts two
runs (two checkouts) side by side.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .report import Row, render_table, write_json
from .server import ServerBenchSettings
from .timing import Budget


@dataclass(frozen=True)
class Settings:
    """Everything a group needs to size itself."""

    budget: Budget
    import_runs: int
    bulk_count: int
    #: Calls per client and event loop (see bench/rpc.py).
    rpc_calls: int
    rpc_in_flight: int
    server: ServerBenchSettings
    #: New-key samples per client (bench/handshake.py).
    handshake_samples: int = 21

    @classmethod
    def full(cls) -> Settings:
        return cls(
            Budget.full(), import_runs=7, bulk_count=1000, rpc_calls=4500, rpc_in_flight=100,
            server=ServerBenchSettings(),
        )

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            Budget.quick(), import_runs=3, bulk_count=1000, rpc_calls=1800, rpc_in_flight=100,
            server=ServerBenchSettings(batches=2, rounds=1, idle_connections=100, sessions=100),
            handshake_samples=9,
        )

    @classmethod
    def smoke(cls) -> Settings:
        """Tiny counts: proves every group runs end to end (the test suite uses this)."""
        return cls(
            Budget.smoke(), import_runs=1, bulk_count=60, rpc_calls=5, rpc_in_flight=5,
            server=ServerBenchSettings(clients=2, in_flight=3, batches=1, rounds=1, idle_connections=3, sessions=3),
            handshake_samples=1,
        )


def _seed(s: Settings) -> list[Row]:
    from .serialization import bench_seed_request

    return bench_seed_request(s.budget)


def _invite(s: Settings) -> list[Row]:
    from .serialization import bench_invite

    return bench_invite(s.budget)


def _bulk(s: Settings) -> list[Row]:
    from .serialization import bench_bulk

    return bench_bulk(s.budget, s.bulk_count)


def _imports(s: Settings) -> list[Row]:
    from .imports import bench_imports

    return bench_imports(s.import_runs)


def _crypto(s: Settings) -> list[Row]:
    from .crypto import bench_crypto

    return bench_crypto(s.budget)


def _rpc(s: Settings) -> list[Row]:
    from .rpc import bench_rpc

    return bench_rpc(s.rpc_calls, s.rpc_in_flight)


def _server(s: Settings) -> list[Row]:
    from .server import bench_server

    return bench_server(s.server)


def _handshake(s: Settings) -> list[Row]:
    from .handshake import bench_handshake

    return bench_handshake(s.handshake_samples)


#: Group name -> runner, in the order they run and print; groups may also be named 1-8.
GROUPS: dict[str, Callable[[Settings], list[Row]]] = {
    "seed": _seed,
    "invite": _invite,
    "bulk": _bulk,
    "import": _imports,
    "crypto": _crypto,
    "rpc": _rpc,
    "server": _server,
    "handshake": _handshake,
}


def select_groups(only: Sequence[str]) -> list[str]:
    """Group names for ``--only`` values (names or 1-based numbers, comma lists allowed)."""
    if not only:
        return list(GROUPS)
    names = list(GROUPS)
    chosen: list[str] = []
    for item in (part.strip() for value in only for part in value.split(",")):
        if item.isdigit() and 1 <= int(item) <= len(names):
            name = names[int(item) - 1]
        elif item in GROUPS:
            name = item
        else:
            raise SystemExit(f"unknown group {item!r}; choose from {', '.join(names)} or 1-{len(names)}")
        if name not in chosen:
            chosen.append(name)
    return [name for name in names if name in chosen]


def run_groups(names: Sequence[str], settings: Settings, progress: bool = True) -> list[Row]:
    """Run the named groups in order and collect their rows."""
    rows: list[Row] = []
    for name in names:
        if progress:
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        rows += GROUPS[name](settings)
        if progress:
            print(f"[bench] {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return rows


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment() -> dict[str, Any]:
    """What the figures were measured on (written into the JSON)."""
    return {
        "when": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "telethon": _version("telethon"),
        "kurigram": _version("kurigram"),
        "cryptg": _version("cryptg"),
        "tgcrypto": _version("tgcrypto"),
        "uvloop": _version("uvloop"),
        "psutil": _version("psutil"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument(
        "groups",
        nargs="*",
        metavar="GROUP",
        help=f"groups to run ({', '.join(GROUPS)} or 1-{len(GROUPS)}); default: all",
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (noisier)")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one call per benchmark: checks the harness runs, the numbers mean nothing",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GROUP",
        help="same as naming GROUPs; repeatable",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(__file__).resolve().parent / "results.json",
        help="where to write the rows as JSON (default: bench/results.json)",
    )
    parser.add_argument("--no-json", action="store_true", help="print only")
    args = parser.parse_args(argv)

    # kurigram logs a warning about TgCrypto on import; keep the table readable.
    logging.getLogger("pyrogram").setLevel(logging.ERROR)
    if args.smoke:
        settings = Settings.smoke()
    else:
        settings = Settings.quick() if args.quick else Settings.full()
    names = select_groups([*args.groups, *args.only])
    rows = run_groups(names, settings)
    print(render_table(rows))
    if not args.no_json:
        meta = environment() | {"quick": args.quick, "smoke": args.smoke, "groups": names}
        write_json(rows, args.json, meta)
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
