"""The TL parser: every construct of the real schema files, exact error positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import BuiltinDecl, Combinator, FlagRef, Schema, TypeRef
from generator.parser import parse_files, parse_schema
from tlruntime.errors import SchemaError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MTPROTO = ROOT / "schema" / "mtproto.tl"
API = ROOT / "schema" / "api.tl"


def by_name(combinators: tuple[Combinator, ...], name: str) -> Combinator:
    (found,) = [c for c in combinators if c.name == name]
    return found


@pytest.fixture(scope="module")
def constructs() -> tuple[Combinator, ...]:
    return parse_files([FIXTURES / "constructs.tl"]).combinators


# --- constructs, field by field -------------------------------------------------


def test_fixture_layer_sections_and_builtins() -> None:
    schema = parse_files([FIXTURES / "constructs.tl"])
    assert schema.layer == 7
    assert [b.name for b in schema.builtins] == ["int", "long", "string", "vector", "vector", "int128"]
    assert [c.kind for c in schema.combinators].count("function") == 2
    assert by_name(schema.combinators, "invokeWithLayer").kind == "function"
    assert by_name(schema.combinators, "boolTrue").kind == "constructor"


def test_builtin_declarations() -> None:
    schema = parse_files([FIXTURES / "constructs.tl"])
    int_decl, _, _, vec, vec_id, int128 = schema.builtins
    assert int_decl == BuiltinDecl("int", None, "Int", int_decl.pos, "int ? = Int;")
    assert (int_decl.pos.line, int_decl.pos.column) == (2, 1)
    assert (vec.explicit_id, vec.result, vec.text) == (None, "Vector t", "vector {t:Type} # [ t ] = Vector t;")
    assert vec_id.explicit_id == 0x1CB5C415
    assert (int128.name, int128.result, int128.text) == ("int128", "Int128", "int128 4*[ int ] = Int128;")


def test_trailing_comment_is_not_part_of_the_text(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "boolTrue")
    assert c.text == "boolTrue#997275b5 = Bool;"
    assert c.explicit_id == 0x997275B5
    assert c.params == () and c.type_params == ()
    assert c.result == TypeRef("Bool")
    assert (c.pos.line, c.pos.column) == (10, 1)
    assert c.pos.text == "boolTrue#997275b5 = Bool;   // a trailing comment"


def test_short_hex_id_and_flags(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "inputMediaDoc")
    assert c.explicit_id == 0x037C9330
    flags, spoiler, ttl = c.params
    assert (flags.name, flags.type.name, flags.flag) == ("flags", "#", None)
    assert spoiler.flag == FlagRef("flags", 5)
    assert spoiler.type == TypeRef("true", bare=True)
    assert ttl.flag == FlagRef("flags", 1)
    assert ttl.type == TypeRef("int", bare=True)
    # Positions are exact, 1-based: `spoiler` starts at column 31, `flags.5?` at 39, `true` at 47.
    assert (spoiler.pos.line, spoiler.pos.column) == (14, 31)
    assert spoiler.flag.pos is not None and spoiler.flag.pos.column == 39
    assert spoiler.type.pos is not None and spoiler.type.pos.column == 47


def test_second_flags_field_and_generic_args(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "pair")
    names = [p.name for p in c.params]
    assert names == ["flags", "flags2", "a", "b", "c"]
    a, b, c_param = c.params[2:]
    assert a.flag == FlagRef("flags", 0)
    assert a.type == TypeRef("Vector", (TypeRef("long", bare=True),))
    assert b.flag == FlagRef("flags2", 31)
    assert b.type == TypeRef("bytes", bare=True)
    assert c_param.flag == FlagRef("flags2", 3) and c_param.type.name == "true"


def test_bare_vector_and_percent_type(constructs: tuple[Combinator, ...]) -> None:
    salts = by_name(constructs, "future_salts").params[-1]
    assert salts.type == TypeRef("vector", (TypeRef("future_salt", bare=True),), bare=True)
    items = by_name(constructs, "box").params[0]
    assert items.type == TypeRef("vector", (TypeRef("Entry", bare=True),), bare=True)


def test_namespaces_and_nested_vectors(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "messages.chatFull")
    assert (c.namespace, c.short_name) == ("messages", "chatFull")
    assert c.result == TypeRef("messages.ChatFull")
    users = c.params[1]
    assert users.type == TypeRef("Vector", (TypeRef("Vector", (TypeRef("InputPeer"),)),))
    fn = by_name(constructs, "messages.getIds")
    assert (fn.kind, fn.explicit_id) == ("function", 2)
    assert fn.result == TypeRef("Vector", (TypeRef("long", bare=True),))


def test_generics(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "invokeWithLayer")
    (tp,) = c.type_params
    assert (tp.name, tp.kind, tp.pos.column) == ("X", "Type", 27)
    layer, query = c.params
    assert layer.type == TypeRef("int", bare=True)
    assert query.type == TypeRef("X", generic_ref=True)
    assert c.result == TypeRef("X")


def test_id_less_combinator(constructs: tuple[Combinator, ...]) -> None:
    c = by_name(constructs, "tlsBlockString")
    assert c.explicit_id is None
    assert c.text == "tlsBlockString data:string = TlsBlock;"


def test_multi_line_declaration_text_drops_comments() -> None:
    schema = parse_schema("foo#1 a:int // first\n  b:long = T;\n")
    (c,) = schema.combinators
    assert c.text == "foo#1 a:int b:long = T;"
    assert [p.name for p in c.params] == ["a", "b"]
    assert (c.params[1].pos.line, c.params[1].pos.column) == (2, 3)


def test_each_file_starts_in_the_types_section(tmp_path: Path) -> None:
    first = tmp_path / "a.tl"
    second = tmp_path / "b.tl"
    first.write_text("a#1 = A;\n---functions---\nf#2 = A;\n")
    second.write_text("b#3 = B;\n// LAYER 5\n")
    schema = parse_files([first, second])
    assert [(c.name, c.kind) for c in schema.combinators] == [
        ("a", "constructor"),
        ("f", "function"),
        ("b", "constructor"),
    ]
    assert schema.layer == 5
    assert schema.combinators[2].pos.file == str(second)


def test_empty_and_comment_only_text() -> None:
    assert parse_schema("").combinators == ()
    schema = parse_schema("// nothing here\n\n// LAYER 3\n")
    assert (schema.combinators, schema.builtins, schema.layer) == ((), (), 3)


# --- syntax errors: class, line, column and message --------------------------------

BROKEN = [
    # (text, line, column, message fragment)
    pytest.param("ok#1 = T;\nfoo#2 a:int = T\nbar#3 = T;\n", 2, 16, "missing ';'", id="missing-semicolon"),
    pytest.param("foo#2 a:int = T", 1, 16, "missing ';'", id="missing-semicolon-at-eof"),
    pytest.param("foo#2 a:int T;\n", 1, 13, "missing '='", id="missing-equals"),
    pytest.param("foo#xyz a:int = T;\n", 1, 4, "bad constructor id '#xyz'", id="bad-id"),
    pytest.param("foo#123456789 = T;\n", 1, 4, "1 to 8 hex digits", id="id-too-long"),
    pytest.param("foo #12 = T;\n", 1, 5, "without spaces", id="id-after-space"),
    pytest.param("foo#1 a:Vector<long = T;\n", 1, 21, "unterminated '<'", id="unterminated-angle"),
    pytest.param("foo#1 a:int $ = T;\n", 1, 13, "unexpected character '$'", id="garbage"),
    pytest.param("foo#1 a int = T;\n", 1, 9, "expected ':' after parameter name 'a'", id="missing-colon"),
    pytest.param("---stuff---\n", 1, 1, "unknown section", id="unknown-section"),
    pytest.param("a#1 = A;\n\n  = B;\n", 3, 3, "expected a declaration, found '='", id="missing-name"),
    pytest.param("a#1 x:flags.0? = A;\n", 1, 16, "expected a type, found '='", id="flag-without-type"),
]


@pytest.mark.parametrize("text, line, column, fragment", BROKEN)
def test_syntax_errors(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "broken.tl")
    err = info.value
    assert (err.file, err.line, err.column) == ("broken.tl", line, column), str(err)
    assert fragment in err.reason, str(err)
    assert err.source_line == text.split("\n")[line - 1]
    # str() shows the position, the line and a caret under the column.
    assert str(err).startswith(f"broken.tl:{line}:{column}: ")
    assert str(err).splitlines()[-1] == "    " + " " * (column - 1) + "^"


def test_conflicting_layer_comments() -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema("// LAYER 1\na#1 = A;\n// LAYER 2\n")
    assert (info.value.line, info.value.column) == (3, 1)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab#1?:.<>{}!%=;*[] \n/-", max_size=40))
def test_arbitrary_text_gives_a_schema_or_a_schema_error(text: str) -> None:
    """Whatever the input, Lark's own exceptions never escape."""
    try:
        parse_schema(text)
    except SchemaError as err:
        assert err.line >= 1 and err.column >= 1


