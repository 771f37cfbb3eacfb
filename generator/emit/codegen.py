"""Python code for the fields of one generated module: what it reads, writes, imports and defines.

One mechanism produces both directions of a field: :func:`field_codec` classifies
a field's TL type once into a :class:`Codec`, whose :meth:`Codec.read` and
:meth:`Codec.write` give the :class:`ReadStep` and :class:`WriteStep` that the
``read_<kind>`` and ``write_<kind>`` macros of ``templates/codecs.j2`` render.
:class:`ModuleScope` records every runtime name, struct and constant the steps
refer to, so a module imports and defines exactly what it uses.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Mapping, Sequence

from generator import naming
from generator.emit.errors import EmitError
from generator.emit.schema_types import TypeIndex, abc_ref, type_method
from generator.emit.viewmodels import ReadStep, WriteStep
from generator.model import CheckedCombinator, TypeRef

__all__ = ["ModuleScope", "Codec", "field_codec", "bytes_literal", "FIXED_CODES", "PRIMITIVE_ANNOTATIONS"]

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
     "_read_bool", "_read_long_bytes", "_read_long_string", "_SHORT_FORM", "_packer", "_unpacker"}
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
            "bare_reader", "boxed_reader", "bytes_of", "encode_error", "load_class", "load_reader",
            "join_vector", "type_writer", "pack_object", "pack_vector_boxed", "read_boxed", "read_entry", "read_object",
            "read_exact", "read_vector_boxed", "unpack_id", "vector_reader", "vector_writer",
        )
    },
}
# Local name -> (module, attribute) of every runtime name a generated module may use.  A
# module imports exactly the names its builder recorded (``ModuleScope.use``), so each
# file's imports say what it depends on and importing it binds nothing it does not need.
HELPERS: Mapping[str, tuple[str, str]] = {
    **{alias: ("tlruntime.binary", alias[1:]) for alias in _BINARY_HELPERS},
    **{alias: ("tlruntime.tlobject", name) for alias, name in _TLOBJECT_HELPERS.items()},
    "_EncodeError": ("tlruntime.errors", "EncodeError"),
}
# Names the codecs.j2 macro ``read_<kind>`` spells out itself.
STEP_HELPERS: Mapping[str, tuple[str, ...]] = {
    "string": ("_read_long_string",),
    "bytes": ("_read_long_bytes",),
    "bool": ("_read_bool",),
    "boxed": ("_unpack_id", "_READERS", "_load_reader", "_read_boxed"),
    "single": ("_read_boxed",),
    "single_fixed": ("_read_boxed", "_new"),
}
# Module constants class.py.j2 or a read-step kind may use, with their definitions.
LOCAL_CONSTANTS = {"_new": "object.__new__", "_from_bytes": "int.from_bytes"}
STEP_CONSTANTS: Mapping[str, tuple[str, ...]] = {"wide": ("_from_bytes",)}


def _isort_key(imported: str) -> tuple[int, str]:
    """isort's default order inside one ``from`` import: CONSTANTS, Classes, functions."""
    name = imported.split(" ")[0]
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def bytes_literal(constructor_id: int) -> str:
    """The little-endian id as a ``b"\\x.."`` literal (a constant the fast paths compare with)."""
    return 'b"' + "".join(f"\\x{b:02x}" for b in struct.pack("<I", constructor_id)) + '"'


