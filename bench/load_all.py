"""Force every generated class to load, for the "whole layer" import figure.

The generated layer is lazy: ``tlruntime.tl._index.LOCATIONS`` maps each
constructor/function id to the module and class that implement it, and
nothing is imported until first use.  Walking that index through
``class_for_id`` loads every class exactly as decoding one object of each kind
would (and as ``types.X`` does: both go through ``tlruntime.layer_loader``).
"""

from __future__ import annotations


def load_every_class() -> int:
    """Load every class named by the generated id index; returns how many there are."""
    from tlruntime.tl._index import LOCATIONS
    from tlruntime.tlobject import class_for_id

    for constructor_id in LOCATIONS:
        if class_for_id(constructor_id) is None:  # pragma: no cover - the index names only real classes
            raise RuntimeError(f"id 0x{constructor_id:08x} of the index has no class")
    return len(LOCATIONS)