def test_every_truncation_of_a_real_line_raises_schema_error() -> None:
    line = "messages.exportChatInvite#a455de90 flags:# request_needed:flags.3?true peer:InputPeer = ExportedChatInvite;"
    for end in range(1, len(line)):
        text = line[:end]
        if text.rstrip().endswith(";"):
            continue
        with pytest.raises(SchemaError):
            parse_schema(text)


# --- the real files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> tuple[Combinator, ...]:
    return parse_files([MTPROTO, API]).combinators


def test_real_files_counts_and_layer() -> None:
    mtproto = parse_files([MTPROTO])
    api = parse_files([API])
    assert mtproto.layer is None and api.layer == 229
    assert parse_files([MTPROTO, API]).layer == 229
    def kinds(schema: Schema) -> tuple[int, int]:
        found = [c.kind for c in schema.combinators]
        return found.count("constructor"), found.count("function")

    assert kinds(mtproto) == (53, 11)
    assert kinds(api) == (1657, 813)
    assert len(mtproto.builtins) == 7 and len(api.builtins) == 1


def test_real_files_every_line_is_accounted_for() -> None:
    """Each non-comment line ending in ';' became exactly one combinator or builtin."""
    for path in (MTPROTO, API):
        schema = parse_files([path])
        declared = [
            line for line in path.read_text().splitlines() if line.strip().endswith(";") and not line.startswith("//")
        ]
        parsed = sorted(
            [c.pos.line for c in schema.combinators] + [b.pos.line for b in schema.builtins]
        )
        assert len(parsed) == len(declared)
        for c in schema.combinators:
            assert c.text == c.pos.text.split("//")[0].strip()


