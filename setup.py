"""Build hook: an installed wheel carries the generated layer.

``build_py`` runs the generator on ``schema/`` and writes ``tlruntime/tl/`` into
the build directory, so ``pip install .`` works from a clean checkout where the
generated layer (never committed) does not exist yet.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SCHEMAS = [HERE / "schema" / "mtproto.tl", HERE / "schema" / "api.tl"]


class BuildPyWithLayer(build_py):
    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(HERE))
        try:
            from generator.emit import generate_layer
            from generator.errors import write_errors
        finally:
            sys.path.pop(0)
        out = Path(self.build_lib) / "tlruntime" / "tl"
        generate_layer(SCHEMAS, out)
        write_errors(out, "tlruntime.tl")  # RPC error classes from the bundled facts table


setup(cmdclass={"build_py": BuildPyWithLayer})
