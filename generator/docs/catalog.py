"""What the pages are about: every constructor, function and type of a validated schema,
cross-referenced (a type's constructors, the methods returning it), plus the facts table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from generator.facts import Facts
from generator.model import CheckedCombinator, TypeRef, ValidatedSchema

__all__ = ["Catalog", "PRIMITIVES"]

# Types the runtime implements by hand; they have no page and are shown unlinked.
PRIMITIVES = frozenset({"int", "long", "double", "string", "bytes", "int128", "int256", "true", "#", "Object"})


@dataclass(frozen=True)
class Catalog:
    layer: Optional[int]
    constructors: Dict[str, CheckedCombinator]
    functions: Dict[str, CheckedCombinator]
    types: Dict[str, Tuple[CheckedCombinator, ...]]
    returned_by: Dict[str, Tuple[CheckedCombinator, ...]]
    used_by: Dict[str, Tuple[CheckedCombinator, ...]]
    facts: Facts

    @classmethod
    def build(cls, validated: ValidatedSchema, facts: Facts) -> "Catalog":
        constructors: Dict[str, CheckedCombinator] = {}
        functions: Dict[str, CheckedCombinator] = {}
        types: Dict[str, List[CheckedCombinator]] = {}
        returned_by: Dict[str, List[CheckedCombinator]] = {}
        for cc in validated.combinators:
            c = cc.combinator
            if c.kind == "constructor":
                constructors[c.name] = cc
                types.setdefault(c.result.name, []).append(cc)
            else:
                functions[c.name] = cc
        used_by: Dict[str, List[CheckedCombinator]] = {}
        for cc in functions.values():
            for name in _type_names(cc.combinator.result):
                returned_by.setdefault(name, []).append(cc)
        for cc in validated.combinators:
            names = {n for p in cc.combinator.params for n in _type_names(p.type)}
            for name in names:
                used_by.setdefault(name, []).append(cc)
        return cls(
            layer=validated.schema.layer,
            constructors=dict(sorted(constructors.items())),
            functions=dict(sorted(functions.items())),
            types={k: tuple(sorted(v, key=_tl_name)) for k, v in sorted(types.items())},
            returned_by={k: tuple(sorted(v, key=_tl_name)) for k, v in sorted(returned_by.items())},
            used_by={k: tuple(sorted(v, key=_tl_name)) for k, v in sorted(used_by.items())},
            facts=facts,
        )

    def has_type_page(self, name: str) -> bool:
        return name in self.types


def _tl_name(cc: CheckedCombinator) -> str:
    return cc.combinator.name


def _type_names(ref: TypeRef) -> List[str]:
    """Every named type inside a reference (``Vector<User>`` -> ``Vector``, ``User``)."""
    names = [ref.name]
    for arg in ref.args:
        names.extend(_type_names(arg))
    return names
