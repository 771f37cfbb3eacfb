"""Random but valid objects of the generated layer, for seed corpora (seeded: the same seed, the same bytes).

The layer's classes describe themselves (``FIELDS`` with TL types, ``TL_LINE``
with the result type), so the generator needs no schema parser: it loads every
class once, groups constructors by result type, and fills each field from its
TL type.  Optional fields are set about half the time; vectors hold 0-2 items;
below ``max_depth`` only the "smallest" constructor of a type is picked, so
every object stays finite even for recursive types.
"""

from __future__ import annotations

import random
import struct
from typing import Any

from tlruntime import tlobject
from tlruntime.tlobject import TLObject, TLRequest

__all__ = ["SchemaValues"]

_INT_BITS = {"int": 32, "long": 64, "int128": 128, "int256": 256}
_WORDS = ("", "a", "team", "héllo", "x" * 300, "🙂", "t.me/+abc", "\x00")


def _result_type(cls: type[TLObject]) -> str:
    return cls.TL_LINE.rpartition("=")[2].strip(" ;")


def _object_fields(cls: type[TLObject]) -> int:
    """How many required fields of ``cls`` hold objects (a size hint: fewer is smaller)."""
    count = 0
    for f in cls.FIELDS:
        if f.flag_field is None and f.tl_type[:1].isupper() and f.tl_type not in ("Bool",):
            count += 1
    return count


class SchemaValues:
    """Builds random values of the layer's constructors and functions."""

    def __init__(self, seed: int, *, max_depth: int = 4) -> None:
        from tlruntime.tl._index import LOCATIONS

        self.rng = random.Random(seed)
        self.max_depth = max_depth
        self.constructors: list[type[TLObject]] = []
        self.functions: list[type[TLObject]] = []
        self.by_type: dict[str, list[type[TLObject]]] = {}
        self.by_name: dict[str, type[TLObject]] = {}
        for cid in sorted(LOCATIONS):
            cls = tlobject.class_for_id(cid)
            if cls is None:  # pragma: no cover - the index and the classes come from one run
                continue
            self.by_name[cls.TL_NAME] = cls
            if cls.__module__ == "tlruntime.core_types":
                continue  # hand-written (message, msg_container, gzip_packed): not schema values
            if issubclass(cls, TLRequest):
                self.functions.append(cls)
            else:
                self.constructors.append(cls)
                self.by_type.setdefault(_result_type(cls), []).append(cls)
        for group in self.by_type.values():
            group.sort(key=lambda c: (_object_fields(c), len(c.FIELDS), c.TL_NAME))

    # --- values ---------------------------------------------------------------------

    def instance(self, cls: type[TLObject], depth: int = 0) -> TLObject:
        """A random instance of ``cls`` (constructor or function)."""
        kwargs: dict[str, Any] = {}
        bits: dict[tuple[str, int], bool] = {}  # fields sharing a flag bit are set together
        for f in cls.FIELDS:
            if f.tl_type == "#":
                continue
            if f.flag_field is not None and f.bit is not None:
                key = (f.flag_field, f.bit)
                if key not in bits:
                    bits[key] = depth < self.max_depth and self.rng.random() < 0.5
                if f.tl_type == "true":
                    kwargs[f.name] = bits[key]
                    continue
                if not bits[key]:
                    continue  # absent optional field
            kwargs[f.name] = self.value(f.tl_type, depth + 1)
        return cls(**kwargs)

    def value(self, tl_type: str, depth: int) -> Any:
        rng = self.rng
        if tl_type in _INT_BITS:
            bits = _INT_BITS[tl_type]
            edge = rng.random() < 0.2
            if edge:
                return rng.choice((0, -1, 1, (1 << (bits - 1)) - 1, -(1 << (bits - 1))))
            return rng.randrange(-(1 << (bits - 1)), 1 << (bits - 1))
        if tl_type == "double":
            return rng.choice((0.0, -1.5, 3.25, 1e300, rng.random()))
        if tl_type == "string":
            return rng.choice(_WORDS)
        if tl_type == "bytes":
            return rng.randbytes(rng.choice((0, 1, 3, 4, 16, 255, 300)))
        if tl_type == "Bool":
            return rng.random() < 0.5
        lowered = tl_type.lower()
        if lowered.startswith("vector<"):
            inner = tl_type[7:-1]
            count = 0 if depth >= self.max_depth else rng.choice((0, 1, 1, 2))
            return [self.value(inner, depth + 1) for _ in range(count)]
        name = tl_type.lstrip("%!")
        if name in ("Object", "X") or tl_type.startswith("!"):
            return self.any_object(depth)
        if name in self.by_type:
            group = self.by_type[name]
            cls = group[0] if depth >= self.max_depth else rng.choice(group)
            return self.instance(cls, depth)
        if name in self.by_name:  # a bare constructor: vector<future_salt>, %Message...
            return self.instance(self.by_name[name], depth)
        raise KeyError(f"no generator for TL type {tl_type!r}")

    def any_object(self, depth: int) -> TLObject:
        """A value for an untyped (``Object``/``!X``) position: a small random constructor."""
        if depth >= self.max_depth:
            return self.instance(self.by_name["ping"], depth)
        return self.instance(self.rng.choice(self.constructors), depth)

    def sample_bytes(self, count: int, *, functions_share: float = 0.3) -> list[bytes]:
        """``count`` serialized random objects: constructors and functions of the whole layer."""
        out: list[bytes] = []
        while len(out) < count:
            pool = self.functions if self.rng.random() < functions_share else self.constructors
            cls = self.rng.choice(pool)
            try:
                out.append(bytes(self.instance(cls)))
            except Exception:  # noqa: BLE001 - a value this generator cannot build: pick another
                continue
        return out


def u32(value: int) -> bytes:
    return struct.pack("<I", value)
