"""No import loops inside tlruntime/ or generator/ (lazy and TYPE_CHECKING imports count too).

The graph is read from the source with ``ast``: every ``import`` and
``from ... import`` naming a module of the package, wherever it sits, is an
edge.  The generated layer (``tlruntime/tl``) is one node: what it imports
is the runtime's business, not a loop of hand-written modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _collapse(name: str) -> str:
    return "tlruntime.tl" if name == "tlruntime.tl" or name.startswith("tlruntime.tl.") else name


def _graph(package: str) -> dict[str, set[str]]:
    modules = {
        _module_name(path): path
        for path in (ROOT / package).rglob("*.py")
        if "tlruntime/tl/" not in path.as_posix()
    }
    known = set(modules) | {"tlruntime.tl"}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        base = name.split(".") if is_package else name.split(".")[:-1]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[: len(base) - node.level + 1]
                    prefix = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                targets = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
            for target in targets:
                target = _collapse(target)
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name and target != _collapse(name):
                    edges.add(target)
        graph[_collapse(name)] = graph.get(_collapse(name), set()) | edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            # A package's __init__ re-exporting its own submodules is not a loop of the design.
            if nxt.startswith(node + "."):
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_tlruntime_has_no_import_loops() -> None:
    graph = _graph("tlruntime")
    assert "tlruntime.session.engine" in graph and "tlruntime.endpoint.endpoint" in graph
    assert _cycles(graph) == []


def test_generator_has_no_import_loops() -> None:
    assert _cycles(_graph("generator")) == []


def test_the_checker_sees_a_loop() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
