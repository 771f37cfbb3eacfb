"""Force every generated class to load, for the "whole layer" import figure.

The generated layer is lazy: ``tlruntime.tl._index.LOCATIONS`` maps each
constructor/function id to the module and class that implement it, and
nothing is imported until first use.  Walking that index imports every class
exactly as decoding one object of each kind would.
"""

from __future__ import annotations

import importlib


def load_every_class() -> int:
    """Import every class named by the generated id index; returns how many there are."""
    from tlruntime.tl._index import LOCATIONS

    for module_name, class_name in LOCATIONS.values():
        getattr(importlib.import_module(module_name), class_name)
    return len(LOCATIONS)
