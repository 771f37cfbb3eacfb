"""``python -m generator.errors --out tlruntime/tl``: write the RPC error classes module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.errors import write_errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.errors",
        description="Write errors.py (one exception class per known RPC error) into a generated layer.",
    )
    parser.add_argument("--out", type=Path, default=Path("tlruntime/tl"), help="layer directory (default: tlruntime/tl)")
    parser.add_argument("--package", default="tlruntime.tl", help="dotted package name of --out")
    args = parser.parse_args(argv)
    path = write_errors(args.out, args.package)
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
