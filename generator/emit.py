"""Emit the Python layer (``tlruntime/tl/``) from a validated schema.

The work is split in two: this module turns every combinator into a
*view-model* (plain dataclasses holding every name, struct format, flag mask
and code fragment already decided), and the Jinja2 templates in
``generator/templates/`` only loop over those and substitute.  All output goes
through :func:`_write_tree`, which writes a sorted, timestamp-free tree and
removes stale files, so two runs produce identical bytes.

Layout (one module per TL term, lazily loaded):

* ``tl/__init__.py`` - ``deserialize`` and lazy ``functions``/``types``/``abcs``
* ``tl/_index.py`` - constructor id -> (module, class) for dispatch
* ``tl/types/[<ns>/]<module>.py`` - one constructor each
* ``tl/functions/[<ns>/]<module>.py`` - one function each
* ``tl/abcs/__init__.py``, ``tl/abcs/<ns>.py`` - typing-only unions of the
  constructors of each abstract type
"""

from __future__ import annotations

import re
import shutil
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Collection, Iterable, Mapping, Sequence

import jinja2

from generator import naming
from generator.model import CheckedCombinator, Combinator, Param, Schema, TypeRef, ValidatedSchema
from tlruntime.errors import GenerationError

__all__ = ["generate_layer", "render_layer", "write_layer", "RUNTIME_COMBINATORS", "SEED_NAMES"]

TEMPLATES = Path(__file__).with_name("templates")
PACKAGE = "tlruntime.tl"

# Combinators the runtime implements by hand instead of generating, by (TL name, id):
# Bool is Python's bool; gzip_packed, msg_container and the bare mtproto
# ``message`` (which would clash with api.tl's ``message``) live in tlruntime.core_types.
RUNTIME_COMBINATORS: Mapping[tuple[str, int], tuple[str, str] | None] = {
    ("boolFalse", 0xBC799737): None,
    ("boolTrue", 0x997275B5): None,
    ("gzip_packed", 0x3072CFA1): ("tlruntime.core_types", "GzipPacked"),
    ("msg_container", 0x73F1F8DC): ("tlruntime.core_types", "MsgContainer"),
    ("message", 0x5BB8E511): ("tlruntime.core_types", "ContainerMessage"),
}

# The golden classes (tests/golden/): the seed request, its result types, and inputPeer*.
SEED_NAMES = (
    "messages.exportChatInvite",
    "chatInviteExported",
    "chatInvitePublicJoinRequests",
    "starsSubscriptionPricing",
    "inputPeerEmpty",
    "inputPeerSelf",
    "inputPeerChat",
    "inputPeerUser",
    "inputPeerChannel",
    "inputPeerUserFromMessage",
    "inputPeerChannelFromMessage",
)

FIXED_CODES = {"int": "i", "long": "q", "double": "d", "#": "I"}
WIDE_SIZES = {"int128": 16, "int256": 32}
PRIMITIVE_ANNOTATIONS = {
    "int": "int",
    "long": "int",
    "int128": "int",
    "int256": "int",
    "double": "float",
    "string": "str",
    "bytes": "bytes",
    "Bool": "bool",
    "true": "bool",
}
# Element readers/writers of Vector<primitive> in tlruntime.binary.
VECTOR_READERS = {
    "int": "_read_vector_int",
    "long": "_read_vector_long",
    "double": "_read_vector_double",
    "string": "_read_vector_string",
    "bytes": "_read_vector_bytes",
    "Bool": "_read_vector_bool",
    "int128": "_read_vector_int128",
    "int256": "_read_vector_int256",
}
VECTOR_WRITERS = {k: v.replace("_read_", "_pack_") for k, v in VECTOR_READERS.items()}
ITEM_READERS = {
    "int": "_read_int",
    "long": "_read_long",
    "double": "_read_double",
    "string": "_read_string",
    "bytes": "_read_bytes",
    "Bool": "_read_bool_item",
    "int128": "_read_int128",
    "int256": "_read_int256",
}
ITEM_WRITERS = {
    "int": "_pack_int",
    "long": "_pack_long",
    "double": "_pack_double",
    "string": "_pack_string",
    "bytes": "_pack_bytes",
    "Bool": "_pack_bool",
    "int128": "_pack_int128",
    "int256": "_pack_int256",
}

_BINARY_HELPERS = sorted(
    {*VECTOR_READERS.values(), *VECTOR_WRITERS.values(), *ITEM_READERS.values(), *ITEM_WRITERS.values(),
     "_read_bool", "_read_long_bytes", "_read_long_string", "_SHORT_FORM"}
)
_TLOBJECT_HELPERS = {
    "_BOOL_FALSE": "BOOL_FALSE_BYTES",
    "_BOOL_TRUE": "BOOL_TRUE_BYTES",
    "_ENCODE_FAILURES": "ENCODE_FAILURES",
    "_READERS": "READERS",
    "_Reader": "Reader",
    "_TRUNCATION": "TRUNCATION",
    "Field": "Field",
    "TLObject": "TLObject",
    "TLRequest": "TLRequest",
    **{
        f"_{name}": name
        for name in (
            "bare_bytes_of", "bare_reader", "boxed_reader", "bytes_of", "encode_error", "load_reader",
            "pack_object", "pack_vector_boxed", "read_boxed", "read_entry", "read_object",
            "read_exact", "read_vector_boxed", "unpack_id", "vector_reader", "vector_writer",
        )
    },
}
# Local name -> (module, attribute) of every runtime name a generated module may use.  A
# module imports exactly the names its builder recorded (``_ClassBuilder.use``), so each
# file's imports say what it depends on and importing it binds nothing it does not need.
HELPERS: Mapping[str, tuple[str, str]] = {
    **{alias: ("tlruntime.binary", alias[1:]) for alias in _BINARY_HELPERS},
    **{alias: ("tlruntime.tlobject", name) for alias, name in _TLOBJECT_HELPERS.items()},
    "_EncodeError": ("tlruntime.errors", "EncodeError"),
}
# Names the read_steps.j2 macro of a ReadStep kind spells out itself.
STEP_HELPERS: Mapping[str, tuple[str, ...]] = {
    "string": ("_read_long_string",),
    "bytes": ("_read_long_bytes",),
    "bool": ("_read_bool",),
    "boxed": ("_unpack_id", "_READERS", "_load_reader", "_read_boxed"),
    "single": ("_read_boxed",),
}
# Module constants class.py.j2 or a read-step kind may use, with their definitions.
LOCAL_CONSTANTS = {"_new": "object.__new__", "_from_bytes": "int.from_bytes"}
STEP_CONSTANTS: Mapping[str, tuple[str, ...]] = {"wide": ("_from_bytes",)}


