"""The layer's byte-code bundle (tlruntime.layer_bundle): class modules load from it exactly as from
their own files, and a bundle that does not belong to these sources or this interpreter is ignored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

from generator.emit import generate_layer
from tlruntime.layer_bundle import write_bundle
from tlruntime.layer_loader import BUNDLE_NAME

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "generator" / "fixtures" / "emit_package.tl"

# Run with -B and no .pyc files in the layer: the LayerFinder serves a class module only from
# the bundle, so the loader's name says where the module came from.
PROBE = """
import json, sys
import mylayer
from mylayer import types, functions
from mylayer.types import Pricing
module = sys.modules[Pricing.__module__]
export = functions.invite.Export(peer=types.InputPeerUser(user_id=5, access_hash=-7), title="t", pricing=Pricing(period=1, amount=2))
print(json.dumps({
    "loader": type(module.__spec__.loader).__name__,
    "file": module.__file__,
    "code_file": Pricing.__init__.__code__.co_filename,
    "name": Pricing.TL_NAME,
    "bytes": bytes(export).hex(),
    "decoded": repr(mylayer.deserialize(bytes(export))),
    "typing": "typing" in sys.modules,
    "other_loader": type(sys.modules[types.InputPeerUser.__module__].__spec__.loader).__name__,
}))
"""


def _generate(where: Path, schema: Path = FIXTURE) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate_layer([schema], where / "mylayer", package="mylayer")
    return where / "mylayer"


def _probe(path: Path, **env_extra: str) -> dict[str, object]:
    env = dict(os.environ)
    env.pop("TLRUNTIME_NO_BUNDLE", None)
    env.update(PYTHONPATH=os.pathsep.join([str(path), str(ROOT)]), **env_extra)
    done = subprocess.run(
        [sys.executable, "-B", "-c", textwrap.dedent(PROBE)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_class_loaded_from_the_bundle_equals_one_loaded_from_source(tmp_path: Path) -> None:
    layer = _generate(tmp_path)
    from_source = _probe(tmp_path)
    assert from_source["loader"] == "SourceFileLoader"
    write_bundle(layer)
    assert not list(layer.rglob("*.pyc"))  # compiled in memory: the bundle is the only byte-code
    bundled = _probe(tmp_path)
    assert bundled["loader"] == "LayerFinder"
    for key in ("file", "code_file", "name", "bytes", "decoded"):
        assert bundled[key] == from_source[key], key
    assert bundled["code_file"] == str(layer / "types" / "pricing.py")
    assert bundled["typing"] is False
    # Switched off by the environment: the module's own files.
    assert _probe(tmp_path, TLRUNTIME_NO_BUNDLE="1")["loader"] == "SourceFileLoader"


def test_a_bundle_written_elsewhere_names_the_installed_files(tmp_path: Path) -> None:
    # As in a wheel: the bundle is compiled in the build directory, the layer runs from another.
    built = _generate(tmp_path / "build")
    write_bundle(built)
    installed = tmp_path / "site"
    shutil.copytree(built, installed / "mylayer")
    shutil.rmtree(built)
    result = _probe(installed)
    assert result["loader"] == "LayerFinder"
    assert result["code_file"] == str(installed / "mylayer" / "types" / "pricing.py")
    assert result["file"] == result["code_file"]


def test_a_bundle_of_another_generation_is_ignored(tmp_path: Path) -> None:
    layer = _generate(tmp_path)
    old_bundle = write_bundle(layer).read_bytes()
    # The layer generated again from a changed schema: the old bundle (put back by hand) no longer
    # matches the sources digest tlgen recorded, so the new sources are what runs.
    changed = tmp_path / "changed.tl"
    changed.write_text(FIXTURE.read_text().replace("pricing#05416d58", "pricing#05416d59"))
    _generate(tmp_path, changed)
    (layer / BUNDLE_NAME).write_bytes(old_bundle)
    result = _probe(tmp_path)
    assert result["loader"] == "SourceFileLoader"
    assert "596d4105" in str(result["bytes"])  # the new id, little-endian


def test_a_bundle_of_edited_sources_is_ignored(tmp_path: Path) -> None:
    layer = _generate(tmp_path)
    module = layer / "types" / "pricing.py"
    module.write_text(module.read_text().replace('TL_NAME = "pricing"', 'TL_NAME = "pricing_edited"'))
    write_bundle(layer)  # compiled from the edited file, which is not what tlgen wrote
    result = _probe(tmp_path)
    assert result["loader"] == "SourceFileLoader"
    assert result["name"] == "pricing_edited"


def test_a_bundle_of_another_interpreter_version_is_ignored(tmp_path: Path) -> None:
    layer = _generate(tmp_path)
    bundle = write_bundle(layer)
    data = bytearray(bundle.read_bytes())
    data[8:12] = bytes([data[8] ^ 0xFF, data[9], data[10], data[11]])  # another byte-code magic number
    bundle.write_bytes(bytes(data))
    assert _probe(tmp_path)["loader"] == "SourceFileLoader"


def test_a_damaged_bundle_is_ignored(tmp_path: Path) -> None:
    layer = _generate(tmp_path)
    bundle = write_bundle(layer)
    data = bundle.read_bytes()
    for damaged in (data[:30], data[:100], b"", data[:60] + b"\xff" * (len(data) - 60)):
        bundle.write_bytes(damaged)
        assert _probe(tmp_path)["loader"] == "SourceFileLoader"


def test_a_bundle_whose_code_was_altered_is_ignored(tmp_path: Path) -> None:
    # Header and index intact, one module's code changed (same length): its CRC no longer matches,
    # so that module loads from its own file; the others still come from the bundle.
    layer = _generate(tmp_path)
    bundle = write_bundle(layer)
    data = bytearray(bundle.read_bytes())
    at = data.rfind(b"amount")  # in the code of types/pricing.py, the last module of the bundle
    assert at > 0
    data[at:at + 6] = b"AMOUNT"
    bundle.write_bytes(bytes(data))
    result = _probe(tmp_path)
    assert result["loader"] == "SourceFileLoader"
    assert result["name"] == "pricing" and result["decoded"] == _probe(tmp_path, TLRUNTIME_NO_BUNDLE="1")["decoded"]
    assert result["other_loader"] == "LayerFinder"


def test_the_real_layer_loads_a_class_without_typing() -> None:
    # The lazy import with the generated layer's bundle in place: one class, then the id dispatch.
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import tlruntime.tl; "
        "from tlruntime.tl import functions, types; types.ChatInviteExported; "
        "tlruntime.tl.deserialize(bytes(types.InputPeerSelf())); "
        "print(sorted(m for m in ('typing', 're', 'enum', 'collections', 'hashlib', 'importlib.util') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
