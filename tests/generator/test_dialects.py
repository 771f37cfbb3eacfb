"""Schemas as other publishers write them: TDLib, tdesktop, older layers, the secret-chat schema.

Each fixture under fixtures/ reproduces constructs that Telegram's own api.tl
and mtproto.tl (layer 229) do not use; every explicit id in them is a real one
and must equal the computed id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import TypeRef
from generator.parser import parse_files, parse_schema
from generator.validate import validate
from tlruntime.errors import SchemaError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PRELUDE = FIXTURES / "prelude_anonymous.tl"
DIALECTS = FIXTURES / "other_dialects.tl"


def test_prelude_with_anonymous_arguments_declares_builtins() -> None:
    schema = parse_files([PRELUDE])
    assert schema.layer is None
    assert [(b.name, b.result) for b in schema.builtins] == [
        ("int", "Int"), ("long", "Long"), ("double", "Double"), ("string", "String"),
        ("bytes", "Bytes"), ("bytes", "Bytes"), ("int128", "Int128"), ("int256", "Int256"),
        ("vector", "Vector t"),
    ]
    assert schema.builtins[6].text == "int128 long long = Int128;"
    (pair,) = validate(schema).combinators
    assert (pair.combinator.name, pair.id, pair.computed_id) == ("pair", 0x6A30C972, 0x6A30C972)


def test_other_dialects_every_id_is_the_computed_one() -> None:
    validated = validate(parse_files([DIALECTS]))
    assert validated.mismatches == ()
    assert validated.schema.layer is None
    ids = {cc.combinator.name: cc.id for cc in validated.combinators}
    # Real ids from TDLib's, Telethon's and tdesktop's files.
    assert ids["msg_container"] == 0x73F1F8DC  # vector<%Message>
    assert ids["message"] == 0x5BB8E511  # the id-less mtproto line
    assert ids["help.configSimple"] == 0xD997C3C5  # Vector<ipPort>
    assert ids["boolFalse"] == 0xBC799737 and ids["boolTrue"] == 0x997275B5  # id-less
    assert ids["decryptedMessageMediaEmpty"] == 0x089F5C4A  # seven hex digits


def test_sections_may_switch_back_to_types() -> None:
    kinds = {c.name: c.kind for c in parse_files([DIALECTS]).combinators}
    assert kinds["test.useError"] == "function"
    assert kinds["stickerSet"] == kinds["sets"] == "constructor"


def test_type_references_render_as_written() -> None:
    combinators = {c.name: c for c in parse_files([DIALECTS]).combinators}
    first, every = combinators["sets"].params
    assert first.type.tl_text() == "%messages.StickerSet"
    assert every.type.tl_text() == "vector<%messages.StickerSet>"
    assert combinators["msg_container"].params[0].type.tl_text() == "vector<%Message>"
    assert combinators["help.configSimple"].params[-1].type.tl_text() == "Vector<ipPort>"
    # A parameter may be named like a type (`long:double`).
    assert [p.name for p in combinators["decryptedMessageMediaGeoPoint"].params] == ["lat", "long"]


@pytest.mark.parametrize(
    "ref, written, hashed",
    [
        (TypeRef("#", bare=True), "#", "#"),
        (TypeRef("X", generic_ref=True), "!X", "!X"),
        (TypeRef("bytes", bare=True), "bytes", "string"),
        (TypeRef("Vector", (TypeRef("bytes", bare=True),)), "Vector<bytes>", "Vector bytes"),
        (TypeRef("Message", bare=True), "%Message", "message"),
        (TypeRef("vector", (TypeRef("ns.Thing", bare=True),), bare=True), "vector<%ns.Thing>", "vector ns.thing"),
        (TypeRef("messages.chatFull", bare=True), "messages.chatFull", "messages.chatFull"),
        (TypeRef("Vector", (TypeRef("Vector", (TypeRef("long", bare=True),)),)), "Vector<Vector<long>>",
         "Vector Vector long"),
    ],
)
def test_one_renderer_for_type_references(ref: TypeRef, written: str, hashed: str) -> None:
    assert ref.tl_text() == written
    assert ref.id_text() == hashed


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("foo#1 a int = T;", 9, "expected ':' after parameter name 'a', found name 'int'"),
        ("foo#1 a = T;", 9, "expected ':' after parameter name 'a', found '='"),
        ("foo#1 x:int a b:int = T;", 15, "after parameter name 'a', found name 'b'"),
        # Anonymous arguments, but not named after the result: not a builtin, and the message says so.
        ("int128 long long = Long;", 13, "only allowed in a builtin declaration named after its result type"),
    ],
)
def test_anonymous_arguments_outside_builtins(text: str, column: int, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "anon.tl")
    assert (info.value.file, info.value.line, info.value.column) == ("anon.tl", 1, column)
    assert fragment in info.value.reason
    assert str(info.value).splitlines()[-1] == "    " + " " * (column - 1) + "^"


def test_non_utf8_schema_names_line_column_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tl"
    path.write_bytes(b"a#1 = A;\nb#2 x:int = B; // caf\xe9\n")
    with pytest.raises(SchemaError) as info:
        parse_files([path])
    err = info.value
    assert (err.file, err.line, err.column) == (str(path), 2, 22)
    assert "not UTF-8: byte 0xe9 at offset 30" in err.reason


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.tl"
    path.write_bytes(b"\xef\xbb\xbfinputPeerEmpty#7f3b18ea = InputPeer;\n")
    (c,) = parse_files([path]).combinators
    assert (c.name, c.pos.column) == ("inputPeerEmpty", 1)