# --- view-models ------------------------------------------------------------------------


@dataclass
class FieldVM:
    """One entry of a class's ``FIELDS`` tuple and, unless ``#``, one attribute."""

    name: str
    tl_name: str
    tl_type: str
    flag_field: str | None
    bit: int | None
    annotation: str
    default: str  # "" for a required parameter

    @property
    def default_text(self) -> str:
        return f" = {self.default}" if self.default else ""


@dataclass
class ReadStep:
    """One statement group of ``_read``; ``kind`` names a macro in read_steps.j2."""

    kind: str
    target: str = ""
    struct: str = ""
    size: int = 0
    expr: str = ""
    cond: str = ""  # "flags & 4" for an optional field; "" when unconditional
    wrapper: str = "plain"  # or "optional"
    mask: int = 0  # opt_run: every bit of the run
    inner: list["ReadStep"] = field(default_factory=list)  # opt_run: the per-field fallback
    type_name: str = ""  # boxed: the TL type, for error messages
    args: str = ""  # call: extra arguments after ``data, o`` (", _T0, \"User\"")
    id_bytes: str = ""  # single: the constructor id as a bytes literal (b"\\x58\\x6d\\x41\\x05")
    reader: str = ""  # single: the module's lazily bound reader of that constructor (_rd0)


@dataclass
class ClassVM:
    """Everything the class template needs for one combinator."""

    bytes_t: str  # "bytes", or "builtins.bytes" when a field is named bytes
    list_t: str
    tl_name: str
    class_name: str
    module_name: str
    module_path: str
    kind: str
    base: str
    constructor_id: str
    tl_line: str
    docstring: str
    fields: list[FieldVM]
    params: list[FieldVM]
    slots: list[str]
    flag_props: list[tuple[str, str]]  # (python name, expression of the computed value)
    import_lines: list[str]  # the runtime imports, exactly the names this module uses
    constants: list[tuple[str, str]]  # (module constant, expression), in definition order
    typing_imports: list[str]
    read_steps: list[ReadStep]
    write_form: str  # "return" (one part) or "join"
    write_parts: list[str]  # expressions of the serialized parts, in wire order
    write_locals: list[tuple[str, str]]  # (local name, expression): optional values, then flags
    shared_checks: list[tuple[str, str]]  # (condition, message)
    id_bytes: str  # the constructor id as a bytes literal: the from_bytes fast path compares it
    lazy_readers: list[tuple[str, str]]  # (module global, hex id): readers bound on first use
    string_encodes: list[tuple[str, str, bool]]  # (local, value expression, optional): encoded before the join
    result_annotation: str = ""
    result_body: str = ""
    result_text: str = ""


@dataclass
class PackageVM:
    """A lazily loading ``__init__.py``: name -> (module, attribute or None for a subpackage)."""

    module_path: str
    docstring: str
    entries: list[tuple[str, str, str]]  # (name, module, attribute or "")
    typing_imports: list[tuple[str, str, str]]  # (module, attribute or "", as-name)


@dataclass
class AbcVM:
    module_path: str
    imports: list[str]
    aliases: list[tuple[str, str]]  # (alias, union text)


@dataclass
class LayerVM:
    layer: int | None
    classes: list[ClassVM]
    packages: list[PackageVM]
    abcs: list[AbcVM]
    index: list[tuple[str, str, str, str]]  # (hex id, module, class, tl name)


# --- type analysis ----------------------------------------------------------------------


def type_text(ref: TypeRef) -> str:
    """The type as written in the schema, without any flag condition."""
    prefix = "!" if ref.generic_ref else ("%" if ref.bare and ref.name[:1].isupper() else "")
    if ref.args:
        return f"{prefix}{ref.name}<{', '.join(type_text(a) for a in ref.args)}>"
    return prefix + ref.name


