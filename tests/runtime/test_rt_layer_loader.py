"""The layer's short import path (tlruntime.layer_loader): same modules, and the standard path
whenever its byte-code cannot be trusted."""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from generator.emit import generate_layer
from tlruntime.layer_bundle import write_bundle

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "generator" / "fixtures" / "emit_package.tl"

PROBE = """
import sys
import mylayer
from mylayer.types import Pricing
module = sys.modules[Pricing.__module__]
print(type(module.__spec__.loader).__name__, module.__file__ == module.__spec__.origin, Pricing.TL_NAME)
print(bytes(Pricing(period=1, amount=2)).hex())
"""


def _probe(path: Path) -> list[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path), str(ROOT)]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-B", "-c", textwrap.dedent(PROBE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_class_modules_load_through_the_layer_finder_and_fall_back_when_stale(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate_layer([FIXTURE], tmp_path / "mylayer", package="mylayer")
    # No byte-code yet: the standard loader.
    assert _probe(tmp_path)[0] == "SourceFileLoader True pricing"
    assert compileall.compile_dir(str(tmp_path / "mylayer"), quiet=1)
    first = _probe(tmp_path)
    assert first[0] == "LayerFinder True pricing"
    # An edited source (different size and mtime) makes the .pyc stale: the standard loader recompiles.
    module = tmp_path / "mylayer" / "types" / "pricing.py"
    module.write_text(module.read_text().replace('TL_NAME = "pricing"', 'TL_NAME = "pricing_edited"'))
    os.utime(module, (1, 1))
    stale = _probe(tmp_path)
    assert stale[0] == "SourceFileLoader True pricing_edited"
    assert stale[1] == first[1]


SAME_MODULE_PROBE = """
import importlib, sys, threading
import mylayer
from tlruntime.layer_loader import import_module
from mylayer import types

# A lazy load (no importlib machinery) creates the module the import system would.
Pricing = types.Pricing
module = sys.modules["mylayer.types.pricing"]
assert import_module("mylayer.types.pricing") is module
assert importlib.import_module("mylayer.types.pricing") is module
import mylayer.types.pricing as imported
assert imported is module and mylayer.types.pricing is module
assert module.__spec__.name == module.__name__ and module.__package__ == "mylayer.types"
assert module.__file__.endswith("pricing.py") and module.__cached__.endswith(".pyc")
# Executed once per process: removed from sys.modules and imported again, it is the same module.
del sys.modules["mylayer.types.pricing"]
assert importlib.import_module("mylayer.types.pricing") is module and types.Pricing is Pricing

# Threads racing for a class module that is not loaded yet: one execution, one class object.
names = [n for n in dir(types) if n != "Pricing" and not n.startswith("_")]
target = None
for n in names:
    where = types._LAZY[n]
    if where[1] and where[0] not in sys.modules:
        target = where
        break
assert target is not None
results = []
barrier = threading.Barrier(8)

def load(use_import_statement):
    barrier.wait()
    loader = importlib.import_module if use_import_statement else import_module
    results.append(getattr(loader(target[0]), target[1]))

threads = [threading.Thread(target=load, args=(i % 2 == 0,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert len(results) == 8 and all(r is results[0] for r in results), results
print("ok")
"""


@pytest.mark.parametrize("bundled", [False, True], ids=["pyc", "bundle"])
def test_lazy_loads_and_import_statements_share_one_module(tmp_path: Path, bundled: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate_layer([FIXTURE], tmp_path / "mylayer", package="mylayer")
    assert compileall.compile_dir(str(tmp_path / "mylayer"), quiet=1)
    if bundled:  # the same races, with the class modules read from the layer's byte-code bundle
        write_bundle(tmp_path / "mylayer")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    done = subprocess.run(
        [sys.executable, "-B", "-c", SAME_MODULE_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["ok"]
