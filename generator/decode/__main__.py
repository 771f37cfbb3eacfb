"""``python -m generator.decode``: the ``decode`` command without the ``tlgen`` front end."""

from __future__ import annotations

import argparse

from generator.decode.cli import configure, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.decode")
    configure(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