class _Types:
    """Facts about TL types across the whole schema: constructors per type, bare constructors."""

    def __init__(self, emitted: Sequence[CheckedCombinator]) -> None:
        self.by_type: dict[str, list[CheckedCombinator]] = {}
        self.by_name: dict[str, CheckedCombinator] = {}
        # Namespace packages per group ("constructor" -> types, "function" -> functions).
        self.namespaces: dict[str, set[str]] = {"constructor": set(), "function": set()}
        for cc in emitted:
            if cc.combinator.namespace is not None:
                self.namespaces[cc.combinator.kind].add(cc.combinator.namespace.split(".")[0])
        for cc in emitted:
            c = cc.combinator
            if c.kind == "constructor":
                self.by_type.setdefault(c.result.name, []).append(cc)
                self.by_name[c.name] = cc

    def constructors_of(self, type_name: str, where: Combinator) -> list[CheckedCombinator]:
        found = self.by_type.get(type_name)
        if not found:
            raise GenerationError(
                f"{where.pos.file}:{where.pos.line}: type {type_name!r} used by {where.name} "
                "has no constructor in the layer"
            )
        return found

    def bare_constructor(self, ref: TypeRef, where: Combinator) -> CheckedCombinator:
        if ref.name[:1].isupper():  # %T: the single constructor of T
            ctors = self.constructors_of(ref.name, where)
            if len(ctors) != 1:
                raise GenerationError(f"{where.name}: %{ref.name} needs a type with exactly one constructor")
            return ctors[0]
        cc = self.by_name.get(ref.name)
        if cc is None:
            raise GenerationError(f"{where.name}: bare type {ref.name!r} names no constructor")
        return cc


def abc_ref(type_name: str) -> tuple[str, str]:
    """(module alias used in annotations, alias name) of an abstract TL type."""
    ns = naming.namespace_of(type_name)
    alias = naming.class_name(type_name)
    return ("abcs" if ns is None else f"abcs_{ns}", alias)


def class_module_path(c: Combinator, namespaces: Collection[str]) -> str:
    """Dotted module of ``c``'s class; ``namespaces`` are the namespace packages of its group."""
    group = "types" if c.kind == "constructor" else "functions"
    ns = naming.namespace_of(c.name)
    parts = [PACKAGE, group] + ([ns] if ns else []) + [naming.module_name(c.name, namespaces)]
    return ".".join(parts)


def _isort_key(imported: str) -> tuple[int, str]:
    """isort's default order inside one ``from`` import: CONSTANTS, Classes, functions."""
    name = imported.split(" ")[0]
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


