"""Type analysis over the emitted combinators: constructors per type, bare constructors, module paths.

Everything here is about the schema, not about Python source text; the code
generator (:mod:`generator.emit.codegen`) asks these questions while it builds
a class.
"""

from __future__ import annotations

from typing import Collection, Sequence

from generator import naming
from generator.emit.errors import EmitError
from generator.model import CheckedCombinator, Combinator, SourcePos, TypeRef
from tlruntime.tlobject import type_method_name

__all__ = ["TypeIndex", "abc_ref", "class_module_path", "type_method"]


def type_method(type_name: str) -> str:
    """Name of the serializing method every constructor of the abstract TL type carries.

    The rule lives in the runtime (``tlruntime.tlobject.type_method_name``), which also
    uses it to explain a value of the wrong type; see there.
    """
    return type_method_name(type_name)


def _pos(ref: TypeRef, where: Combinator) -> SourcePos:
    return ref.pos if ref.pos is not None else where.pos


class TypeIndex:
    """Facts about TL types across the whole layer: constructors per type, bare constructors."""

    def __init__(self, emitted: Sequence[CheckedCombinator], package: str) -> None:
        self.package = package
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

    def constructors_of(self, ref: TypeRef, where: Combinator) -> list[CheckedCombinator]:
        found = self.by_type.get(ref.name)
        if not found:
            raise EmitError(
                f"type {ref.name!r} used by {where.name} has no constructor in the layer", _pos(ref, where)
            )
        return found

    def bare_constructor(self, ref: TypeRef, where: Combinator) -> CheckedCombinator:
        if ref.name.rsplit(".", 1)[-1][:1].isupper():  # %T, %ns.T: the single constructor of T
            ctors = self.constructors_of(ref, where)
            if len(ctors) != 1:
                raise EmitError(
                    f"{where.name}: %{ref.name} needs a type with exactly one constructor", _pos(ref, where)
                )
            return ctors[0]
        cc = self.by_name.get(ref.name)
        if cc is None:
            raise EmitError(f"{where.name}: bare type {ref.name!r} names no constructor", _pos(ref, where))
        return cc

    def module_path(self, c: Combinator) -> str:
        """Dotted module of ``c``'s class."""
        return class_module_path(c, self.namespaces[c.kind], self.package)

    def abc_module(self, type_name: str) -> str:
        """Dotted module holding the typing alias of an abstract TL type."""
        ns = naming.namespace_of(type_name)
        return f"{self.package}.abcs" + (f".{ns}" if ns else "")


def abc_ref(type_name: str) -> tuple[str, str]:
    """(module alias used in annotations, alias name) of an abstract TL type."""
    ns = naming.namespace_of(type_name)
    alias = naming.class_name(type_name)
    return ("abcs" if ns is None else f"abcs_{ns}", alias)


def class_module_path(c: Combinator, namespaces: Collection[str], package: str) -> str:
    """Dotted module of ``c``'s class; ``namespaces`` are the namespace packages of its group."""
    group = "types" if c.kind == "constructor" else "functions"
    ns = naming.namespace_of(c.name)
    parts = [package, group] + ([ns] if ns else []) + [naming.module_name(c.name, namespaces)]
    return ".".join(parts)
