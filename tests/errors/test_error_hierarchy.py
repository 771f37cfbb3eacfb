"""The one error hierarchy: every error derives from TLError and carries its facts as attributes."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from tlruntime import errors
from tlruntime.errors import FloodWaitError, RPCError, SchemaError, TLError, UnknownConstructorError


def test_every_error_class_derives_from_the_one_root() -> None:
    classes = [obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, BaseException)]
    assert len(classes) > 15
    for cls in classes:
        assert issubclass(cls, TLError), cls


@pytest.mark.parametrize(
    "message, name, value",
    [
        ("FLOOD_WAIT_42", "FLOOD_WAIT_X", 42),
        ("FLOOD_PREMIUM_WAIT_7", "FLOOD_PREMIUM_WAIT_X", 7),
        ("PHONE_MIGRATE_4", "PHONE_MIGRATE_X", 4),
        ("METHOD_INVALID", "METHOD_INVALID", None),
        ("CHAT_ID_INVALID", "CHAT_ID_INVALID", None),
        ("_5", "_5", None),
        ("WAIT_٣", "WAIT_٣", None),  # a non-ASCII digit is not a number here
    ],
)
def test_rpc_error_parses_the_trailing_number(message: str, name: str, value: int | None) -> None:
    error = RPCError.from_rpc_error(420, message)
    assert (error.code, error.message, error.name, error.value) == (420, message, name, value)


def test_flood_wait_gives_seconds() -> None:
    error = RPCError.from_rpc_error(420, "FLOOD_WAIT_42")
    assert isinstance(error, FloodWaitError) and error.seconds == 42
    assert not isinstance(RPCError.from_rpc_error(400, "METHOD_INVALID"), FloodWaitError)


def test_schema_error_shows_position_and_caret() -> None:
    error = SchemaError("missing ';'", file="api.tl", line=3, column=5, source_line="abc#1 = T")
    assert str(error).splitlines() == ["api.tl:3:5: missing ';'", "    abc#1 = T", "        ^"]
    assert (error.file, error.line, error.column, error.reason) == ("api.tl", 3, 5, "missing ';'")


def test_unknown_constructor_names_id_in_hex_and_offset() -> None:
    error = UnknownConstructorError(0xDEADBEEF, offset=12, expected="InputPeer")
    assert "0xdeadbeef" in str(error) and "InputPeer" in str(error) and error.offset == 12


def test_errors_module_is_cheap_to_import() -> None:
    # `re` pulls in enum and the regex compiler: several ms for every user at start-up.
    # -S: without site, whose path hooks (e.g. an editable install's finder) may load `re` themselves.
    repo = str(Path(__file__).resolve().parents[2])
    code = f"import sys; sys.path.insert(0, {repo!r}); import tlruntime.errors; print('re' in sys.modules)"
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