class _ClassBuilder:
    """Builds the ClassVM of one combinator: annotations, read/write steps, constants."""

    def __init__(self, cc: CheckedCombinator, types: _Types) -> None:
        self.cc = cc
        self.c = cc.combinator
        self.types = types
        self.generics = {tp.name for tp in self.c.type_params}
        self.structs: dict[str, str] = {}  # fmt -> constant name
        self.struct_uses: dict[str, set[str]] = {}  # fmt -> {"u", "p"}: which methods are used
        self.type_sets: dict[str, str] = {}  # type name -> constant name
        self.type_set_literals: dict[str, str] = {}
        self.readers: dict[str, str] = {}  # expression -> constant name
        self.lazy_readers: dict[int, str] = {}  # constructor id -> module global (_rd0)
        self.string_encodes: list[tuple[str, str, bool]] = []  # see ClassVM.string_encodes
        self.typing_imports: set[str] = set()
        self.used: set[str] = set()  # HELPERS and LOCAL_CONSTANTS names the module refers to

    # constants ---------------------------------------------------------------------
    def use(self, name: str) -> str:
        """Record that the module refers to the runtime name ``name`` and return it."""
        if name not in HELPERS and name not in LOCAL_CONSTANTS:
            raise GenerationError(f"{self.c.name}: internal error, unknown runtime name {name!r}")
        self.used.add(name)
        return name

    def struct(self, fmt: str, method: str) -> str:
        """``_u<i>``/``_p<i>`` (``method`` "u" or "p"): unpack_from/pack of ``fmt``."""
        if fmt not in self.structs:
            self.structs[fmt] = str(len(self.structs))
            self.struct_uses[fmt] = set()
        self.struct_uses[fmt].add(method)
        return f"_{method}{self.structs[fmt]}"

    def unpack(self, fmt: str) -> str:
        return self.struct(fmt, "u")

    def pack(self, fmt: str) -> str:
        return self.struct(fmt, "p")

    def constants(self) -> list[tuple[str, str]]:
        """Every module constant the recorded code refers to, and nothing else."""
        out = [(name, LOCAL_CONSTANTS[name]) for name in LOCAL_CONSTANTS if name in self.used]
        for fmt, index in self.structs.items():
            uses = self.struct_uses[fmt]
            if len(uses) == 2:
                out.append((f"_S{index}", f'Struct("{fmt}")'))
                out += [(f"_u{index}", f"_S{index}.unpack_from"), (f"_p{index}", f"_S{index}.pack")]
            elif "u" in uses:
                out.append((f"_u{index}", f'Struct("{fmt}").unpack_from'))
            else:
                out.append((f"_p{index}", f'Struct("{fmt}").pack'))
        out += self.type_set_literals.items()
        out += [(name, expr) for expr, name in self.readers.items()]
        return out

    def import_lines(self, shadowed: Sequence[str], has_typing: bool) -> list[str]:
        """The module's import statements (after ``from __future__``), sorted like isort would."""
        lines = ["import builtins"] if shadowed else []
        if self.structs:
            lines.append("from struct import Struct")
        if has_typing:
            lines.append("from typing import TYPE_CHECKING")
        if lines:
            lines.append("")
        by_module: dict[str, list[str]] = {}
        for alias in self.used:
            if alias in HELPERS:
                module, name = HELPERS[alias]
                by_module.setdefault(module, []).append(name if name == alias else f"{name} as {alias}")
        for module, names in sorted(by_module.items()):
            names.sort(key=_isort_key)
            if len(names) == 1:
                lines.append(f"from {module} import {names[0]}")
            else:
                lines += [f"from {module} import ("] + [f"    {n}," for n in names] + [")"]
        return lines

    def type_set(self, type_name: str) -> str:
        if type_name not in self.type_sets:
            ids = sorted(cc.id for cc in self.types.constructors_of(type_name, self.c))
            name = f"_T{len(self.type_sets)}"
            self.type_sets[type_name] = name
            self.type_set_literals[name] = "frozenset((" + ", ".join(f"0x{i:08x}" for i in ids) + ",))"
        return self.type_sets[type_name]

    def lazy_reader(self, constructor_id: int) -> str:
        """``_rd<i>``: a module global holding the ``_read`` of ``constructor_id`` once loaded."""
        if constructor_id not in self.lazy_readers:
            self.lazy_readers[constructor_id] = f"_rd{len(self.lazy_readers)}"
            self.use("_Reader")
            self.use("_READERS")
            self.use("_load_reader")
        return self.lazy_readers[constructor_id]

    def encoded_string(self, v: str, optional: bool) -> str:
        """Expression packing the string ``v``, encoded into ``e_<name>`` before the join.

        The encode is a statement (``str.encode()`` fast path, ``surrogateescape`` on
        UnicodeEncodeError) so the short form needs no call into ``pack_string``.
        """
        local = "e_" + v.split(".")[-1].removeprefix("v_")
        self.string_encodes.append((local, v, optional))
        return (f"({self.use('_SHORT_FORM')}[_n](_n, {local}) if (_n := len({local})) < 254 "
                f"else {self.use('_pack_bytes')}({local}))")

    def reader_const(self, expr: str) -> str:
        if expr not in self.readers:
            self.readers[expr] = f"_R{len(self.readers)}"
        return self.readers[expr]

    # types --------------------------------------------------------------------------
    def annotation(self, ref: TypeRef) -> str:
        if ref.generic_ref:
            return "TLRequest"
        if ref.name in PRIMITIVE_ANNOTATIONS:
            return PRIMITIVE_ANNOTATIONS[ref.name]
        if ref.name in ("Vector", "vector"):
            return f"list[{self.annotation(ref.args[0])}]"
        if ref.name == "Object" or ref.name in self.generics:
            return "object"
        if ref.bare:
            target = self.types.bare_constructor(ref, self.c).combinator
            module = class_module_path(target, self.types.namespaces[target.kind])
            self.typing_imports.add(f"import {module}")
            return f"{module}.{naming.class_name(target.name)}"
        self.types.constructors_of(ref.name, self.c)
        module, alias = abc_ref(ref.name)
        ns = naming.namespace_of(ref.name)
        self.typing_imports.add(
            f"from {PACKAGE} import abcs" if ns is None else f"from {PACKAGE}.abcs import {ns} as abcs_{ns}"
        )
        return f"{module}.{alias}"

    def item_reader(self, ref: TypeRef) -> str:
        """Expression of a reader ``(data, offset) -> (value, end)`` for one value of ``ref``."""
        if ref.name in ITEM_READERS:
            return self.use(ITEM_READERS[ref.name])
        if ref.name in ("Vector", "vector"):
            inner = ref.args[0]
            if ref.name == "Vector" and inner.name in VECTOR_READERS:
                return self.use(VECTOR_READERS[inner.name])
            boxed = "" if ref.name == "Vector" else ", False"
            return f"{self.use('_vector_reader')}({self.item_reader(inner)}{boxed})"
        if ref.generic_ref or ref.name == "Object" or ref.name in self.generics:
            return self.use("_read_object")
        if ref.bare:
            target = self.types.bare_constructor(ref, self.c)
            return f"{self.use('_bare_reader')}(0x{target.id:08x})"
        return f'{self.use("_boxed_reader")}({self.type_set(ref.name)}, "{ref.name}")'

    def item_writer(self, ref: TypeRef) -> str:
        """Expression of a writer ``value -> bytes`` for one value of ``ref``."""
        if ref.name in ITEM_WRITERS:
            return self.use(ITEM_WRITERS[ref.name])
        if ref.name in ("Vector", "vector"):
            boxed = "True" if ref.name == "Vector" else "False"
            return f"{self.use('_vector_writer')}({self.item_writer(ref.args[0])}, {boxed})"
        if ref.name == "Object" or ref.name in self.generics and not ref.generic_ref:
            return self.use("_pack_object")
        if ref.bare and not ref.generic_ref:
            return self.use("_bare_bytes_of")
        return self.use("_bytes_of")

    def write_expr(self, ref: TypeRef, v: str) -> str:
        """Expression serializing the value ``v`` of type ``ref`` (hot path: direct calls)."""
        name = ref.name
        if name in FIXED_CODES:
            return f"{self.pack('<' + FIXED_CODES[name])}({v})"
        if name in WIDE_SIZES:
            return f'{v}.to_bytes({WIDE_SIZES[name]}, "little", signed=True)'
        if name == "string":
            return f"{self.use('_pack_string')}({v})"
        if name == "bytes":
            return f"{self.use('_pack_bytes')}({v})"
        if name == "Bool":
            return f"({self.use('_BOOL_TRUE')} if {v} else {self.use('_BOOL_FALSE')})"
        if name == "Vector" and ref.args[0].name in VECTOR_WRITERS:
            return f"{self.use(VECTOR_WRITERS[ref.args[0].name])}({v})"
        if name == "Vector" and self._is_boxed_object(ref.args[0]):
            return f"{self.use('_pack_vector_boxed')}({v})"
        if name in ("Vector", "vector"):
            return f"{self.item_writer(ref)}({v})"
        if name == "Object" or name in self.generics and not ref.generic_ref:
            return f"{self.use('_pack_object')}({v})"
        if ref.bare and not ref.generic_ref:
            return f"{v}._bytes()[4:]"
        return f"{v}._bytes()"

    def _is_boxed_object(self, ref: TypeRef) -> bool:
        return not ref.bare and ref.name not in PRIMITIVE_ANNOTATIONS and ref.name not in ("Vector", "Object")

    # steps --------------------------------------------------------------------------
    def read_step(self, p: Param, target: str) -> ReadStep:
        step = self._read_step(p, target)
        self.use_step(step.kind)
        return step

    def use_step(self, kind: str) -> None:
        """Record the names the read_steps.j2 macro ``kind`` spells out."""
        for name in STEP_HELPERS.get(kind, ()) + STEP_CONSTANTS.get(kind, ()):
            self.use(name)

    def _read_step(self, p: Param, target: str) -> ReadStep:
        ref = p.type
        name = ref.name
        if name in FIXED_CODES:
            return ReadStep("fixed", target=target, struct=self.unpack("<" + FIXED_CODES[name]),
                            size=struct.calcsize("<" + FIXED_CODES[name]))
        if name in WIDE_SIZES:
            return ReadStep("wide", target=target, struct=self.unpack(f"<{WIDE_SIZES[name]}s"),
                            size=WIDE_SIZES[name])
        if name == "string":
            return ReadStep("string", target=target)
        if name == "bytes":
            return ReadStep("bytes", target=target)
        if name == "Bool":
            return ReadStep("bool", target=target)
        if not ref.bare and not ref.generic_ref and name not in ("Vector", "Object") and name not in self.generics:
            constructors = self.types.constructors_of(name, self.c)
            if len(constructors) == 1:
                # One constructor: compare the raw id bytes, call the reader bound on first use.
                cid = constructors[0].id
                return ReadStep("single", target=target, expr=self.type_set(name), type_name=name,
                                id_bytes=_bytes_literal(cid), reader=self.lazy_reader(cid))
            return ReadStep("boxed", target=target, expr=self.type_set(name), type_name=name)
        if name == "Vector" and self._is_boxed_object(ref.args[0]) and ref.args[0].name not in self.generics:
            inner = ref.args[0].name
            return ReadStep("call", target=target, expr=self.use("_read_vector_boxed"),
                            args=f', {self.type_set(inner)}, "{inner}"')
        reader = self.item_reader(ref)
        if reader.startswith("_") and "(" not in reader:
            return ReadStep("call", target=target, expr=reader)
        return ReadStep("call", target=target, expr=self.reader_const(reader))


