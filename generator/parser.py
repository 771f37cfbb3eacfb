"""Parse TL schema text into the frozen model of ``generator.model``.

The grammar lives in ``tl.lark`` and is run with Lark's LALR parser; a Lark
transformer is attached to the parser so the model objects are built during
the parse itself (no intermediate tree), which keeps the two real schema files
well under a second.  The parser records what the text says and computes
nothing: ids, flag references and type references are checked by
``generator.validate``.

Every syntax error becomes a :class:`tlruntime.errors.SchemaError` carrying the
file, the 1-based line and column and the offending source line; Lark's own
exceptions never escape.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from generator import naming
from generator.model import (
    BuiltinDecl,
    Combinator,
    FlagRef,
    Param,
    Schema,
    SourcePos,
    TypeParam,
    TypeRef,
    is_bare_name,
)
from tlruntime.errors import SchemaError

__all__ = ["parse_schema", "parse_files", "read_schema_text", "is_bare_name"]

_GRAMMAR_PATH = Path(__file__).with_name("tl.lark")
_LAYER_COMMENT = re.compile(r"//\s*LAYER\s+(\d+)\s*$")
_HEX_ID = re.compile(r"#[0-9A-Fa-f]{1,8}")
_SECTIONS = {"---types---": "constructor", "---functions---": "function"}

# How each terminal reads in an error message.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "CONSTRUCTOR_ID": "a constructor id",
    "FLAG_COND": "a flag condition such as 'flags.0?'",
    "NUMBER": "a number",
    "SECTION": "a section marker",
    "EQUALS": "'='",
    "SEMI": "';'",
    "COLON": "':'",
    "HASH": "'#'",
    "BANG": "'!'",
    "PERCENT": "'%'",
    "QUESTION": "'?'",
    "STAR": "'*'",
    "COMMA": "','",
    "LANGLE": "'<'",
    "RANGLE": "'>'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LBRACKET": "'['",
    "RBRACKET": "']'",
    "$END": "the end of the file",
}


# --- intermediate values passed between transformer callbacks -----------------


@dataclass(frozen=True)
class _Head:
    name: Token
    id_token: Optional[Token]


@dataclass(frozen=True)
class _Anonymous:
    """An argument written without a name (``long`` in ``int128 long long = Int128;``)."""

    token: Token


@dataclass(frozen=True)
class _Params:
    params: Tuple[Union[Param, _Anonymous], ...]


@dataclass(frozen=True)
class _BuiltinBody:
    pass


@dataclass(frozen=True)
class _Declaration:
    head: _Head
    type_params: Tuple[TypeParam, ...]
    body: Union[_Params, _BuiltinBody]
    result: TypeRef
    result_text: str
    semi: Token


_Item = Union[Token, _Declaration]


class _ParseContext:
    """Per-call state: the text being parsed and the LAYER comments seen."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.lines = text.split("\n")
        self.layer: Optional[int] = None
        self.layer_pos: Optional[SourcePos] = None

    def add_layer(self, layer: int, pos: SourcePos) -> None:
        """Record a ``// LAYER N`` comment; every such comment of a schema must agree."""
        if self.layer is not None and layer != self.layer and self.layer_pos is not None:
            raise SchemaError(
                f"conflicting LAYER comments: {self.layer} at "
                f"{self.layer_pos.file}:{self.layer_pos.line}, {layer} here",
                file=pos.file,
                line=pos.line,
                column=pos.column,
                source_line=pos.text,
            )
        if self.layer is None:
            self.layer, self.layer_pos = layer, pos

    def line_text(self, line: int) -> str:
        return self.lines[line - 1].rstrip("\r") if 0 < line <= len(self.lines) else ""

    def pos(self, token: Token) -> SourcePos:
        line = token.line or 1
        return SourcePos(self.file, line, token.column or 1, self.line_text(line))

    def error(self, message: str, line: int, column: int) -> SchemaError:
        return SchemaError(
            message, file=self.file, line=line, column=column, source_line=self.line_text(line)
        )

    def error_at(self, message: str, token: Token) -> SchemaError:
        return self.error(message, token.line or 1, token.column or 1)


