"""Check a parsed schema and give every combinator its final constructor id.

The parser records only what the text says; this pass decides whether the
schema can be emitted:

* constructor ids: the CRC32 of the TL line in its canonical form
  (:func:`canonical_line`); an explicit ``#id`` always wins, and an explicit id
  that differs from the computed one is reported loudly (an :class:`IdMismatch`
  in the result *and* a :class:`SchemaIdWarning`), never silently accepted;
* flag references (``flags.N?T``) name an earlier ``#`` field, with N in 0..31;
* every referenced type exists;
* TL names, constructor ids and the Python names derived from them
  (``generator.naming``) are unique.

Every problem raises :class:`tlruntime.errors.SchemaError` pointing at the
offending token (file, line, column).
"""

from __future__ import annotations

import warnings
import zlib
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from generator import naming
from generator.model import (
    CheckedCombinator,
    Combinator,
    IdMismatch,
    Param,
    Schema,
    SourcePos,
    TypeRef,
    ValidatedSchema,
    is_bare_name,
)
from tlruntime.errors import SchemaError

__all__ = [
    "MTPROTO_SERVICE_CONSTRUCTORS",
    "SchemaIdWarning",
    "canonical_line",
    "check_ids",
    "compute_id",
    "missing_service_constructors",
    "validate",
]

# Types every schema may use without defining them: the primitives the runtime
# implements by hand, the flags type, the generic vector and the any-object type.
BUILTIN_TYPES: FrozenSet[str] = frozenset(
    {"int", "long", "double", "string", "bytes", "int128", "int256", "Bool", "true",
     "Vector", "vector", "Object", "#"}
)
# Types that take exactly one type argument.
_VECTOR_TYPES = frozenset({"Vector", "vector"})
_MAX_FLAG_BIT = 31
# What the runtime's handshake and session read from the generated layer; they come from
# mtproto.tl.  A layer without them still generates, but cannot talk MTProto.
MTPROTO_SERVICE_CONSTRUCTORS = (
    "resPQ", "req_pq_multi", "rpc_result", "rpc_error", "msgs_ack", "ping", "pong",
    "bad_server_salt", "new_session_created",
)


class SchemaIdWarning(UserWarning):
    """An explicit constructor id differs from the CRC32 of its line; the explicit id is used."""


# --- constructor ids ------------------------------------------------------------


def _is_true_flag(param: Param) -> bool:
    return param.flag is not None and param.type.name == "true" and not param.type.args


def canonical_line(c: Combinator) -> str:
    """The text whose CRC32 is the constructor id, built from the parsed model.

    Written without its id, without ``flags.N?true`` parameters, with a
    ``bytes`` field type as ``string`` (not inside ``Vector<bytes>``),
    ``Vector<T>`` as ``Vector T``, ``%T`` as T's bare name (see
    :meth:`TypeRef.id_text`), ``{X:Type}`` as ``X:Type``, single spaces and no ``;``.
    """
    parts = [c.name]
    parts.extend(f"{tp.name}:{tp.kind}" for tp in c.type_params)
    for param in c.params:
        if _is_true_flag(param):
            continue
        condition = f"{param.flag.field}.{param.flag.bit}?" if param.flag is not None else ""
        parts.append(f"{param.name}:{condition}{param.type.id_text()}")
    parts.append("=")
    parts.append(c.result.id_text())
    return " ".join(parts)


def compute_id(c: Combinator) -> int:
    """The constructor id that the TL rule gives ``c`` (CRC32 of :func:`canonical_line`)."""
    return zlib.crc32(canonical_line(c).encode("utf-8"))


# --- errors -----------------------------------------------------------------------


def _error(message: str, pos: Optional[SourcePos], fallback: SourcePos) -> SchemaError:
    where = pos if pos is not None else fallback
    return SchemaError(
        message, file=where.file, line=where.line, column=where.column, source_line=where.text
    )


def _where(pos: SourcePos) -> str:
    return f"{pos.file}:{pos.line}"


def _id_pos(c: Combinator) -> SourcePos:
    """Position of the ``#id`` of ``c`` (or of its name when it has none)."""
    if c.explicit_id is None:
        return c.pos
    return SourcePos(c.pos.file, c.pos.line, c.pos.column + len(c.name), c.pos.text)


# --- per-combinator checks ----------------------------------------------------------