SHADOWABLE_BUILTINS = ("bytes", "list")


def _qualify(annotation: str, shadowed: Sequence[str]) -> str:
    """Write shadowed builtins as ``builtins.x``: a field named ``bytes`` hides the type in the class body."""
    for name in shadowed:
        annotation = re.sub(rf"(?<![\w.]){name}(?!\w)", f"builtins.{name}", annotation)
    return annotation


def _bytes_literal(constructor_id: int) -> str:
    """The little-endian id as a ``b"\\x.."`` literal (a constant the fast paths compare with)."""
    return 'b"' + "".join(f"\\x{b:02x}" for b in struct.pack("<I", constructor_id)) + '"'


def _flag_mask(p: Param) -> int:
    assert p.flag is not None  # callers filter on p.flag
    return 1 << p.flag.bit


def _local(flag_field: str) -> str:
    return f"_{flag_field}"


def _value_local(f: FieldVM) -> str:
    """The ``_bytes`` local of an optional field (one name per field: mypy types each alone)."""
    return f"v_{f.name}"


def build_class(cc: CheckedCombinator, types: _Types) -> ClassVM:
    """The view-model of one combinator's module."""
    c = cc.combinator
    b = _ClassBuilder(cc, types)
    cls = naming.class_name(c.name)
    fields: list[FieldVM] = []
    for p in c.params:
        is_flags = p.type.name == "#"
        if is_flags:
            annotation = "int"
            default = ""
        elif p.type.name == "true":
            annotation, default = "bool", "False"
        elif p.flag is not None:
            annotation, default = f"{b.annotation(p.type)} | None", "None"
        else:
            annotation, default = b.annotation(p.type), ""
        fields.append(
            FieldVM(
                name=naming.param_name(p.name),
                tl_name=p.name,
                tl_type=type_text(p.type),
                flag_field=p.flag.field if p.flag else None,
                bit=p.flag.bit if p.flag else None,
                annotation=annotation,
                default=default,
            )
        )
    shadowed = [n for n in SHADOWABLE_BUILTINS if any(naming.param_name(p.name) == n for p in c.params)]
    for f in fields:
        f.annotation = _qualify(f.annotation, shadowed)
    attrs = [f for f, p in zip(fields, c.params) if p.type.name != "#"]
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise GenerationError(f"{c.name}: two parameters map to the Python name {f.name!r}")
        seen.add(f.name)

    # flags: computed from which optional fields are set
    # (the property reads the attributes; _bytes reads each optional value once into v_<name>)
    flag_exprs: dict[str, list[str]] = {p.name: [] for p in c.params if p.type.name == "#"}
    local_exprs: dict[str, list[str]] = {p.name: [] for p in c.params if p.type.name == "#"}
    value_locals: list[tuple[str, str]] = []
    groups: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for f, p in zip(fields, c.params):
        if p.flag is None:
            continue
        if p.flag.field not in flag_exprs:
            raise GenerationError(f"{c.name}.{p.name}: flag field {p.flag.field!r} is not a '#' field")
        mask = _flag_mask(p)
        if p.type.name == "true":
            flag_exprs[p.flag.field].append(f"({mask} if self.{f.name} else 0)")
            local_exprs[p.flag.field].append(f"({mask} if self.{f.name} else 0)")
            is_set = f"bool(self.{f.name})"
        else:
            flag_exprs[p.flag.field].append(f"(0 if self.{f.name} is None else {mask})")
            local_exprs[p.flag.field].append(f"(0 if {_value_local(f)} is None else {mask})")
            value_locals.append((_value_local(f), f"self.{f.name}"))
            is_set = f"(self.{f.name} is not None)"
        groups.setdefault((p.flag.field, p.flag.bit), []).append((f.name, is_set))
    write_locals = value_locals + [(_local(k), " | ".join(v) if v else "0") for k, v in local_exprs.items()]
    flag_props = [(naming.param_name(k), " | ".join(v) if v else "0") for k, v in flag_exprs.items()]
    shared_checks = []
    for (ff, bit), members in sorted(groups.items()):
        if len(members) > 1:
            first = members[0][1]
            cond = " or ".join(f"{first} != {other}" for _, other in members[1:])
            names = ", ".join(n for n, _ in members)
            shared_checks.append(
                (cond, f"{cls}: {names} share {ff}.{bit} and must be all set or all unset")
            )

    read_steps = _read_steps(b, c, fields)
    write_parts = _write_parts(b, c, fields, cc.id)
    if shared_checks:
        b.use("_EncodeError")
    if fields:
        b.use("Field")
    for name in ("TLObject" if c.kind == "constructor" else "TLRequest", "_new", "_ENCODE_FAILURES", "_encode_error",
                 "_TRUNCATION", "_read_exact"):
        b.use(name)

    result_annotation = result_body = ""
    if c.kind == "function":
        result_annotation, result_body = _result(b, c)
        result_annotation = _qualify(result_annotation, shadowed)
    typing_imports = sorted(b.typing_imports)

    return ClassVM(
        bytes_t=_qualify("bytes", shadowed),
        list_t=_qualify("list", shadowed),
        tl_name=c.name,
        class_name=cls,
        module_name=naming.module_name(c.name, types.namespaces[c.kind]),
        module_path=class_module_path(c, types.namespaces[c.kind]),
        kind=c.kind,
        base="TLObject" if c.kind == "constructor" else "TLRequest",
        constructor_id=f"0x{cc.id:08x}",
        tl_line=c.text,
        docstring=c.text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'),
        fields=fields,
        params=attrs,
        slots=[f.name for f in attrs],
        flag_props=flag_props,
        import_lines=b.import_lines(shadowed, bool(typing_imports)),
        constants=b.constants(),
        typing_imports=typing_imports,
        read_steps=read_steps,
        write_form="return" if len(write_parts) == 1 else "join",
        write_parts=write_parts,
        write_locals=write_locals,
        shared_checks=shared_checks,
        id_bytes=_bytes_literal(cc.id),
        lazy_readers=[(name, f"0x{cid:08x}") for cid, name in b.lazy_readers.items()],
        string_encodes=b.string_encodes,
        result_annotation=result_annotation,
        result_body=result_body,
        result_text=type_text(c.result) if c.kind == "function" else "",
    )


