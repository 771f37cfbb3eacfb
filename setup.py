"""Build hook: a wheel carries the generated layer and the schema files it came from.

``build_py`` runs the generator and writes ``tlruntime/tl/`` (and its byte-code
bundle, see tlruntime/layer_bundle.py) into the build directory, so ``pip install .`` works from a clean checkout where the generated
layer (never committed) does not exist yet.  It also copies the schema files
into ``generator/schema/`` so that ``tlgen`` works without a checkout.

The schema files are ``schema/mtproto.tl`` and ``schema/api.tl`` unless
``TLRUNTIME_SCHEMA`` names others (separated by the OS path separator, in order),
which packages a layer generated from a custom schema.

An editable install (``pip install -e .``, what the Makefile does) skips both:
it reads ``schema/`` in place, and ``make generate`` writes ``tlruntime/tl/``
once per change instead of on every install.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DEFAULT_SCHEMAS = [HERE / "schema" / "mtproto.tl", HERE / "schema" / "api.tl"]


def schema_paths() -> list[Path]:
    chosen = os.environ.get("TLRUNTIME_SCHEMA", "")
    if not chosen:
        return DEFAULT_SCHEMAS
    return [Path(p).resolve() for p in chosen.split(os.pathsep) if p]


class BuildPyWithLayer(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        schemas = schema_paths()
        build_lib = Path(self.build_lib)
        shipped = build_lib / "generator" / "schema"
        shutil.rmtree(shipped, ignore_errors=True)
        shipped.mkdir(parents=True)
        for path in schemas:
            shutil.copyfile(path, shipped / path.name)
        # tlgen's default SCHEMA list, in generation order.
        (shipped / "order.txt").write_text("".join(f"{p.name}\n" for p in schemas), encoding="utf-8")

        sys.path.insert(0, str(HERE))
        try:
            from generator.emit import generate_layer
            from tlruntime.layer_bundle import write_bundle
        finally:
            sys.path.pop(0)
        layer = build_lib / "tlruntime" / "tl"
        shutil.rmtree(layer, ignore_errors=True)  # a copy of a checkout's generated layer, if any
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tlgen and the tests report the id mismatches
            generate_layer(schemas, layer)
        # The class modules' byte-code in one file (compiled by this interpreter; an installing
        # interpreter of another version ignores it and uses the .pyc files pip compiles).
        write_bundle(layer)


setup(cmdclass={"build_py": BuildPyWithLayer})