def test_real_seed_combinator(real: tuple[Combinator, ...]) -> None:
    c = by_name(real, "messages.exportChatInvite")
    assert (c.kind, c.namespace, c.explicit_id) == ("function", "messages", 0xA455DE90)
    assert [p.name for p in c.params] == [
        "flags", "legacy_revoke_permanent", "request_needed", "peer", "expire_date",
        "usage_limit", "title", "subscription_pricing",
    ]
    assert c.params[-1].flag == FlagRef("flags", 5)
    assert c.params[-1].type == TypeRef("StarsSubscriptionPricing")
    assert c.result == TypeRef("ExportedChatInvite")
    assert c.pos.file == str(API)
    tls = by_name(real, "tlsClientHello")
    assert tls.explicit_id is None and tls.params[0].type.name == "vector"
    message = by_name(real, "msg_container").params[0].type
    assert message == TypeRef("vector", (TypeRef("message", bare=True),), bare=True)


def test_conflicting_layers_across_files(tmp_path: Path) -> None:
    first = tmp_path / "a.tl"
    second = tmp_path / "b.tl"
    first.write_text("// LAYER 228\na#1 = A;\n")
    second.write_text("b#2 = B;\n\n// LAYER 229\n")
    with pytest.raises(SchemaError) as info:
        parse_files([first, second])
    err = info.value
    assert (err.file, err.line, err.column, err.source_line) == (str(second), 3, 1, "// LAYER 229")
    assert f"228 at {first}:1" in err.reason