def _read_steps(b: _ClassBuilder, c: Combinator, fields: list[FieldVM]) -> list[ReadStep]:
    """Reading statements; consecutive unconditional fixed-size fields share one struct."""
    steps: list[ReadStep] = []
    run: list[tuple[str, str]] = []  # (target, code)

    def flush() -> None:
        if not run:
            return
        fmt = "<" + "".join(code for _, code in run)
        kind = "struct" if len(run) > 1 else "fixed"
        steps.append(
            ReadStep(kind, target=", ".join(t for t, _ in run), struct=b.unpack(fmt),
                     size=struct.calcsize(fmt))
        )
        run.clear()

    pairs = list(zip(fields, c.params))
    i = 0
    while i < len(pairs):
        f, p = pairs[i]
        i += 1
        target = _local(p.name) if p.type.name == "#" else f"self.{f.name}"
        if p.flag is None and p.type.name in FIXED_CODES:
            run.append((target, FIXED_CODES[p.type.name]))
            continue
        flush()
        if p.flag is not None and p.type.name in FIXED_CODES:
            # A run of optional fixed-size fields on one '#' field: one unpack when all are set.
            group = [(f, p)]
            while i < len(pairs):
                nf, np_ = pairs[i]
                if np_.flag is None or np_.flag.field != p.flag.field or np_.type.name not in FIXED_CODES:
                    break
                group.append((nf, np_))
                i += 1
            inner = []
            for gf, gp in group:
                step = b.read_step(gp, f"self.{gf.name}")
                step.cond = f"{_local(p.flag.field)} & {_flag_mask(gp)}"
                step.wrapper = "optional"
                inner.append(step)
            if len(group) == 1:
                steps.append(inner[0])
                continue
            fmt = "<" + "".join(FIXED_CODES[gp.type.name] for _, gp in group)
            mask = 0
            for _, gp in group:
                mask |= _flag_mask(gp)
            steps.append(
                ReadStep("opt_run", target=", ".join(f"self.{gf.name}" for gf, _ in group),
                         struct=b.unpack(fmt), size=struct.calcsize(fmt),
                         cond=f"{_local(p.flag.field)} & {mask}", mask=mask, inner=inner)
            )
            continue
        if p.type.name == "true":
            cond = f"{_local(p.flag.field)} & {_flag_mask(p)}" if p.flag else "0"
            steps.append(ReadStep("true_flag", target=target, cond=cond))
            continue
        step = b.read_step(p, target)
        if p.flag is not None:
            step.cond = f"{_local(p.flag.field)} & {_flag_mask(p)}"
            step.wrapper = "optional"
        steps.append(step)
    flush()
    return steps


