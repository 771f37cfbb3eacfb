"""``python -m generator.diff``: the ``diff`` command without the ``tlgen`` front end."""

from __future__ import annotations

import argparse

from generator.diff.cli import configure, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.diff")
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