class _Builder(Transformer[Token, List[_Item]]):
    """Lark callbacks that build model objects as the LALR parser reduces rules.

    One instance is attached to the shared parser; ``context`` is set for the
    duration of one parse (under ``_LOCK``).
    """

    context: _ParseContext

    # --- heads and type parameters -------------------------------------------

    def name_with_id(self, children: List[Token]) -> _Head:
        name = children[0]
        id_token = children[1] if len(children) > 1 else None
        if id_token is not None and not _HEX_ID.fullmatch(id_token):
            raise self.context.error_at(
                f"bad constructor id {str(id_token)!r}: expected '#' and 1 to 8 hex digits",
                id_token,
            )
        if id_token is not None and id_token.start_pos != name.end_pos:
            raise self.context.error_at(
                "the constructor id must follow the name without spaces", id_token
            )
        return _Head(name, id_token)

    def type_param(self, children: List[Token]) -> TypeParam:
        _, name, _, kind, _ = children
        return TypeParam(str(name), str(kind), self.context.pos(name))

    # --- bodies ---------------------------------------------------------------

    def params(self, children: List[Union[Param, _Anonymous]]) -> _Params:
        return _Params(tuple(children))

    def anonymous_param(self, children: List[Token]) -> _Anonymous:
        return _Anonymous(children[0])

    def builtin_opaque(self, children: List[Token]) -> _BuiltinBody:
        return _BuiltinBody()

    def builtin_repeat(self, children: List[Token]) -> _BuiltinBody:
        return _BuiltinBody()

    def param(self, children: List[Union[Token, TypeRef]]) -> Param:
        name = children[0]
        type_ref = children[-1]
        if not isinstance(name, Token) or not isinstance(type_ref, TypeRef):
            raise TypeError("grammar and builder disagree on 'param'")
        flag: Optional[FlagRef] = None
        if len(children) == 4:
            cond = children[2]
            if not isinstance(cond, Token):
                raise TypeError("grammar and builder disagree on 'param'")
            field_name, _, bit = str(cond)[:-1].rpartition(".")
            flag = FlagRef(field_name, int(bit), pos=self.context.pos(cond))
        return Param(str(name), type_ref, flag, self.context.pos(name))

    # --- types ----------------------------------------------------------------

    def nat_type(self, children: List[Token]) -> TypeRef:
        return TypeRef("#", bare=True, pos=self.context.pos(children[0]))

    def generic_ref(self, children: List[Token]) -> TypeRef:
        return TypeRef(str(children[1]), generic_ref=True, pos=self.context.pos(children[0]))

    def bare_type(self, children: List[Union[Token, Tuple[TypeRef, ...]]]) -> TypeRef:
        percent, name = children[0], children[1]
        args = children[2] if len(children) > 2 else ()
        if not isinstance(percent, Token) or not isinstance(name, Token) or not isinstance(args, tuple):
            raise TypeError("grammar and builder disagree on 'bare_type'")
        return TypeRef(str(name), args, bare=True, pos=self.context.pos(percent))

    def named_type(self, children: List[Union[Token, Tuple[TypeRef, ...]]]) -> TypeRef:
        name = children[0]
        args = children[1] if len(children) > 1 else ()
        if not isinstance(name, Token) or not isinstance(args, tuple):
            raise TypeError("grammar and builder disagree on 'named_type'")
        return TypeRef(str(name), args, bare=is_bare_name(name), pos=self.context.pos(name))

    def type_args(self, children: List[Union[Token, TypeRef]]) -> Tuple[TypeRef, ...]:
        return tuple(child for child in children if isinstance(child, TypeRef))

    def result(self, children: List[Union[Token, Tuple[TypeRef, ...]]]) -> Tuple[TypeRef, str]:
        name = children[0]
        if not isinstance(name, Token):
            raise TypeError("grammar and builder disagree on 'result'")
        rest = children[1:]
        if rest and isinstance(rest[0], tuple):
            args: Tuple[TypeRef, ...] = rest[0]
            text = TypeRef(str(name), args).tl_text()
        else:
            words = [child for child in rest if isinstance(child, Token)]
            args = tuple(
                TypeRef(str(w), bare=is_bare_name(w), pos=self.context.pos(w)) for w in words
            )
            text = " ".join([str(name), *map(str, words)])
        ref = TypeRef(str(name), args, bare=is_bare_name(name), pos=self.context.pos(name))
        return ref, text

    # --- declarations and the file ------------------------------------------

    def declaration(self, children: List[object]) -> _Declaration:
        head, *middle, equals, result, semi = children
        if (
            not isinstance(head, _Head)
            or not isinstance(semi, Token)
            or not isinstance(equals, Token)
            or not isinstance(result, tuple)
        ):
            raise TypeError("grammar and builder disagree on 'declaration'")
        body = middle[-1]
        if not isinstance(body, (_Params, _BuiltinBody)):
            raise TypeError("grammar and builder disagree on 'declaration'")
        type_params = tuple(p for p in middle[:-1] if isinstance(p, TypeParam))
        if isinstance(body, _Params) and _is_builtin(head, body, result[0]):
            body = _BuiltinBody()
        elif isinstance(body, _Params):
            self._reject_anonymous(head, body, equals)
        return _Declaration(head, type_params, body, result[0], result[1], semi)

    def _reject_anonymous(self, head: _Head, body: _Params, equals: Token) -> None:
        """An argument without a name in an ordinary combinator: most likely a missing ':'."""
        for index, param in enumerate(body.params):
            if not isinstance(param, _Anonymous):
                continue
            following = body.params[index + 1] if index + 1 < len(body.params) else None
            if isinstance(following, _Anonymous):
                found, line, column = f"name {str(following.token)!r}", following.token.line, following.token.column
            elif isinstance(following, Param):
                found, line, column = f"name {following.name!r}", following.pos.line, following.pos.column
            else:
                found, line, column = "'='", equals.line, equals.column
            hint = ""
            if head.id_token is None and all(isinstance(p, _Anonymous) for p in body.params):
                hint = (
                    " (arguments without names are only allowed in a builtin declaration named "
                    "after its result type, such as 'int128 long long = Int128;')"
                )
            raise self.context.error(
                f"expected ':' after parameter name {str(param.token)!r}, found {found}{hint}",
                line or 1,
                column or 1,
            )

    def section(self, children: List[Token]) -> Token:
        marker = children[0]
        if str(marker) not in _SECTIONS:
            raise self.context.error_at(
                f"unknown section {str(marker)!r}: expected '---types---' or '---functions---'",
                marker,
            )
        return marker

    def start(self, children: List[_Item]) -> List[_Item]:
        return children


