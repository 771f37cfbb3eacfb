"""The view-model of one combinator's module: fields, flags, the read and write plans, the result.

Fields are read and written through :func:`generator.emit.codegen.field_codec`;
this module decides what is grouped (runs of fixed-size fields share one struct,
optional runs one pack when all are set) and how ``#`` fields are computed.
"""

from __future__ import annotations

import re
import struct
from typing import Sequence

from generator import naming
from generator.emit.codegen import FIXED_CODES, ModuleScope, field_codec
from generator.emit.errors import EmitError
from generator.emit.schema_types import TypeIndex, type_method
from generator.emit.viewmodels import ClassVM, FieldVM, ReadStep, WriteStep
from generator.model import CheckedCombinator, Combinator, Param

__all__ = ["build_class"]


SHADOWABLE_BUILTINS = ("bytes", "list")


def _qualify(annotation: str, shadowed: Sequence[str]) -> str:
    """Write shadowed builtins as ``builtins.x``: a field named ``bytes`` hides the type in the class body."""
    for name in shadowed:
        annotation = re.sub(rf"(?<![\w.]){name}(?!\w)", f"builtins.{name}", annotation)
    return annotation


def _flag_mask(p: Param) -> int:
    assert p.flag is not None  # callers filter on p.flag
    return 1 << p.flag.bit


def _local(flag_field: str) -> str:
    return f"_{flag_field}"


def _value_local(f: FieldVM) -> str:
    """The ``_bytes`` local of an optional field (one name per field: mypy types each alone)."""
    return f"v_{f.name}"


def build_class(cc: CheckedCombinator, types: TypeIndex) -> ClassVM:
    """The view-model of one combinator's module."""
    c = cc.combinator
    b = ModuleScope(cc, types)
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
                tl_type=p.type.tl_text(),
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
    for f, p in zip(fields, c.params):
        if f.name in seen:
            raise EmitError(f"{c.name}: two parameters map to the Python name {f.name!r}", p.pos)
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
            raise EmitError(f"{c.name}.{p.name}: flag field {p.flag.field!r} is not a '#' field", p.pos)
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
    for name in ("TLObject" if c.kind == "constructor" else "TLRequest", "_new", "_ENCODE_FAILURES", "_encode_error"):
        b.use(name)

    result_annotation = result_body = ""
    if c.kind == "function":
        result_annotation, result_body = _result(b, c)
        result_annotation = _qualify(result_annotation, shadowed)
    if b.type_vars:  # a generic request: its static readers return it for any result type
        b.typing_imports.discard("from typing import TypeVar")
        b.typing_imports.add("from typing import Any, TypeVar")
    typing_imports = sorted(b.typing_imports)

    return ClassVM(
        bytes_t=_qualify("bytes", shadowed),
        list_t=_qualify("list", shadowed),
        tl_name=c.name,
        class_name=cls,
        self_type=f"{cls}[Any]" if b.type_vars else cls,
        module_name=naming.module_name(c.name, types.namespaces[c.kind]),
        module_path=types.module_path(c),
        kind=c.kind,
        # A function's base carries its result type (TLRequest[R] for type checkers; a string,
        # so nothing is built at import time: TLRequest ignores the subscription at run time).
        base="TLObject" if c.kind == "constructor" else f'TLRequest["{result_annotation}"]',
        type_vars=sorted(b.type_vars),
        constructor_id=f"0x{cc.id:08x}",
        tl_line=c.text,
        docstring=c.text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'),
        fields=fields,
        params=attrs,
        slots=[f.name for f in attrs],
        flag_props=flag_props,
        import_lines=b.import_lines(shadowed),
        constants=b.constants(),
        typing_imports=typing_imports,
        read_steps=read_steps,
        write_parts=write_parts,
        write_locals=write_locals,
        shared_checks=shared_checks,
        lazy_readers=[(name, f"0x{cid:08x}") for cid, name in b.lazy_readers.items()],
        lazy_classes=[(name, f"0x{cid:08x}", annotation) for cid, (name, annotation) in b.lazy_classes.items()],
        string_encodes=b.string_encodes,
        type_method=type_method(c.result.name) if c.kind == "constructor" else "",
        result_type=c.result.name if c.kind == "constructor" else "",
        result_annotation=result_annotation,
        result_body=result_body,
        result_text=c.result.tl_text() if c.kind == "function" else "",
        source=c.pos,
    )