class _TypeUniverse:
    """Every name a type reference may use: defined types, constructors and builtins."""

    def __init__(self, schema: Schema) -> None:
        self.boxed: Set[str] = {c.result.name for c in schema.combinators if c.kind == "constructor"}
        self.constructors_of: Dict[str, List[str]] = {}
        for c in schema.combinators:
            if c.kind == "constructor":
                self.constructors_of.setdefault(c.result.name, []).append(c.name)
        self.constructors: Set[str] = {c.name for c in schema.combinators if c.kind == "constructor"}
        self.builtin: Set[str] = set(BUILTIN_TYPES)
        for decl in schema.builtins:
            self.builtin.add(decl.name)
            self.builtin.add(decl.result.split()[0].split("<")[0])

    def check(self, ref: TypeRef, c: Combinator, generics: FrozenSet[str]) -> None:
        if ref.generic_ref:
            if ref.name not in generics:
                raise _error(f"'!{ref.name}' names no generic parameter of {c.name}", ref.pos, c.pos)
            return
        if ref.name in generics:
            if ref.args:
                raise _error(f"generic parameter {ref.name!r} takes no type arguments", ref.pos, c.pos)
            return
        if ref.name == "#":
            raise _error("'#' can only be the type of a flags field", ref.pos, c.pos)
        self._check_name(ref, c)
        expected_args = 1 if ref.name in _VECTOR_TYPES else 0
        if len(ref.args) != expected_args:
            raise _error(
                f"type {ref.name!r} takes {expected_args} type argument(s), got {len(ref.args)}",
                ref.pos,
                c.pos,
            )
        for arg in ref.args:
            if arg.generic_ref or arg.name == "#":
                raise _error(f"{arg.name!r} cannot be a type argument", arg.pos, c.pos)
            self.check(arg, c, generics)

    def _check_name(self, ref: TypeRef, c: Combinator) -> None:
        name = ref.name
        lower = is_bare_name(name)
        if ref.bare and not lower:
            # `%Message`: the bare form of a type (or, loosely, a constructor).
            if name in self.constructors:
                return
            if name not in self.boxed:
                raise _error(f"unknown type {name!r} in bare reference '%{name}'", ref.pos, c.pos)
            # The bare form is written without a constructor id: only one constructor can be meant.
            found = self.constructors_of[name]
            if len(found) != 1:
                raise _error(
                    f"'%{name}' needs a type with exactly one constructor; {name} has "
                    f"{len(found)} ({', '.join(found)})",
                    ref.pos,
                    c.pos,
                )
            return
        if lower:
            if name in self.builtin or name in self.constructors:
                return
            raise _error(f"unknown bare type or constructor {name!r}", ref.pos, c.pos)
        if name in self.boxed or name in self.builtin:
            return
        raise _error(f"unknown type {name!r}", ref.pos, c.pos)


def _check_flags(c: Combinator) -> None:
    """``flags.N?T``: a ``#`` field declared earlier in the same combinator, N in 0..31."""
    declared: Dict[str, Param] = {}
    later = {p.name: p for p in c.params}
    for param in c.params:
        flag = param.flag
        if flag is not None:
            if param.type.name == "#":
                raise _error(f"the '#' field {param.name!r} cannot itself be conditional", flag.pos, param.pos)
            target = declared.get(flag.field)
            if target is None:
                if flag.field in later:
                    raise _error(
                        f"flag field {flag.field!r} is declared after {param.name!r}; "
                        "it must come first",
                        flag.pos,
                        param.pos,
                    )
                raise _error(f"flag field {flag.field!r} is not declared in {c.name}", flag.pos, param.pos)
            if target.type.name != "#":
                raise _error(
                    f"{flag.field!r} is not a '#' field and cannot hold flags", flag.pos, param.pos
                )
            if not 0 <= flag.bit <= _MAX_FLAG_BIT:
                raise _error(f"flag bit {flag.bit} is out of range 0..{_MAX_FLAG_BIT}", flag.pos, param.pos)
        declared.setdefault(param.name, param)


def _check_param_names(c: Combinator) -> None:
    """Two parameters may not share a TL name nor the Python name derived from it."""
    by_python: Dict[str, Param] = {}
    for param in c.params:
        python = naming.param_name(param.name)
        first = by_python.get(python)
        if first is not None:
            what = "duplicate parameter" if first.name == param.name else "Python name clash:"
            raise _error(
                f"{what} {param.name!r} (column {param.pos.column}) and {first.name!r} "
                f"(column {first.pos.column}) both become parameter {python!r}",
                param.pos,
                c.pos,
            )
        by_python[python] = param