# Builtin types that some schemas declare with an empty body (TDLib's ``bytes = Bytes;``).
_PRIMITIVES = frozenset({"int", "long", "double", "string", "bytes", "int128", "int256"})


def _names_its_result(name: str, result: TypeRef) -> bool:
    """``int128 ... = Int128``: the result is the declared name with a capital first letter."""
    return not result.args and result.name == name[:1].upper() + name[1:]


def _is_builtin(head: _Head, body: _Params, result: TypeRef) -> bool:
    """A builtin declaration written like a combinator.

    ``int128 long long = Int128;`` (only anonymous arguments, named after its
    result) and ``bytes = Bytes;`` (a primitive declared with an empty body) say
    what the runtime implements by hand; they are not constructors.
    """
    name = str(head.name)
    if not _names_its_result(name, result):
        return False
    if body.params:
        return all(isinstance(p, _Anonymous) for p in body.params)
    return head.id_token is None and name in _PRIMITIVES


_LOCK = threading.Lock()
_BUILDER = _Builder()


def _record_comment(token: Token) -> Token:
    match = _LAYER_COMMENT.match(token)
    if match:
        ctx = _BUILDER.context
        ctx.add_layer(int(match.group(1)), ctx.pos(token))
    return token


_PARSER = Lark(
    _GRAMMAR_PATH.read_text(encoding="utf-8"),
    parser="lalr",
    lexer="contextual",
    transformer=_BUILDER,
    lexer_callbacks={"COMMENT": _record_comment},
    propagate_positions=False,
    maybe_placeholders=False,
)


# --- building the schema ------------------------------------------------------