class ModuleScope:
    """The names one generated module defines and imports, recorded as its code is built."""

    def __init__(self, cc: CheckedCombinator, types: TypeIndex) -> None:
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
        self.lazy_classes: dict[int, tuple[str, str]] = {}  # constructor id -> (module global _cl0, class annotation)
        self.string_encodes: list[tuple[str, str, bool]] = []  # see ClassVM.string_encodes
        self.typing_imports: set[str] = set()
        self.type_vars: set[str] = set()  # typing-only TypeVars of the type parameters
        self.used: set[str] = set()  # HELPERS and LOCAL_CONSTANTS names the module refers to

    # constants ---------------------------------------------------------------------
    def use(self, name: str) -> str:
        """Record that the module refers to the runtime name ``name`` and return it."""
        if name not in HELPERS and name not in LOCAL_CONSTANTS:
            raise EmitError(f"{self.c.name}: internal error, unknown runtime name {name!r}", self.c.pos)
        self.used.add(name)
        return name

    def struct(self, fmt: str, method: str) -> str:
        """``_u<i>``/``_p<i>`` (``method`` "u" or "p"): unpack_from/pack of ``fmt``."""
        self.use("_unpacker" if method == "u" else "_packer")
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
        # One Struct per format for the whole layer (tlruntime.binary caches them): a class
        # module binds the shared methods and creates no struct objects of its own.
        for fmt, index in self.structs.items():
            uses = self.struct_uses[fmt]
            if "u" in uses:
                out.append((f"_u{index}", f'_unpacker("{fmt}")'))
            if "p" in uses:
                out.append((f"_p{index}", f'_packer("{fmt}")'))
        out += self.type_set_literals.items()
        out += [(name, expr) for expr, name in self.readers.items()]
        return out

    def import_lines(self, shadowed: Sequence[str]) -> list[str]:
        """The module's import statements (after ``from __future__``), sorted like isort would."""
        lines = ["import builtins"] if shadowed else []
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
            ids = sorted(cc.id for cc in self.types.by_type[type_name])
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

    def lazy_class(self, constructor: CheckedCombinator) -> str:
        """``_cl<i>``: a module global holding the class of ``constructor`` once loaded."""
        if constructor.id not in self.lazy_classes:
            module = self.types.module_path(constructor.combinator)
            self.typing_imports.add(f"import {module}")
            annotation = f"type[{module}.{naming.class_name(constructor.combinator.name)}]"
            self.lazy_classes[constructor.id] = (f"_cl{len(self.lazy_classes)}", annotation)
            self.use("_load_class")
        return self.lazy_classes[constructor.id][0]

    def encoded_string(self, v: str, optional: bool) -> str:
        """The local ``e_<name>`` that holds the string ``v`` encoded before the join.

        The encode is a statement (``str.encode()`` fast path, ``surrogateescape`` on
        UnicodeEncodeError) so the short form (``write_string`` in codecs.j2) needs no
        call into ``pack_string``.
        """
        local = "e_" + v.split(".")[-1].removeprefix("v_")
        self.string_encodes.append((local, v, optional))
        self.use("_SHORT_FORM")
        self.use("_pack_bytes")
        return local

    def reader_const(self, expr: str) -> str:
        if expr not in self.readers:
            self.readers[expr] = f"_R{len(self.readers)}"
        return self.readers[expr]

    # types --------------------------------------------------------------------------
    def annotation(self, ref: TypeRef) -> str:
        """The Python annotation of a value of ``ref`` (imports recorded for type checkers)."""
        if ref.generic_ref:  # !X: a request whose result is the type parameter X
            return f"{self.use('TLRequest')}[{self.type_var(ref.name)}]"
        if ref.name in PRIMITIVE_ANNOTATIONS:
            return PRIMITIVE_ANNOTATIONS[ref.name]
        if ref.name in ("Vector", "vector"):
            return f"list[{self.annotation(ref.args[0])}]"
        if ref.name == "Object" or ref.name in self.generics:
            return "object"
        if ref.bare:
            target = self.types.bare_constructor(ref, self.c).combinator
            module = self.types.module_path(target)
            self.typing_imports.add(f"import {module}")
            return f"{module}.{naming.class_name(target.name)}"
        self.types.constructors_of(ref, self.c)
        module, alias = abc_ref(ref.name)
        ns = naming.namespace_of(ref.name)
        package = self.types.package
        self.typing_imports.add(
            f"from {package} import abcs" if ns is None else f"from {package}.abcs import {ns} as abcs_{ns}"
        )
        return f"{module}.{alias}"

    def type_var(self, param: str) -> str:
        """``_X``: the typing-only TypeVar standing for the type parameter ``{X:Type}``."""
        self.typing_imports.add("from typing import TypeVar")
        self.type_vars.add(f"_{param}")
        return f"_{param}"

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
        self.types.constructors_of(ref, self.c)
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
        if ref.generic_ref:
            return self.use("_bytes_of")
        if ref.bare:  # through the method of the bare constructor's type: its type check
            target = self.types.bare_constructor(ref, self.c).combinator
            return f'{self.use("_type_writer")}("{type_method(target.result.name)}", True)'
        self.types.constructors_of(ref, self.c)
        return f'{self.use("_type_writer")}("{type_method(ref.name)}")'

    def reader_call(self, reader: str) -> str:
        """A reader expression as a callable name: a runtime name as is, anything built once as ``_R<i>``."""
        if reader.startswith("_") and "(" not in reader:
            return reader
        return self.reader_const(reader)

    def is_boxed_object(self, ref: TypeRef) -> bool:
        return not ref.bare and ref.name not in PRIMITIVE_ANNOTATIONS and ref.name not in ("Vector", "Object")