def _write_parts(b: _ClassBuilder, c: Combinator, fields: list[FieldVM], cid: int) -> list[str]:
    """Expressions of the serialized parts, joined in order by ``_bytes``.

    Consecutive unconditional fixed-size fields (and the constructor id before
    them) share one ``Struct.pack``.  An optional field is ``b""`` when absent;
    a run of optional fixed-size fields on one ``#`` field is one ``pack`` when
    all are set (checked on the flags local), part by part otherwise.  Parts
    are one tuple display: no list appends.
    """
    parts: list[str] = []
    run_fmt = "<I"
    run_values = [f"0x{cid:08x}"]

    def flush() -> None:
        nonlocal run_fmt, run_values
        if run_values:
            parts.append(f"{b.pack(run_fmt)}({', '.join(run_values)})")
        run_fmt, run_values = "<", []

    def optional(f: FieldVM, p: Param) -> str:
        var = _value_local(f)
        if p.type.name == "string":
            return f'b"" if {var} is None else {b.encoded_string(var, True)}'
        return f'b"" if {var} is None else {b.write_expr(p.type, var)}'

    pairs = [(f, p) for f, p in zip(fields, c.params) if p.type.name != "true"]
    i = 0
    while i < len(pairs):
        f, p = pairs[i]
        i += 1
        if p.flag is None and p.type.name in FIXED_CODES:
            run_fmt += FIXED_CODES[p.type.name]
            run_values.append(_local(p.name) if p.type.name == "#" else f"self.{f.name}")
            continue
        flush()
        if p.flag is None:
            value = _local(p.name) if p.type.name == "#" else f"self.{f.name}"
            parts.append(b.encoded_string(value, False) if p.type.name == "string" else b.write_expr(p.type, value))
            continue
        group = [(f, p)]
        while p.type.name in FIXED_CODES and i < len(pairs):
            nf, np_ = pairs[i]
            if np_.flag is None or np_.flag.field != p.flag.field or np_.type.name not in FIXED_CODES:
                break
            group.append((nf, np_))
            i += 1
        if len(group) == 1:
            parts.append(optional(f, p))
            continue
        mask = 0
        for _, gp in group:
            mask |= _flag_mask(gp)
        fmt = "<" + "".join(FIXED_CODES[gp.type.name] for _, gp in group)
        every = f"{b.pack(fmt)}({', '.join(_value_local(gf) for gf, _ in group)})"
        each = " + ".join(f"({optional(gf, gp)})" for gf, gp in group)
        parts.append(f"{every} if ({_local(p.flag.field)} & {mask}) == {mask} else {each}")
    flush()
    return parts


def _result(b: _ClassBuilder, c: Combinator) -> tuple[str, str]:
    """(annotation, body) of a function's ``read_result``."""
    ref = c.result
    if ref.name in b.generics:
        query = next((p for p in c.params if p.type.generic_ref and p.type.name == ref.name), None)
        if query is None:
            raise GenerationError(f"{c.name}: generic result {ref.name} without a !{ref.name} parameter")
        return "object", f"return self.{naming.param_name(query.name)}.read_result(data, offset)"
    annotation = b.annotation(ref)
    reader = b.item_reader(ref)
    if not (reader.startswith("_") and "(" not in reader):
        reader = b.reader_const(reader)
    return annotation, f"return {b.use('_read_entry')}(data, offset, {reader})"


# --- packages, abcs, index ----------------------------------------------------------


def _packages(classes: list[ClassVM], runtime: Mapping[str, tuple[str, str]]) -> list[PackageVM]:
    """One lazy __init__ per package: its classes and its sub-namespaces."""
    content: dict[str, dict[str, tuple[str, str]]] = {f"{PACKAGE}.types": {}, f"{PACKAGE}.functions": {}}
    for vm in classes:
        package = vm.module_path.rsplit(".", 1)[0]
        content.setdefault(package, {})
        parent, _, ns = package.rpartition(".")
        if parent != PACKAGE:
            content.setdefault(parent, {})[ns] = (package, "")
    for name, (module, attr) in runtime.items():
        content[f"{PACKAGE}.types"][name] = (module, attr)
    for vm in classes:
        package = vm.module_path.rsplit(".", 1)[0]
        table = content[package]
        if vm.class_name in table:
            raise GenerationError(f"{vm.tl_name}: {package}.{vm.class_name} is already taken")
        table[vm.class_name] = (vm.module_path, vm.class_name)
    modules_seen: dict[str, str] = {}
    for vm in classes:
        if vm.module_path in modules_seen:
            raise GenerationError(f"{vm.tl_name} and {modules_seen[vm.module_path]} share module {vm.module_path}")
        modules_seen[vm.module_path] = vm.tl_name
    packages = []
    for package, table in sorted(content.items()):
        entries = [(name, module, attr) for name, (module, attr) in sorted(table.items())]
        imports = [
            (module, attr, name) if attr else (package, name, name)
            for name, module, attr in entries
        ]
        packages.append(
            PackageVM(
                module_path=package,
                docstring=f"Lazily loaded {package.split('.', 2)[2]} of the layer.",
                entries=entries,
                typing_imports=imports,
            )
        )
    return packages


