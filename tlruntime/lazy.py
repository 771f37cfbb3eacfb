"""PEP 562 lazy attributes for the generated packages.

Each generated ``__init__`` holds a table name -> (module, attribute) and
forwards its module ``__getattr__`` here; the first access imports the module,
and the value is stored in the package's globals so later lookups never come
back here.
"""

from __future__ import annotations

import importlib

from .layer_loader import import_module as _import_module
TYPE_CHECKING = False  # typing is imported for type checkers, or when an abcs union is built
if TYPE_CHECKING:
    from typing import Any, MutableMapping

__all__ = ["load_lazy", "load_union"]


def load_lazy(namespace: MutableMapping[str, Any], table: dict[str, tuple[str, str]], name: str) -> object:
    """Resolve ``name`` of the package whose globals are ``namespace`` and cache it there."""
    where = table.get(name)
    if where is None:
        raise AttributeError(f"module {namespace.get('__name__')!r} has no attribute {name!r}")
    module_name, attribute = where
    module = _import_module(module_name)  # a class module skips importlib's generic machinery
    value: object = getattr(module, attribute) if attribute else module
    namespace[name] = value
    return value


def load_union(namespace: MutableMapping[str, Any], table: dict[str, str], name: str) -> object:
    """Resolve the alias ``name`` of a generated ``abcs`` module and cache it there.

    ``table`` maps an alias to its constructor classes as written in the type
    checkers' ``Union`` (``"pkg.mod.Class, pkg.mod.Other"``); the value is that
    ``typing.Union`` (the class itself for a one-constructor type).  In the
    ``abcs`` package a namespace (``abcs.account``) is its submodule.
    """
    refs = table.get(name)
    if refs is None:
        module_name = f"{namespace.get('__name__')}.{name}"
        if name.isidentifier() and not name.startswith("_") and namespace.get("__path__") is not None:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
            else:
                namespace[name] = module
                return module
        raise AttributeError(f"module {namespace.get('__name__')!r} has no attribute {name!r}")
    classes = []
    for ref in refs.split(", "):
        module_path, _, class_name = ref.rpartition(".")
        classes.append(getattr(_import_module(module_path), class_name))
    from typing import Union  # only here: a cheap `import tlruntime.tl`

    value: object = Union[tuple(classes)]
    namespace[name] = value
    return value