def _declaration_text(ctx: _ParseContext, decl: _Declaration) -> str:
    """The declaration as written from its name to ``;``; comments dropped if it spans lines."""
    raw = ctx.text[decl.head.name.start_pos : decl.semi.end_pos]
    if "\n" not in raw:
        return raw
    pieces = (line.split("//", 1)[0].strip() for line in raw.split("\n"))
    return " ".join(piece for piece in pieces if piece)


def _build_schema(ctx: _ParseContext, items: Iterable[_Item]) -> Schema:
    kind = "constructor"
    combinators: List[Combinator] = []
    builtins: List[BuiltinDecl] = []
    for item in items:
        if isinstance(item, Token):
            kind = _SECTIONS[str(item)]
            continue
        head = item.head
        explicit_id = int(head.id_token[1:], 16) if head.id_token is not None else None
        pos = ctx.pos(head.name)
        text = _declaration_text(ctx, item)
        if isinstance(item.body, _BuiltinBody):
            builtins.append(BuiltinDecl(str(head.name), explicit_id, item.result_text, pos, text))
            continue
        combinators.append(
            Combinator(
                name=str(head.name),
                namespace=naming.namespace_of(str(head.name)),
                explicit_id=explicit_id,
                type_params=item.type_params,
                params=tuple(p for p in item.body.params if isinstance(p, Param)),
                result=item.result,
                kind="function" if kind == "function" else "constructor",
                pos=pos,
                text=text,
            )
        )
    return Schema(tuple(combinators), tuple(builtins), ctx.layer)


# --- errors -------------------------------------------------------------------


def _describe(token: Token) -> str:
    """How the offending token reads in a message: ``'='``, ``name 'foo'``, ``the end of the file``."""
    if token.type == "NAME":
        return f"name {str(token)!r}"
    if token.type in ("NUMBER", "CONSTRUCTOR_ID", "FLAG_COND", "SECTION"):
        return f"{_TERMINAL_WORDS[token.type]} {str(token)!r}"
    return _TERMINAL_WORDS.get(token.type, token.type)


def _expected_words(expected: Iterable[str]) -> str:
    words = sorted({_TERMINAL_WORDS.get(name, name) for name in expected})
    return ", ".join(words) if len(words) < 2 else "one of " + ", ".join(words)


def _tokens_before(ctx: _ParseContext, end: int) -> List[Token]:
    """The tokens of the declaration that is being read at offset ``end``."""
    tokens: List[Token] = []
    try:
        for token in _PARSER.lex(ctx.text[:end]):
            if token.type in ("SEMI", "SECTION"):
                tokens = []
            else:
                tokens.append(token)
    except UnexpectedInput:
        pass
    return tokens


def _end_column(token: Token) -> int:
    return (token.column or 1) + len(token)