def _abcs(classes: list[ClassVM], emitted: Sequence[CheckedCombinator]) -> list[AbcVM]:
    by_module: dict[str, dict[str, list[str]]] = {}
    module_of = {vm.tl_name: vm for vm in classes}
    for cc in emitted:
        c = cc.combinator
        if c.kind != "constructor":
            continue
        ns = naming.namespace_of(c.result.name)
        module = f"{PACKAGE}.abcs" + (f".{ns}" if ns else "")
        alias = naming.class_name(c.result.name)
        vm = module_of[c.name]
        by_module.setdefault(module, {}).setdefault(alias, []).append(f"{vm.module_path}.{vm.class_name}")
    by_module.setdefault(f"{PACKAGE}.abcs", {})
    out = []
    for module, aliases in sorted(by_module.items()):
        imports = sorted({ref.rsplit(".", 1)[0] for refs in aliases.values() for ref in refs})
        out.append(
            AbcVM(
                module_path=module,
                imports=imports,
                aliases=[(alias, ", ".join(sorted(refs))) for alias, refs in sorted(aliases.items())],
            )
        )
    return out


def build_layer(validated: ValidatedSchema) -> LayerVM:
    """View-models for the whole layer (deterministic: everything sorted)."""
    emitted = [
        cc for cc in validated.combinators
        if (cc.combinator.name, cc.id) not in RUNTIME_COMBINATORS
    ]
    types = _Types(emitted)
    classes = sorted((build_class(cc, types) for cc in emitted), key=lambda vm: vm.module_path)
    runtime = {
        attr: (module, attr) for where in RUNTIME_COMBINATORS.values() if where for module, attr in [where]
    }
    index = [(vm.constructor_id, vm.module_path, vm.class_name, vm.tl_name) for vm in classes]
    for (tl_name, cid), where in RUNTIME_COMBINATORS.items():
        if where is not None:
            index.append((f"0x{cid:08x}", where[0], where[1], tl_name))
    index.sort()
    return LayerVM(
        layer=validated.schema.layer,
        classes=classes,
        packages=_packages(classes, runtime),
        abcs=_abcs(classes, emitted),
        index=index,
    )


# --- rendering and writing -----------------------------------------------------------


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _path_of(module_path: str, is_package: bool) -> str:
    rel = module_path.split(".")[2:]  # below tlruntime.tl
    if is_package:
        return "/".join(rel + ["__init__.py"])
    return "/".join(rel) + ".py"


def render_layer(layer: LayerVM, only: Iterable[str] | None = None) -> dict[str, str]:
    """Relative path -> file text.  ``only`` restricts class modules to those TL names."""
    env = _environment()
    header = {"layer": layer.layer if layer.layer is not None else "unknown"}
    files: dict[str, str] = {}
    wanted = set(only) if only is not None else None
    class_tpl = env.get_template("class.py.j2")
    for vm in layer.classes:
        if wanted is None or vm.tl_name in wanted:
            files[_path_of(vm.module_path, False)] = class_tpl.render(c=vm, **header)
    if wanted is not None:
        return files
    package_tpl = env.get_template("package.py.j2")
    for pkg in layer.packages:
        files[_path_of(pkg.module_path, True)] = package_tpl.render(p=pkg, **header)
    abc_tpl = env.get_template("abcs.py.j2")
    for abc in layer.abcs:
        is_package = abc.module_path == f"{PACKAGE}.abcs"
        files[_path_of(abc.module_path, is_package)] = abc_tpl.render(a=abc, **header)
    files["__init__.py"] = env.get_template("root.py.j2").render(**header)
    files["_index.py"] = env.get_template("index.py.j2").render(index=layer.index, **header)
    return files


def _write_tree(out_dir: Path, files: Mapping[str, str]) -> None:
    """The only writer: replace ``out_dir`` with exactly ``files`` (stale files removed)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for rel in sorted(files):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[rel], encoding="utf-8", newline="\n")


def write_layer(validated: ValidatedSchema, out_dir: Path) -> None:
    """Render the whole layer for ``validated`` into ``out_dir``."""
    _write_tree(Path(out_dir), render_layer(build_layer(validated)))


def without_runtime_combinators(schema: Schema) -> Schema:
    """The schema minus the combinators the runtime implements by hand (RUNTIME_COMBINATORS).

    They are removed *before* validation: mtproto.tl's bare ``message`` shares
    its TL name with api.tl's ``message``, and only the latter is generated.
    """
    keep = tuple(
        c for c in schema.combinators
        if (c.name, c.explicit_id) not in RUNTIME_COMBINATORS or c.name in ("boolFalse", "boolTrue")
    )
    return replace(schema, combinators=keep)


def load_schema(schema_paths: Sequence[Path]) -> ValidatedSchema:
    """Parse and validate the schema files (id mismatches are warned about by ``validate``)."""
    from generator.parser import parse_files
    from generator.validate import validate

    return validate(without_runtime_combinators(parse_files([Path(p) for p in schema_paths])))


def generate_layer(schema_paths: Sequence[Path], out_dir: Path) -> ValidatedSchema:
    """Parse, validate and emit ``schema_paths`` into ``out_dir``; returns the validated schema."""
    validated = load_schema(schema_paths)
    write_layer(validated, Path(out_dir))
    return validated