@dataclass(frozen=True)
class Codec:
    """How one TL type is read and written: ``kind`` plus what both directions need.

    Kinds: ``fixed`` (int, long, double, #: one struct), ``wide`` (int128/int256),
    ``string``, ``bytes``, ``bool``, ``object`` (a boxed value of an abstract type),
    ``bare`` (a bare constructor), ``object_vector`` (``Vector`` of boxed values),
    ``primitive_vector``, ``any`` (``Object``, a generic type, ``!X``) and
    ``nested`` (every other vector, through reader/writer helpers).
    """

    kind: str
    ref: TypeRef
    scope: ModuleScope

    # -- reading ------------------------------------------------------------------------
    def read(self, target: str) -> ReadStep:
        """The statements reading one value into ``target`` (names recorded in the scope)."""
        step = self._read(target)
        for name in STEP_HELPERS.get(step.kind, ()) + STEP_CONSTANTS.get(step.kind, ()):
            self.scope.use(name)
        return step

    def _read(self, target: str) -> ReadStep:
        s, ref, name = self.scope, self.ref, self.ref.name
        if self.kind == "fixed":
            fmt = "<" + FIXED_CODES[name]
            return ReadStep("fixed", target=target, struct=s.unpack(fmt), size=struct.calcsize(fmt))
        if self.kind == "wide":
            return ReadStep("wide", target=target, struct=s.unpack(f"<{WIDE_SIZES[name]}s"), size=WIDE_SIZES[name])
        if self.kind in ("string", "bytes", "bool"):
            return ReadStep(self.kind, target=target)
        if self.kind == "object":
            constructors = s.types.constructors_of(ref, s.c)
            if len(constructors) == 1:
                cid = constructors[0].id
                params = constructors[0].combinator.params
                if params and all(p.flag is None and p.type.name in FIXED_CODES and p.type.name != "#" for p in params):
                    # Only fixed-size fields (starsSubscriptionPricing period:int amount:long): read
                    # inline with one unpack into an object of the class bound on first use.  Such a
                    # type holds no objects, so it is never recursive: no nesting level to count.
                    fmt = "<" + "".join(FIXED_CODES[p.type.name] for p in params)
                    local = "v_" + target.rpartition(".")[2]
                    return ReadStep("single_fixed", target=target, expr=s.type_set(name), type_name=name,
                                    id_bytes=bytes_literal(cid), reader=s.lazy_class(constructors[0]), struct=s.unpack(fmt),
                                    size=4 + struct.calcsize(fmt), local=local,
                                    args=", ".join(f"{local}.{naming.param_name(p.name)}" for p in params))
                # One constructor: compare the raw id bytes, call the reader bound on first use.
                return ReadStep("single", target=target, expr=s.type_set(name), type_name=name,
                                id_bytes=bytes_literal(cid), reader=s.lazy_reader(cid))
            return ReadStep("boxed", target=target, expr=s.type_set(name), type_name=name)
        if self.kind == "object_vector" and ref.args[0].name not in s.generics:
            inner = ref.args[0]
            s.types.constructors_of(inner, s.c)
            return ReadStep("call", target=target, expr=s.use("_read_vector_boxed"),
                            args=f', {s.type_set(inner.name)}, "{inner.name}"')
        return ReadStep("call", target=target, expr=s.reader_call(s.item_reader(ref)))

    # -- writing ------------------------------------------------------------------------
    def write(self, value: str, optional: bool = False) -> WriteStep:
        """The expression writing ``value`` (``b""`` when ``optional`` and it is None)."""
        step = self._write(value, optional)
        if optional:
            step.wrapper = "optional"
        return step

    def _write(self, value: str, optional: bool) -> WriteStep:
        s, ref, name = self.scope, self.ref, self.ref.name
        if self.kind == "fixed":
            return WriteStep("struct", value=value, struct=s.pack("<" + FIXED_CODES[name]), values=[value])
        if self.kind == "wide":
            return WriteStep("wide", value=value, size=WIDE_SIZES[name])
        if self.kind == "string":
            return WriteStep("string", value=value, expr=s.encoded_string(value, optional))
        if self.kind == "bytes":
            return WriteStep("call", value=value, expr=s.use("_pack_bytes"))
        if self.kind == "bool":
            return WriteStep("bool", value=value, true=s.use("_BOOL_TRUE"), false=s.use("_BOOL_FALSE"))
        if self.kind == "primitive_vector":
            return WriteStep("call", value=value, expr=s.use(VECTOR_WRITERS[ref.args[0].name]))
        if self.kind == "object_vector":
            inner = ref.args[0]
            if inner.name in s.generics:
                return WriteStep("call", value=value, expr=s.use("_pack_vector_boxed"))
            # Each element through its type's method: a value of another TL type fails the lookup.
            return WriteStep("object_vector", value=value, expr=s.use("_join_vector"), method=type_method(inner.name))
        if self.kind == "nested":
            return WriteStep("call", value=value, expr=s.item_writer(ref))
        if self.kind == "any" and not ref.generic_ref:
            return WriteStep("call", value=value, expr=s.use("_pack_object"))
        if self.kind == "bare":
            target = s.types.bare_constructor(ref, s.c).combinator
            return WriteStep("bare", value=value, method=type_method(target.result.name))
        if ref.generic_ref:  # !X: any request
            return WriteStep("object", value=value, method="_bytes")
        # The value's method for this TL type: a constructor of another type has none.
        return WriteStep("object", value=value, method=type_method(name))


def field_codec(scope: ModuleScope, ref: TypeRef) -> Codec:
    """Classify a field's TL type once; the codec reads and writes it."""
    name = ref.name
    if name in FIXED_CODES:
        kind = "fixed"
    elif name in WIDE_SIZES:
        kind = "wide"
    elif name in ("string", "bytes"):
        kind = name
    elif name == "Bool":
        kind = "bool"
    elif ref.generic_ref or name == "Object" or name in scope.generics:
        kind = "any"
    elif name in ("Vector", "vector"):
        inner = ref.args[0]
        if name == "Vector" and inner.name in VECTOR_WRITERS:
            kind = "primitive_vector"
        elif name == "Vector" and scope.is_boxed_object(inner):
            kind = "object_vector"
        else:
            kind = "nested"
    elif ref.bare:
        kind = "bare"
    else:
        kind = "object"
    return Codec(kind, ref, scope)
