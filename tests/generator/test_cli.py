"""``tlgen``: help, clear errors for bad input, warnings, and generating into a directory."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import default_schemas, legacy_main, main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = ROOT / "tests" / "golden"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_names_tlgen_and_every_registered_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: tlgen ")
    assert "generate" in text and "``" not in text


def test_generate_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    text = capsys.readouterr().out
    assert text.startswith("usage: tlgen generate [-h] [--out DIR] [--package NAME] [--update-goldens DIR]")
    assert "``" not in text


def test_missing_schema_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(tmp_path / "nope.tl"))
    assert code == 2
    assert err == f"tlgen: error: schema file not found: {tmp_path / 'nope.tl'}\n"
    assert not (tmp_path / "out").exists()


def test_directory_instead_of_a_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(tmp_path))
    assert (code, err) == (2, f"tlgen: error: schema path is a directory, not a file: {tmp_path}\n")


def test_unreadable_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A Unix socket cannot be opened for reading, whoever runs the test (root included).
    path = tmp_path / "socket.tl"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(path))
    assert code == 2
    assert err.startswith(f"tlgen: error: cannot read schema file {path}: ")
    assert err.count("\n") == 1


def test_non_utf8_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "latin1.tl"
    path.write_bytes(b"a#1 = A;\nb#2 x:int = B; // caf\xe9\n")
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(path))
    assert code == 2
    first, source, caret = err.splitlines()
    assert first == f"tlgen: error: {path}:2:22: not UTF-8: byte 0xe9 at offset 30"
    assert caret == "    " + " " * 21 + "^"


def test_empty_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.tl"
    path.write_text("// only a comment\n---functions---\n")
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(path))
    assert (code, err) == (2, f"tlgen: error: no constructors or functions in {path}: is this a TL schema?\n")


def test_schema_error_names_position_with_a_caret(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.tl"
    path.write_text("a#1 = A;\nb#2 x:Nope = B;\n")
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), str(path))
    assert code == 2
    assert err.splitlines() == [
        f"tlgen: error: {path}:2:7: unknown type 'Nope'", "    b#2 x:Nope = B;", "          ^",
    ]
    assert "Traceback" not in err


def test_generate_without_mtproto_warns_and_writes_the_layer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "layer"
    code, out, err = run(capsys, "generate", "--out", str(out_dir), str(FIXTURES / "prelude_anonymous.tl"))
    assert code == 0
    assert out == f"generated layer (no LAYER comment) into {out_dir} as tlruntime.tl: 1 constructors, 0 functions\n"
    assert "did you forget mtproto.tl?" in err and "resPQ" in err and "rpc_result" in err
    assert (out_dir / "__init__.py").is_file() and (out_dir / "types" / "pair.py").is_file()


def test_default_schemas_are_the_shipped_files() -> None:
    assert default_schemas() == [ROOT / "schema" / "mtproto.tl", ROOT / "schema" / "api.tl"]


def test_update_goldens_from_the_default_schemas(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """No SCHEMA: the shipped files; the expected mtproto.tl id mismatches are printed once, as notes."""
    code, out, err = run(capsys, "generate", "--update-goldens", str(tmp_path))
    assert code == 0 and out == f"updated 11 golden files in {tmp_path}\n"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.py"))
    assert written == sorted(p.relative_to(GOLDEN) for p in GOLDEN.rglob("*.py") if p.name != "test_golden.py")
    assert err == ""


def test_expected_id_mismatches_are_notes_printed_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    extra = tmp_path / "extra.tl"
    # mtproto.tl's msg_copy needs a Message type (api.tl's); then one unexpected mismatch.
    extra.write_text("messageEmpty#02880a43 = Message;\nodd#00000001 = Odd;\n")
    mtproto = str(ROOT / "schema" / "mtproto.tl")
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "out"), mtproto, str(extra))
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("tlgen: note:")]
    assert [line.split(": ")[3] for line in notes] == ["ipPortSecret", "accessPointRule", "help.configSimple"]
    assert all("expected: Telegram publishes this id" in line for line in notes)
    (warning,) = [line for line in err.splitlines() if line.startswith("tlgen: warning:")]
    assert "odd: explicit id #00000001 differs from the computed" in warning


def test_python_m_generator_implies_generate(tmp_path: Path) -> None:
    """The Makefile's form (no subcommand) still works, through a real interpreter."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--out", str(tmp_path / "out"), str(tmp_path / "missing.tl")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"tlgen: error: schema file not found: {tmp_path / 'missing.tl'}\n"


def test_legacy_main_without_arguments_shows_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        legacy_main([])
    assert info.value.code == 2
    assert "usage: tlgen" in capsys.readouterr().err


@pytest.mark.parametrize("package", ["my-layer", "pkg.class", "a..b", ""])
def test_package_must_be_a_python_name(capsys: pytest.CaptureFixture[str], tmp_path: Path, package: str) -> None:
    code, _, err = run(capsys, "generate", "--package", package, "--out", str(tmp_path / "out"))
    assert (code, err) == (2, f"tlgen: error: --package {package!r} is not a dotted Python package name\n")
    assert not (tmp_path / "out").exists()


def test_out_and_update_goldens_are_exclusive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "generate", "--out", str(tmp_path / "a"), "--update-goldens", str(tmp_path / "b"))
    assert code == 2 and "exclusive" in err


# --- product subcommands (docs, diff, decode) register through configure()/run() --------------

@pytest.mark.parametrize("name", ["docs", "diff", "decode"])
def test_product_commands_register_with_their_summary_and_help(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    module = importlib.import_module(f"generator.{name}.cli")
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert module.SUMMARY in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit) as info:
        main([name, "--help"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: tlgen {name} ")
