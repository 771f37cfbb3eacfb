"""PEP 562 lazy attributes for the generated packages.

Each generated ``__init__`` holds a table name -> (module, attribute) and
forwards its module ``__getattr__`` here; the first access imports the module,
and the value is stored in the package's globals so later lookups never come
back here.
"""

from __future__ import annotations

import importlib
from typing import Any, MutableMapping

__all__ = ["load_lazy"]


def load_lazy(namespace: MutableMapping[str, Any], table: dict[str, tuple[str, str]], name: str) -> object:
    """Resolve ``name`` of the package whose globals are ``namespace`` and cache it there."""
    where = table.get(name)
    if where is None:
        raise AttributeError(f"module {namespace.get('__name__')!r} has no attribute {name!r}")
    module_name, attribute = where
    module = importlib.import_module(module_name)
    value: object = getattr(module, attribute) if attribute else module
    namespace[name] = value
    return value
