"""The emitter as a product: a layer in any package, a writer that never deletes what it did not write,
schemas without ``// LAYER``, the hand-written-combinator policy, and errors that name file:line:column."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from generator.emit import EmitError, OutputDirError, generate_layer, load_schema
from tlruntime.errors import GenerationError, TLError

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "emit_package.tl"


def _generate(out: Path, package: str = "mylayer", schema: Path = FIXTURE) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fixture's made-up ids differ from their CRC32
        generate_layer([schema], out, package=package)


def _run(code: str, path: Path) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(path), str(ROOT)]))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_layer_in_another_package_imports_from_that_package(tmp_path: Path) -> None:
    _generate(tmp_path / "pkg" / "mylayer", package="pkg.mylayer")
    (tmp_path / "pkg" / "__init__.py").write_text("")
    out = _run(
        """
        import pkg.mylayer as layer
        from pkg.mylayer.functions.invite import Export
        from pkg.mylayer.types import InputPeerUser, Message, Pricing
        print(layer.LAYER)
        req = Export(peer=InputPeerUser(user_id=1, access_hash=2), title="t", pricing=Pricing(period=3, amount=4))
        back = layer.deserialize(bytes(req))
        print(type(back).__module__, type(back.peer).__module__, type(back.pricing).__module__)
        print(back == req)
        value, end = req.read_result(bytes(Message(id=7, text="hi")))
        print(type(value).__module__, value.id, value.text)
        """,
        tmp_path,
    )
    lines = out.splitlines()
    assert lines[0] == "None"  # no "// LAYER N" in the schema: still an importable layer
    assert lines[1].split() == [
        "pkg.mylayer.functions.invite.export",
        "pkg.mylayer.types.input_peer_user",
        "pkg.mylayer.types.pricing",
    ]
    assert lines[2] == "True"
    assert lines[3] == "pkg.mylayer.types.message 7 hi"
    generated = "".join(p.read_text() for p in (tmp_path / "pkg" / "mylayer").rglob("*.py"))
    assert "tlruntime.tl." not in generated and "from tlruntime.tl " not in generated


def test_layer_without_layer_line_is_typed_optional(tmp_path: Path) -> None:
    _generate(tmp_path / "mylayer")
    root = (tmp_path / "mylayer" / "__init__.py").read_text()
    assert "LAYER: int | None = None" in root
    assert "layer: unknown" in (tmp_path / "mylayer" / ".tlgen-generated").read_text()


def test_refuses_a_foreign_directory_and_leaves_it_alone(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputDirError) as info:
        _generate(out)
    assert isinstance(info.value, GenerationError) and isinstance(info.value, TLError)
    assert "precious" in str(info.value) and ".tlgen-generated" in str(info.value)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_replaces_its_own_output_and_fills_an_empty_directory(tmp_path: Path) -> None:
    out = tmp_path / "layer"
    out.mkdir()
    _generate(out)  # empty: fine
    (out / "types" / "stale.py").write_text("x = 1\n")
    _generate(out)  # carries the marker: replaced, stale file gone
    assert not (out / "types" / "stale.py").exists()
    assert (out / ".tlgen-generated").is_file()


def test_bad_package_name_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match="not a dotted Python module name"):
        _generate(tmp_path / "x", package="my-layer")


def test_idless_mtproto_message_is_handwritten_not_a_clash() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validated = load_schema([FIXTURE])
    messages = [cc for cc in validated.combinators if cc.combinator.name == "message"]
    assert [cc.id for cc in messages] == [0xC0FFEE01]  # the api-style one; the container entry is dropped
    names = {cc.combinator.name for cc in validated.combinators}
    assert not names & {"boolTrue", "boolFalse"}  # Bool is Python's bool


@pytest.mark.parametrize(
    ("schema", "message", "column"),
    [
        ("int ? = Int;\nint512 16*[ int ] = Int512;\nfoo#00000001 x:int512 = Foo;\n",
         "bare type 'int512' names no constructor", 16),
    ],
)
def test_emitter_errors_name_file_line_column(tmp_path: Path, schema: str, message: str, column: int) -> None:
    path = tmp_path / "bad.tl"
    path.write_text(schema)
    with pytest.raises(EmitError) as info:
        _generate(tmp_path / "out", schema=path)
    err = info.value
    assert (err.file, err.line, err.column) == (str(path), schema.count("\n", 0, schema.index("foo#")) + 1, column)
    assert message in err.reason
    assert str(err).startswith(f"{path}:{err.line}:{column}: ")
    assert not (tmp_path / "out").exists()
