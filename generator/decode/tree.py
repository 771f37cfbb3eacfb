"""The decoded value as a tree of nodes with byte offsets, and its text rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

__all__ = ["Node", "render_tree"]


@dataclass
class Node:
    """One decoded item: ``label`` (field name or constructor), ``type`` as written in the schema,
    ``value`` (a short text for scalars, the constructor for objects), ``offset``/``end`` in the
    input (``space`` names the buffer when it is not the input: an unpacked gzip body), and
    ``problem`` when reading stopped here (unknown id, truncation...)."""

    label: str
    type: str = ""
    value: str = ""
    offset: int = 0
    end: int = 0
    space: str = ""
    problem: Optional[str] = None
    children: List["Node"] = field(default_factory=list)

    def add(self, child: "Node") -> "Node":
        self.children.append(child)
        return child

    def problems(self) -> List["Node"]:
        found = [self] if self.problem else []
        for child in self.children:
            found.extend(child.problems())
        return found

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"label": self.label, "offset": self.offset, "end": self.end}
        for key in ("type", "value", "space", "problem"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


def _line(node: Node, depth: int) -> str:
    where = f"{node.space}+" if node.space else ""
    head = f"{where}{node.offset:04x}".rjust(6)
    text = node.label
    if node.type:
        text += f": {node.type}"
    if node.value:
        text += f" = {node.value}"
    if node.problem:
        text += f"  !! {node.problem}"
    return f"{head}  {'  ' * depth}{text}"


def render_tree(root: Node) -> str:
    """One line per node: hex offset, indentation by depth, ``label: type = value``."""
    lines: List[str] = []

    def walk(node: Node, depth: int) -> None:
        lines.append(_line(node, depth))
        for child in node.children:
            walk(child, depth + 1)

    walk(root, 0)
    return "\n".join(lines) + "\n"