def _syntax_error(ctx: _ParseContext, exc: UnexpectedInput) -> SchemaError:
    """Turn a Lark exception into a SchemaError with a message a schema author can act on."""
    if isinstance(exc, UnexpectedCharacters):
        offset = exc.pos_in_stream or 0
        char = ctx.text[offset] if offset < len(ctx.text) else ""
        return ctx.error(f"unexpected character {char!r}", exc.line, exc.column)
    if not isinstance(exc, UnexpectedToken):
        return ctx.error(f"syntax error: {exc}", getattr(exc, "line", 1), getattr(exc, "column", 1))

    token: Token = exc.token
    expected = set(exc.expected)
    at_end = token.type == "$END"
    offset = len(ctx.text) if at_end else (token.start_pos or 0)
    tokens = _tokens_before(ctx, offset)
    token_line = token.line if not at_end and token.line else len(ctx.lines) + 1
    seen_equals = any(t.type == "EQUALS" for t in tokens)

    # A declaration that runs on past the end of a line holding '= Result': the ';' is missing.
    if tokens:
        finished_lines = [t for t in tokens if (t.line or 0) < token_line]
        if finished_lines:
            first_line = finished_lines[0].line
            on_first_line = [t for t in finished_lines if t.line == first_line]
            if any(t.type == "EQUALS" for t in on_first_line):
                last = on_first_line[-1]
                return ctx.error(
                    "missing ';' at the end of the declaration", last.line or 1, _end_column(last)
                )
    if at_end:
        if tokens:
            last = tokens[-1]
            what = "';'" if seen_equals else "'= Result;'"
            return ctx.error(
                f"unexpected end of file: the declaration is missing {what}",
                last.line or 1,
                _end_column(last),
            )
        return ctx.error(f"unexpected end of file; expected {_expected_words(expected)}", 1, 1)

    previous = tokens[-1] if tokens else None
    if token.type == "SEMI" and not seen_equals and previous is not None and previous.type == "NAME":
        return ctx.error_at(f"missing '=' before the result type {str(previous)!r}", previous)
    if "RANGLE" in expected and "SEMI" not in expected:
        return ctx.error_at(
            f"unterminated '<': expected '>' before {_describe(token)}", token
        )
    if {"NAME", "PERCENT"} <= expected and expected <= {"NAME", "PERCENT", "BANG", "HASH"}:
        return ctx.error_at(f"expected a type, found {_describe(token)}", token)
    if expected <= {"NAME", "SECTION"} and not tokens:
        return ctx.error_at(f"expected a declaration, found {_describe(token)}", token)
    if expected == {"COLON"} and previous is not None and previous.type == "NAME":
        return ctx.error_at(
            f"expected ':' after parameter name {str(previous)!r}, found {_describe(token)}", token
        )
    return ctx.error_at(
        f"unexpected {_describe(token)}; expected {_expected_words(expected)}", token
    )


# --- public API -----------------------------------------------------------------


def parse_schema(text: str, file: str = "<string>") -> Schema:
    """Parse one TL schema text; the text starts in the ``---types---`` section.

    Raises :class:`SchemaError` (file, line, column, source line) on any syntax error.
    """
    return _parse(text, file)[0]


def _parse(text: str, file: str) -> Tuple[Schema, Optional[SourcePos]]:
    """The schema of one text and where its ``// LAYER`` comment is (if any)."""
    ctx = _ParseContext(text, file)
    with _LOCK:
        _BUILDER.context = ctx
        try:
            items = _PARSER.parse(text)
        except UnexpectedInput as exc:
            raise _syntax_error(ctx, exc) from None
    if not isinstance(items, list):
        raise TypeError("the parser's transformer must return the list of declarations")
    return _build_schema(ctx, items), ctx.layer_pos


def read_schema_text(path: Path) -> str:
    """The text of a schema file: UTF-8, an optional byte-order mark dropped.

    Raises :class:`SchemaError` at the line and column of the first byte that is
    not UTF-8 (naming its offset); ``OSError`` when the file cannot be read.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line_end = data.find(b"\n", exc.start)
        raw_line = data[line_start : line_end if line_end >= 0 else len(data)]
        column = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise SchemaError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            file=str(path),
            line=line,
            column=column,
            source_line=raw_line.decode("utf-8", "replace").rstrip("\r"),
        ) from None


@functools.lru_cache(maxsize=16)
def _parse_file(path: str, mtime_ns: int, size: int) -> Tuple[Schema, Optional[SourcePos]]:
    """One file's parse, remembered while the file is unchanged.

    ``tlgen generate`` checks a schema before handing its paths to the emitter,
    which parses them again; the model is frozen, so both share one parse.
    """
    return _parse(read_schema_text(Path(path)), path)


def parse_files(paths: Sequence[Path]) -> Schema:
    """Parse several schema files in order and concatenate them into one :class:`Schema`.

    Each file starts in the types section.  The layer is the one named by the
    files' ``// LAYER N`` comments (they must agree).
    """
    combinators: List[Combinator] = []
    builtins: List[BuiltinDecl] = []
    layers = _ParseContext("", "<files>")
    for path in paths:
        stat = Path(path).stat()
        schema, layer_pos = _parse_file(str(path), stat.st_mtime_ns, stat.st_size)
        if schema.layer is not None and layer_pos is not None:
            layers.add_layer(schema.layer, layer_pos)
        combinators.extend(schema.combinators)
        builtins.extend(schema.builtins)
    return Schema(tuple(combinators), tuple(builtins), layers.layer)