def _check_combinator(c: Combinator, universe: _TypeUniverse) -> None:
    generics = frozenset(tp.name for tp in c.type_params)
    for tp in c.type_params:
        if tp.kind != "Type":
            raise _error(f"unsupported generic kind {tp.kind!r}: only {{X:Type}} is supported", tp.pos, c.pos)
    _check_flags(c)
    _check_param_names(c)
    for param in c.params:
        if param.type.name == "#":
            continue
        universe.check(param.type, c, generics)
    if c.kind == "constructor":
        if is_bare_name(c.result.name):
            raise _error(
                f"the result type of a constructor must be a boxed (capitalised) type, "
                f"not {c.result.name!r}",
                c.result.pos,
                c.pos,
            )
    else:
        universe.check(c.result, c, generics)


# --- whole-schema checks ------------------------------------------------------------


def _check_unique_names(combinators: Iterable[Combinator]) -> None:
    seen: Dict[str, Combinator] = {}
    for c in combinators:
        first = seen.get(c.name)
        if first is not None:
            raise _error(
                f"duplicate TL name {c.name!r} (first defined at {_where(first.pos)})", c.pos, c.pos
            )
        seen[c.name] = c


def _check_unique_ids(checked: Iterable[CheckedCombinator]) -> None:
    seen: Dict[int, Combinator] = {}
    for entry in checked:
        first = seen.get(entry.id)
        if first is not None:
            c = entry.combinator
            raise _error(
                f"duplicate constructor id #{entry.id:08x}: {c.name!r} and {first.name!r} "
                f"({_where(first.pos)})",
                _id_pos(c),
                c.pos,
            )
        seen[entry.id] = entry.combinator


def _package(c: Combinator) -> str:
    root = "types" if c.kind == "constructor" else "functions"
    return root if c.namespace is None else f"{root}.{c.namespace}"


def _check_python_names(combinators: Iterable[Combinator]) -> None:
    """No two combinators may end up as the same class or module of the same package."""
    classes: Dict[Tuple[str, str], Combinator] = {}
    modules: Dict[Tuple[str, str], Combinator] = {}
    namespaces: Dict[str, Set[str]] = {}
    all_combinators = list(combinators)
    for c in all_combinators:
        if c.namespace is not None:
            namespaces.setdefault(c.kind, set()).add(c.namespace.split(".")[0])
    for c in all_combinators:
        package = _package(c)
        for kind, table, python in (
            ("class", classes, naming.class_name(c.name)),
            ("module", modules, naming.module_name(c.name, namespaces.get(c.kind, set()))),
        ):
            key = (package, python)
            first = table.get(key)
            if first is not None:
                raise _error(
                    f"Python name clash: {c.name!r} and {first.name!r} ({_where(first.pos)}) "
                    f"both become {kind} {package}.{python}",
                    c.pos,
                    c.pos,
                )
            table[key] = c


def check_ids(
    combinators: Iterable[Combinator],
) -> Tuple[Tuple[CheckedCombinator, ...], Tuple[IdMismatch, ...]]:
    """Give each combinator its final id; warn about each explicit id that differs.

    The explicit id always wins.  Every mismatch is returned *and* announced
    with a :class:`SchemaIdWarning` naming the file:line, the TL name and both
    ids.  There is deliberately no list of expected exceptions here.
    """
    checked: List[CheckedCombinator] = []
    mismatches: List[IdMismatch] = []
    for c in combinators:
        computed = compute_id(c)
        final = computed if c.explicit_id is None else c.explicit_id
        if final != computed:
            mismatch = IdMismatch(c, final, computed)
            mismatches.append(mismatch)
            warnings.warn(
                SchemaIdWarning(
                    f"{_where(c.pos)}: {c.name}: explicit id #{final:08x} differs from the "
                    f"computed id #{computed:08x}; using the explicit id"
                ),
                stacklevel=2,
            )
        checked.append(CheckedCombinator(c, final, computed))
    return tuple(checked), tuple(mismatches)


def validate(schema: Schema) -> ValidatedSchema:
    """Check ``schema`` and give every combinator its final id.

    Raises :class:`SchemaError` at the first problem.  Each explicit id that
    differs from its computed CRC32 is kept, listed in ``mismatches`` and
    announced with a :class:`SchemaIdWarning`.
    """
    universe = _TypeUniverse(schema)
    for c in schema.combinators:
        _check_combinator(c, universe)
    _check_unique_names(schema.combinators)
    _check_python_names(schema.combinators)
    checked, mismatches = check_ids(schema.combinators)
    _check_unique_ids(checked)
    return ValidatedSchema(schema, checked, mismatches)


def missing_service_constructors(schema: Schema) -> Tuple[str, ...]:
    """The :data:`MTPROTO_SERVICE_CONSTRUCTORS` that ``schema`` does not define (forgot mtproto.tl?)."""
    defined = {c.name for c in schema.combinators}
    return tuple(name for name in MTPROTO_SERVICE_CONSTRUCTORS if name not in defined)
