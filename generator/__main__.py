"""``python -m generator``: the ``tlgen`` command line (``generate`` is implied when no command is named)."""

from __future__ import annotations

import sys

from generator.cli import legacy_main as main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