def _read_steps(b: ModuleScope, c: Combinator, fields: list[FieldVM]) -> list[ReadStep]:
    """Reading statements; consecutive unconditional fixed-size fields share one struct."""
    steps: list[ReadStep] = []
    run: list[tuple[str, str]] = []  # (target, code)

    def run_step() -> ReadStep:
        fmt = "<" + "".join(code for _, code in run)
        kind = "struct" if len(run) > 1 else "fixed"
        return ReadStep(kind, target=", ".join(t for t, _ in run), struct=b.unpack(fmt), size=struct.calcsize(fmt))

    def flush() -> None:
        if run:
            steps.append(run_step())
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
        if p.flag is not None and p.type.name in FIXED_CODES:
            # A run of optional fixed-size fields on one '#' field: one unpack when all are set,
            # together with the unconditional fixed-size fields just before it (unless those
            # hold the '#' field itself, which the condition reads).
            flag_local = _local(p.flag.field)
            lead = run_step() if run and all(t != flag_local for t, _ in run) else None
            lead_codes = "".join(code for _, code in run) if lead else ""
            if lead is None:
                flush()
            run.clear()
            group = [(f, p)]
            while i < len(pairs):
                nf, np_ = pairs[i]
                if np_.flag is None or np_.flag.field != p.flag.field or np_.type.name not in FIXED_CODES:
                    break
                group.append((nf, np_))
                i += 1
            inner = []
            for gf, gp in group:
                step = field_codec(b, gp.type).read(f"self.{gf.name}")
                step.cond = f"{_local(p.flag.field)} & {_flag_mask(gp)}"
                step.wrapper = "optional"
                inner.append(step)
            if len(group) == 1 and lead is None:
                steps.append(inner[0])
                continue
            fmt = "<" + lead_codes + "".join(FIXED_CODES[gp.type.name] for _, gp in group)
            mask = 0
            for _, gp in group:
                mask |= _flag_mask(gp)
            targets = ([lead.target] if lead else []) + [f"self.{gf.name}" for gf, _ in group]
            steps.append(
                ReadStep("opt_run", target=", ".join(targets), struct=b.unpack(fmt), size=struct.calcsize(fmt),
                         cond=f"{flag_local} & {mask}", mask=mask, inner=inner, lead=lead)
            )
            continue
        flush()
        if p.type.name == "true":
            cond = f"{_local(p.flag.field)} & {_flag_mask(p)}" if p.flag else "0"
            steps.append(ReadStep("true_flag", target=target, cond=cond))
            continue
        step = field_codec(b, p.type).read(target)
        if p.flag is not None:
            step.cond = f"{_local(p.flag.field)} & {_flag_mask(p)}"
            step.wrapper = "optional"
        steps.append(step)
    flush()
    return steps


def _write_parts(b: ModuleScope, c: Combinator, fields: list[FieldVM], cid: int) -> list[WriteStep]:
    """The serialized parts, joined in order by ``_bytes``.

    Consecutive unconditional fixed-size fields (and the constructor id before
    them) share one ``Struct.pack``.  An optional field is ``b""`` when absent;
    a run of optional fixed-size fields on one ``#`` field is one ``pack`` when
    all are set (checked on the flags local), part by part otherwise.  Parts
    are one tuple display: no list appends.
    """
    parts: list[WriteStep] = []
    run_fmt = "<I"
    run_values = [f"0x{cid:08x}"]

    def flush() -> None:
        nonlocal run_fmt, run_values
        if run_values:
            parts.append(WriteStep("struct", struct=b.pack(run_fmt), values=run_values))
        run_fmt, run_values = "<", []

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
            parts.append(field_codec(b, p.type).write(value))
            continue
        group = [(f, p)]
        while p.type.name in FIXED_CODES and i < len(pairs):
            nf, np_ = pairs[i]
            if np_.flag is None or np_.flag.field != p.flag.field or np_.type.name not in FIXED_CODES:
                break
            group.append((nf, np_))
            i += 1
        if len(group) == 1:
            parts.append(field_codec(b, p.type).write(_value_local(f), optional=True))
            continue
        mask = 0
        for _, gp in group:
            mask |= _flag_mask(gp)
        fmt = "<" + "".join(FIXED_CODES[gp.type.name] for _, gp in group)
        every = WriteStep("struct", struct=b.pack(fmt), values=[_value_local(gf) for gf, _ in group])
        inner = [field_codec(b, gp.type).write(_value_local(gf), optional=True) for gf, gp in group]
        parts.append(WriteStep("opt_run", cond=_local(p.flag.field), mask=mask, every=every, inner=inner))
    flush()
    return parts


def _result(b: ModuleScope, c: Combinator) -> tuple[str, str]:
    """(annotation, body) of a function's ``read_result``."""
    ref = c.result
    if ref.name in b.generics:
        query = next((p for p in c.params if p.type.generic_ref and p.type.name == ref.name), None)
        if query is None:
            raise EmitError(f"{c.name}: generic result {ref.name} without a !{ref.name} parameter", c.pos)
        return b.type_var(ref.name), f"return self.{naming.param_name(query.name)}.read_result(data, offset)"
    annotation = b.annotation(ref)
    reader = b.reader_call(b.item_reader(ref))
    return annotation, f"return {b.use('_read_entry')}(data, offset, {reader})"
