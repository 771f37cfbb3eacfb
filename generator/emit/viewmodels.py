"""The view-models the templates receive: every name, struct format, flag mask and step decided.

Templates only loop over these and substitute; all decisions happen in
:mod:`generator.emit.codegen`, :mod:`generator.emit.classes` and
:mod:`generator.emit.layer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.model import SourcePos

__all__ = ["FieldVM", "ReadStep", "WriteStep", "ClassVM", "PackageVM", "AbcVM", "LayerVM"]


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
    """One statement group of ``_read``; ``kind`` names a ``read_<kind>`` macro of codecs.j2."""

    kind: str
    target: str = ""
    struct: str = ""
    size: int = 0
    expr: str = ""
    cond: str = ""  # "flags & 4" for an optional field; "" when unconditional
    wrapper: str = "plain"  # or "optional"
    mask: int = 0  # opt_run: every bit of the run
    inner: list["ReadStep"] = field(default_factory=list)  # opt_run: the per-field fallback
    # opt_run: the unconditional fixed-size fields just before the run, read by the same
    # unpack as the run when every bit is set (``struct``/``size``/``target`` then cover both)
    lead: "ReadStep | None" = None
    type_name: str = ""  # boxed: the TL type, for error messages
    args: str = ""  # call: extra arguments after ``data, o`` (", _T0, \"User\""); single_fixed: "v.a, v.b"
    id_bytes: str = ""  # single: the constructor id as a bytes literal (b"\\x58\\x6d\\x41\\x05")
    local: str = ""  # single_fixed: the local holding the new object (one per field: mypy types each alone)
    reader: str = ""  # single: the module's lazily bound reader of that constructor (_rd0); single_fixed: its class (_cl0)


@dataclass
class WriteStep:
    """One part of ``_bytes``'s join (an expression); ``kind`` names a ``write_<kind>`` macro of codecs.j2.

    Built by the same :class:`~generator.emit.codegen.Codec` as the field's :class:`ReadStep`.
    """

    kind: str
    value: str = ""  # the value written: self.x, v_x (an optional field's local), _flags
    struct: str = ""  # struct: the module's ``Struct.pack`` (_p0)
    values: list[str] = field(default_factory=list)  # struct: every value packed at once
    size: int = 0  # wide: the width in bytes
    expr: str = ""  # call: the writer function; string: the encoded local (e_title)
    method: str = ""  # object/bare: the serializing method of the value
    true: str = ""  # bool: the bytes of boolTrue
    false: str = ""  # bool: the bytes of boolFalse
    wrapper: str = "plain"  # or "optional": b"" when the value is None
    cond: str = ""  # opt_run: the flags local
    mask: int = 0  # opt_run: every bit of the run
    every: "WriteStep | None" = None  # opt_run: one pack of the whole run
    inner: list["WriteStep"] = field(default_factory=list)  # opt_run: the per-field fallback


@dataclass
class ClassVM:
    """Everything the class template needs for one combinator."""

    bytes_t: str  # "bytes", or "builtins.bytes" when a field is named bytes
    list_t: str
    tl_name: str
    class_name: str
    self_type: str  # the class in annotations: "InitConnection[Any]" for a generic one
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
    type_vars: list[str]  # typing-only TypeVars (_X) of the type parameters, defined under TYPE_CHECKING
    read_steps: list[ReadStep]
    write_parts: list["WriteStep"]  # the serialized parts, in wire order
    write_locals: list[tuple[str, str]]  # (local name, expression): optional values, then flags
    shared_checks: list[tuple[str, str]]  # (condition, message)
    lazy_readers: list[tuple[str, str]]  # (module global, hex id): readers bound on first use
    lazy_classes: list[tuple[str, str, str]]  # (module global, hex id, annotation): classes bound on first use
    string_encodes: list[tuple[str, str, bool]]  # (local, value expression, optional): encoded before the join
    type_method: str = ""  # constructors: the _bytes alias named after their TL type (_tl_InputPeer)
    result_type: str = ""  # constructors: their TL type
    result_annotation: str = ""
    result_body: str = ""
    result_text: str = ""
    source: SourcePos | None = None  # where the combinator was written, for errors (not rendered)


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
    package: str
    classes: list[ClassVM]
    packages: list[PackageVM]
    abcs: list[AbcVM]
    index: list[tuple[str, str, str, str]]  # (hex id, module, class, tl name)
