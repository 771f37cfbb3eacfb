"""``diff``: what changed between two schemas, and whether it breaks a caller of the generated API.

Combinators are matched by TL name (constructors with constructors, functions
with functions).  The rule for *breaking* is about Python code written against
the old generated layer and run against the new one:

==========================================  ===========  ==============================================
change                                      verdict      why
==========================================  ===========  ==============================================
constructor or function added               compatible   nothing existing changes
constructor or function removed             breaking     its class disappears
constructor moved to another type           breaking     ``isinstance``/type hints of the old type fail
function result type changed                breaking     the awaited value has another type
id changed (fields the same)                compatible   callers never pass ids; the new layer writes the new id
field added, optional (``flags.N?``)        compatible   it defaults to None / False
field added, required                       breaking     old calls lack a required keyword argument
field removed                               breaking     old calls pass an unknown keyword argument
field type changed                          breaking     old values no longer serialize or read back
field optional -> required                  breaking     old calls may omit it
field required -> optional                  compatible   old calls still pass it
flag bit or flag word moved                 compatible   keyword arguments; the flags word is computed
fields reordered                            compatible   keyword arguments
==========================================  ===========  ==============================================

Every change is also a wire change (the bytes differ) except for reordering nothing: an
old peer and a new peer do not understand each other's changed combinators; the
verdict is only about source compatibility of calling code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from generator.model import CheckedCombinator, Param, ValidatedSchema
from generator.schema_source import type_text

__all__ = ["Change", "CombinatorDiff", "SchemaDiff", "diff_schemas", "render_text", "to_json"]


@dataclass(frozen=True)
class Change:
    """One change inside a combinator: ``kind`` is a stable token, ``detail`` human text."""

    kind: str
    detail: str
    breaking: bool
    field: Optional[str] = None


@dataclass(frozen=True)
class CombinatorDiff:
    kind: str  # "constructor" or "function"
    name: str
    status: str  # "added", "removed" or "changed"
    old_id: Optional[int]
    new_id: Optional[int]
    line: str  # the new TL line (the old one when removed)
    changes: Tuple[Change, ...] = ()

    @property
    def breaking(self) -> bool:
        if self.status == "removed":
            return True
        return any(c.breaking for c in self.changes)


@dataclass(frozen=True)
class SchemaDiff:
    old_layer: Optional[int]
    new_layer: Optional[int]
    entries: Tuple[CombinatorDiff, ...] = field(default_factory=tuple)

    @property
    def breaking_count(self) -> int:
        return sum(1 for e in self.entries if e.breaking)

    def of(self, status: str, kind: Optional[str] = None) -> List[CombinatorDiff]:
        return [e for e in self.entries if e.status == status and (kind is None or e.kind == kind)]


def _index(validated: ValidatedSchema) -> Dict[Tuple[str, str], CheckedCombinator]:
    return {(cc.combinator.kind, cc.combinator.name): cc for cc in validated.combinators}


def _flag_text(p: Param) -> str:
    return f"{p.flag.field}.{p.flag.bit}" if p.flag is not None else "required"


def _param_text(p: Param) -> str:
    return f"{p.name}:{(_flag_text(p) + '?') if p.flag else ''}{type_text(p.type)}"


def _field_changes(old: CheckedCombinator, new: CheckedCombinator) -> List[Change]:
    changes: List[Change] = []
    old_params = {p.name: p for p in old.combinator.params}
    new_params = {p.name: p for p in new.combinator.params}
    for name, p in new_params.items():
        if name in old_params or p.type.name == "#":
            continue
        if p.flag is not None:
            changes.append(Change("field_added", f"+ {_param_text(p)}: new optional field", False, name))
        else:
            changes.append(Change("field_added", f"+ {_param_text(p)}: new required field", True, name))
    for name, p in old_params.items():
        if name not in new_params and p.type.name != "#":
            changes.append(Change("field_removed", f"- {_param_text(p)}: field removed", True, name))
    for name, new_p in new_params.items():
        old_p = old_params.get(name)
        if old_p is None or new_p.type.name == "#" or old_p.type.name == "#":
            continue
        if type_text(old_p.type) != type_text(new_p.type):
            changes.append(Change(
                "type_changed", f"~ {name}: type {type_text(old_p.type)} -> {type_text(new_p.type)}", True, name
            ))
        if (old_p.flag is None) != (new_p.flag is None):
            if new_p.flag is None:
                changes.append(Change("made_required", f"~ {name}: optional ({_flag_text(old_p)}) -> required", True, name))
            else:
                changes.append(Change("made_optional", f"~ {name}: required -> optional ({_flag_text(new_p)})", False, name))
        elif old_p.flag is not None and new_p.flag is not None and _flag_text(old_p) != _flag_text(new_p):
            changes.append(Change(
                "flag_moved", f"~ {name}: flag bit {_flag_text(old_p)} -> {_flag_text(new_p)}", False, name
            ))
    common_old = [p.name for p in old.combinator.params if p.name in new_params and p.type.name != "#"]
    common_new = [p.name for p in new.combinator.params if p.name in old_params and p.type.name != "#"]
    if common_old != common_new:
        changes.append(Change("reordered", f"~ fields reordered: {' '.join(common_old)} -> {' '.join(common_new)}", False))
    return changes


def _changes(old: CheckedCombinator, new: CheckedCombinator) -> List[Change]:
    changes: List[Change] = []
    if old.id != new.id:
        changes.append(Change("id_changed", f"~ id 0x{old.id:08x} -> 0x{new.id:08x}", False))
    old_result, new_result = type_text(old.combinator.result), type_text(new.combinator.result)
    if old_result != new_result:
        what = "result type" if new.combinator.kind == "function" else "type"
        changes.append(Change("result_changed", f"~ {what} {old_result} -> {new_result}", True))
    changes.extend(_field_changes(old, new))
    return changes


def diff_schemas(old: ValidatedSchema, new: ValidatedSchema) -> SchemaDiff:
    """Added, removed and changed combinators of ``new`` against ``old``, sorted by kind then name."""
    old_index, new_index = _index(old), _index(new)
    entries: List[CombinatorDiff] = []
    for key in sorted(set(old_index) | set(new_index)):
        kind, name = key
        o, n = old_index.get(key), new_index.get(key)
        if o is None and n is not None:
            entries.append(CombinatorDiff(kind, name, "added", None, n.id, n.combinator.text))
        elif n is None and o is not None:
            entries.append(CombinatorDiff(kind, name, "removed", o.id, None, o.combinator.text))
        elif o is not None and n is not None:
            changes = _changes(o, n)
            if changes:
                entries.append(CombinatorDiff(kind, name, "changed", o.id, n.id, n.combinator.text, tuple(changes)))
    return SchemaDiff(old.schema.layer, new.schema.layer, tuple(entries))


def _verdict(breaking: bool) -> str:
    return "BREAKING" if breaking else "compatible"


def _layer(number: Optional[int]) -> str:
    return str(number) if number is not None else "unknown"


def _hex_id(number: Optional[int]) -> Optional[str]:
    return None if number is None else f"0x{number:08x}"


def render_text(diff: SchemaDiff) -> str:
    """The human-readable report."""
    lines = [f"layer {_layer(diff.old_layer)} -> {_layer(diff.new_layer)}"]
    for kind in ("function", "constructor"):
        counts = [f"{len(diff.of(s, kind))} {s}" for s in ("added", "removed", "changed")]
        lines.append(f"{kind}s: {', '.join(counts)}")
    lines.append(f"breaking for callers of the generated API: {diff.breaking_count}")
    if not diff.entries:
        lines.append("no differences")
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for e in diff.entries:
        ident = f"#{(e.new_id if e.new_id is not None else e.old_id):08x}"
        lines.append("")
        lines.append(f"{sign[e.status]} {e.kind} {e.name}{ident} [{e.status}, {_verdict(e.breaking)}]")
        if e.status != "changed":
            lines.append(f"    {e.line}")
        for c in e.changes:
            lines.append(f"    {c.detail} [{_verdict(c.breaking)}]")
    return "\n".join(lines) + "\n"


def to_json(diff: SchemaDiff) -> Dict[str, object]:
    """A JSON-ready dict (stable keys; ids as ``0x%08x`` strings)."""
    return {
        "old_layer": diff.old_layer,
        "new_layer": diff.new_layer,
        "breaking": diff.breaking_count,
        "entries": [
            {
                "kind": e.kind,
                "name": e.name,
                "status": e.status,
                "breaking": e.breaking,
                "old_id": _hex_id(e.old_id),
                "new_id": _hex_id(e.new_id),
                "line": e.line,
                "changes": [
                    {"kind": c.kind, "field": c.field, "detail": c.detail, "breaking": c.breaking} for c in e.changes
                ],
            }
            for e in diff.entries
        ],
    }
