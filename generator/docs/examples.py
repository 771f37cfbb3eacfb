"""A runnable Python example for a method page: every parameter gets a plausible value of its type.

Values are chosen by type, refined by the parameter name where the name says what
the number or text is (a date, a limit, a link); a boxed type gets one of its
constructors (the first that takes arguments near the top, the smallest one deeper
down, so examples stay short and never recurse).  Nested objects get their
required fields only; the method itself gets every field.
"""

from __future__ import annotations

from typing import List, Set, Tuple

from generator import naming
from generator.docs.catalog import Catalog
from generator.model import CheckedCombinator, Param, TypeRef

__all__ = ["python_example", "python_path"]

_MAX_DEPTH = 3
_INDENT = "    "


def python_path(cc: CheckedCombinator) -> Tuple[str, str]:
    """``("tlruntime.tl.functions.messages", "ExportChatInvite")`` for a combinator."""
    c = cc.combinator
    group = "functions" if c.kind == "function" else "types"
    module = f"tlruntime.tl.{group}" + (f".{c.namespace}" if c.namespace else "")
    return module, naming.class_name(c.name)


class _Writer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.imports: Set[Tuple[str, str]] = set()
        self.namespaced_types = False

    def class_ref(self, cc: CheckedCombinator) -> str:
        module, name = python_path(cc)
        c = cc.combinator
        if c.kind == "constructor" and c.namespace:
            self.namespaced_types = True
            return f"types.{c.namespace}.{name}"
        self.imports.add((module, name))
        return name

    def scalar(self, name: str, type_name: str) -> str:
        lowered = name.lower()
        if type_name == "int":
            if "date" in lowered or lowered.endswith("time") or lowered == "until":
                return "1_800_000_000"
            if "period" in lowered or "duration" in lowered or "ttl" in lowered:
                return "86_400"
            if "limit" in lowered or "count" in lowered:
                return "10"
            if lowered.endswith("id") or lowered.endswith("_ids"):
                return "12345"
            if lowered == "layer":
                return str(self.catalog.layer or 0)
            return "1"
        if type_name == "long":
            if "hash" in lowered:
                return "1234567890123456789"
            if "amount" in lowered or "stars" in lowered:
                return "50"
            return "1234567890"
        if type_name == "double":
            return "1.5"
        if type_name == "string":
            if "link" in lowered or "url" in lowered:
                return '"https://t.me/example"'
            if "title" in lowered or "name" in lowered:
                return '"Example"'
            if "hash" in lowered:
                return '"abcdef0123456789"'
            if "lang" in lowered:
                return '"en"'
            if "phone" in lowered:
                return '"+15550100"'
            return '"text"'
        if type_name == "bytes":
            return 'b"\\x01\\x02\\x03\\x04"'
        if type_name == "int128":
            return "0x0123456789ABCDEF0123456789ABCDEF"
        if type_name == "int256":
            return "0x" + "0123456789ABCDEF" * 4
        if type_name in ("Bool", "true"):
            return "True"
        raise KeyError(type_name)

    def value(self, name: str, ref: TypeRef, depth: int, indent: str) -> str:
        if ref.name in ("Vector", "vector") and ref.args:
            return f"[{self.value(name, ref.args[0], depth, indent)}]"
        try:
            return self.scalar(name, ref.name)
        except KeyError:
            pass
        if ref.generic_ref or ref.name in ("X", "Object") or ref.name not in self.catalog.types:
            # A generic query (invokeWithLayer's `query`): any function; help.getConfig takes no arguments.
            target = self.catalog.functions.get("help.getConfig") or self.catalog.functions.get("ping")
            if target is None:
                return "None"
            return self.construct(target, depth + 1, indent, all_fields=False)
        return self.construct(self.pick(ref.name, depth), depth + 1, indent, all_fields=False)

    def pick(self, type_name: str, depth: int) -> CheckedCombinator:
        options = self.catalog.types[type_name]  # in schema order
        order = sorted(
            range(len(options)), key=lambda i: (len(_required(options[i])), i)
        )
        if depth < _MAX_DEPTH - 1:
            with_args = [options[i] for i in range(len(options)) if _required(options[i])]
            if with_args and not self._recursive(with_args[0], type_name):
                return with_args[0]
        return options[order[0]]

    def _recursive(self, cc: CheckedCombinator, type_name: str) -> bool:
        return any(p.type.name == type_name for p in _required(cc))

    def construct(self, cc: CheckedCombinator, depth: int, indent: str, all_fields: bool) -> str:
        params = [p for p in cc.combinator.params if p.type.name != "#"]
        if not all_fields:
            params = [p for p in params if p.flag is None]
        head = self.class_ref(cc)
        if not params:
            return f"{head}()"
        inner = indent + _INDENT
        parts = [f"{inner}{naming.param_name(p.name)}={self.value(p.name, p.type, depth, inner)}," for p in params]
        one_line = f"{head}({', '.join(part.strip().rstrip(',') for part in parts)})"
        if len(one_line) + len(indent) <= 88 and "\n" not in one_line:
            return one_line
        return f"{head}(\n" + "\n".join(parts) + f"\n{indent})"


def _required(cc: CheckedCombinator) -> List[Param]:
    return [p for p in cc.combinator.params if p.flag is None and p.type.name != "#"]


def python_example(catalog: Catalog, cc: CheckedCombinator) -> str:
    """The example source for a method page (runs against a connected :class:`Client`)."""
    writer = _Writer(catalog)
    call = writer.construct(cc, 0, _INDENT, all_fields=True)
    lines = ["from tlruntime.client import Client"]
    if writer.namespaced_types:
        lines.append("from tlruntime.tl import types")
    by_module: dict[str, List[str]] = {}
    for module, name in writer.imports:
        by_module.setdefault(module, []).append(name)
    for module in sorted(by_module):
        names = sorted(set(by_module[module]))
        line = f"from {module} import {', '.join(names)}"
        if len(line) > 88:  # one name per line, as a formatter would
            line = f"from {module} import (\n" + "".join(f"{_INDENT}{n},\n" for n in names) + ")"
        lines.append(line)
    lines += [
        "",
        "",
        "async def example(client: Client) -> None:",
        f"{_INDENT}request = {call}",
        f"{_INDENT}result = await client(request)",
        f"{_INDENT}print(result)",
    ]
    return "\n".join(lines) + "\n"
