"""Hypothesis strategies for the generated layer: random, valid values of any class or TL type.

::

    from hypothesis import given
    import tlruntime.tl
    from tlruntime.tl import abcs, types
    from tlruntime.testing import from_type

    @given(from_type(abcs.InputPeer))           # any constructor of the type
    def test_round_trip(peer):
        assert tlruntime.tl.deserialize(bytes(peer)) == peer

    from_type(types.ChatInviteExported)         # one class
    from_type("Vector<InputUser>")              # a TL type as the schema writes it

Values are valid by construction, derived from each class's introspection
(``FIELDS``, ``TL_NAME``, ``TL_LINE``) and the layer's id index:

* flags: presence is drawn once per (flags field, bit), so fields sharing a
  bit are present together and a ``true`` flag *is* that presence; the
  ``flags`` words themselves are computed by the classes when writing;
* ``int``/``long``/``int128``/``int256`` cover their whole signed range (the
  runtime reads all four signed), ``double`` any float (no NaN unless
  ``allow_nan``: NaN never equals itself, so no round trip would compare
  equal), ``string`` any text UTF-8 can encode (no lone surrogates),
  ``bytes`` any bytes, ``Bool`` a bool, ``Vector<T>`` a list of 0 to
  ``max_list`` items;
* an abstract type becomes one of its constructors, ``Object`` any
  constructor and ``!X`` any function of the layer (the hand-written runtime
  wrappers ``gzip_packed``, ``msg_container`` and its ``message`` are not
  values and are never drawn);
* nesting is bounded: an object ``max_depth`` levels down has no optional
  fields, its object vectors are empty, and the constructors of a required
  object field are chosen among those that need the least nesting, so every
  draw ends.

``fields`` replaces the strategy of single fields, keyed by (TL name of the
combinator, TL name of the field), e.g. ``{("peerChat", "chat_id"):
st.integers(1, 10**10)}`` for a peer that only accepts such ids.

The first strategy built loads every class of the layer once (about half a
second) to learn which constructors each type has.  Deep values are large:
tests drawing objects of big types may need
``suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]``.

hypothesis is a test dependency, not a runtime one: importing this module
without it raises ImportError saying so.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "tlruntime.testing needs hypothesis, a test-only dependency of tlruntime: "
        "`pip install hypothesis` (or install tlruntime with its `test` extra)"
    ) from exc

from .tlobject import TLObject, TLRequest, class_for_id

__all__ = ["from_type", "layer_classes", "INT_BITS"]

#: Signed width of each TL integer type.
INT_BITS: Mapping[str, int] = {"int": 32, "long": 64, "int128": 128, "int256": 256}
_INFINITE = 1 << 30
#: Where the hand-written runtime combinators live; they wrap values, they are none.
_RUNTIME_MODULE = "tlruntime.core_types"

Draw = Callable[[st.SearchStrategy[Any]], Any]


# --- the layer, as the classes describe it ---------------------------------------------


def _result_type(cls: type[TLObject]) -> str:
    """The TL result type of a combinator, read from its TL line (``... = help.Country;``)."""
    return cls.TL_LINE.rsplit("=", 1)[1].strip().rstrip(";").strip()


def _vector_item(tl_type: str) -> str | None:
    """``T`` of ``Vector<T>`` / ``vector<T>``, else None."""
    if tl_type[:7] in ("Vector<", "vector<") and tl_type.endswith(">"):
        return tl_type[7:-1]
    return None


def _is_object_type(tl_type: str) -> bool:
    return tl_type not in INT_BITS and tl_type not in ("double", "string", "bytes", "Bool", "true", "#")


class _Layer:
    """Every generated class, grouped by result type, with the nesting each needs at least."""

    def __init__(self) -> None:
        from tlruntime.tl import _index  # generated; imported here so the module stays cheap

        classes = [class_for_id(cid) for cid in sorted(_index.LOCATIONS)]
        usable = [c for c in classes if c is not None and c.__module__ != _RUNTIME_MODULE]
        usable.sort(key=lambda c: c.TL_NAME)
        self.by_tl_name: dict[str, type[TLObject]] = {c.TL_NAME: c for c in usable}
        self.functions: list[type[TLObject]] = [c for c in usable if issubclass(c, TLRequest)]
        self.constructors = [c for c in usable if not issubclass(c, TLRequest)]
        self.constructors_of: dict[str, list[type[TLObject]]] = {}
        for cls in self.constructors:
            self.constructors_of.setdefault(_result_type(cls), []).append(cls)
        self.cost = self._nesting_costs(usable)

    def candidates(self, tl_type: str) -> list[type[TLObject]]:
        """The classes a value of the (non-primitive, non-vector) TL type may be."""
        if tl_type == "Object":
            return self.constructors
        if tl_type.startswith("!"):
            return self.functions
        bare = tl_type.startswith("%")
        name = tl_type.lstrip("%")
        found = self.constructors_of.get(name)
        if found:
            return found[:1] if bare else found
        cls = self.by_tl_name.get(name)  # a bare constructor named directly (future_salt)
        if cls is not None:
            return [cls]
        raise LookupError(f"no class of the layer is a value of the TL type {tl_type!r}")

    def _need(self, tl_type: str, cost: Mapping[type[TLObject], int]) -> int:
        if not _is_object_type(tl_type) or _vector_item(tl_type) is not None:
            return 0  # primitives, and vectors (which may be empty)
        return min((cost[c] for c in self.candidates(tl_type)), default=_INFINITE)

    def _nesting_costs(self, usable: Sequence[type[TLObject]]) -> dict[type[TLObject], int]:
        """Fewest object levels a valid value of each class needs (a fixpoint over the layer)."""
        cost = {c: _INFINITE for c in usable}
        changed = True
        while changed:
            changed = False
            for cls in usable:
                need = 0
                for f in cls.FIELDS:
                    if f.flag_field is None and f.tl_type != "#":
                        need = max(need, self._need(f.tl_type, cost))
                new = min(_INFINITE, need + 1)
                if new < cost[cls]:
                    cost[cls] = new
                    changed = True
        return cost


_LAYER: _Layer | None = None


def _layer() -> _Layer:
    global _LAYER
    if _LAYER is None:
        _LAYER = _Layer()
    return _LAYER


def layer_classes(kind: str | None = None) -> list[type[TLObject]]:
    """Every class of the generated layer, sorted by TL name: ``kind`` ``"constructor"``, ``"function"`` or None (both)."""
    layer = _layer()
    if kind is None:
        return sorted(layer.constructors + layer.functions, key=lambda c: c.TL_NAME)
    if kind == "constructor":
        return list(layer.constructors)
    if kind == "function":
        return list(layer.functions)
    raise ValueError(f"kind must be 'constructor', 'function' or None, got {kind!r}")


# --- drawing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    max_depth: int
    max_list: int
    max_blob: int
    allow_nan: bool
    fields: Mapping[tuple[str, str], st.SearchStrategy[Any]]
    primitives: dict[str, st.SearchStrategy[Any]] = field(default_factory=dict)

    def primitive(self, tl_type: str) -> st.SearchStrategy[Any] | None:
        found = self.primitives.get(tl_type)
        if found is None:
            if tl_type in INT_BITS:
                bits = INT_BITS[tl_type]
                found = st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
            elif tl_type == "double":
                found = st.floats(allow_nan=self.allow_nan, allow_infinity=True)
            elif tl_type == "string":
                found = st.text(st.characters(codec="utf-8"), max_size=self.max_blob)
            elif tl_type == "bytes":
                found = st.binary(max_size=self.max_blob)
            elif tl_type in ("Bool", "true"):
                found = st.booleans()
            else:
                return None
            self.primitives[tl_type] = found
        return found


def _draw_object(draw: Draw, cls: type[TLObject], depth: int, s: _Settings) -> TLObject:
    at_limit = depth >= s.max_depth
    presence: dict[tuple[str, int | None], bool] = {}
    values: dict[str, Any] = {}
    for f in cls.FIELDS:
        if f.tl_type == "#":
            continue  # the classes compute their flags words
        if f.flag_field is not None:
            key = (f.flag_field, f.bit)
            if key not in presence:
                presence[key] = False if at_limit else bool(draw(st.booleans()))
            if f.tl_type == "true":
                values[f.name] = presence[key]
                continue
            if not presence[key]:
                values[f.name] = None
                continue
        override = s.fields.get((cls.TL_NAME, f.tl_name))
        values[f.name] = draw(override) if override is not None else _draw_value(draw, f.tl_type, depth, s)
    return cls(**values)


def _draw_value(draw: Draw, tl_type: str, depth: int, s: _Settings) -> Any:
    """A value of ``tl_type`` for a field of an object ``depth`` levels down."""
    primitive = s.primitive(tl_type)
    if primitive is not None:
        return draw(primitive)
    item = _vector_item(tl_type)
    if item is not None:
        nested = _is_object_type(item) and _vector_item(item) is None
        limit = 0 if nested and depth >= s.max_depth else s.max_list
        count = int(draw(st.integers(0, limit)))
        return [_draw_value(draw, item, depth, s) for _ in range(count)]
    layer = _layer()
    options = layer.candidates(tl_type)
    if depth + 1 >= s.max_depth:
        least = min(layer.cost[c] for c in options)
        if least >= _INFINITE:
            raise LookupError(f"no finite value of {tl_type!r} exists")
        options = [c for c in options if layer.cost[c] == least]
    cls = options[0] if len(options) == 1 else draw(st.sampled_from(options))
    return _draw_object(draw, cls, depth + 1, s)


def _tl_type_of(target: object) -> str | list[type[TLObject]]:
    """A TL type string, or the classes of a class / ``abcs`` alias (a ``typing.Union``)."""
    if isinstance(target, str):
        return target
    if isinstance(target, type) and issubclass(target, TLObject):
        return [target]
    if typing.get_origin(target) is typing.Union:
        members = typing.get_args(target)
        if members and all(isinstance(m, type) and issubclass(m, TLObject) for m in members):
            return list(members)
    raise TypeError(
        f"from_type needs a generated class, an abcs alias or a TL type string, got {target!r}"
    )


def from_type(
    target: object,
    *,
    max_depth: int = 2,
    max_list: int = 2,
    max_blob: int = 64,
    allow_nan: bool = False,
    fields: Mapping[tuple[str, str], st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[Any]:
    """A strategy of valid values of ``target`` (see the module doc).

    ``target`` is a generated class (``types.ChatInviteExported``,
    ``functions.messages.ExportChatInvite``), an abstract type
    (``abcs.InputPeer``) or a TL type as the schema writes it (``"InputPeer"``,
    ``"Vector<long>"``, ``"int256"``).  ``max_depth`` bounds object nesting,
    ``max_list`` vector lengths, ``max_blob`` string and bytes sizes.
    """
    if max_depth < 1 or max_list < 0 or max_blob < 0:
        raise ValueError(f"need max_depth >= 1, max_list >= 0, max_blob >= 0 (got {max_depth}, {max_list}, {max_blob})")
    wanted = _tl_type_of(target)
    if wanted == "#":
        raise ValueError("'#' (a flags word) is computed by the classes, it has no values to draw")
    settings = _Settings(max_depth, max_list, max_blob, allow_nan, dict(fields or {}))
    if isinstance(wanted, list):
        for cls in wanted:
            if cls.__module__ == _RUNTIME_MODULE:
                raise TypeError(f"{cls.__name__} is a hand-written runtime wrapper, not a value of the layer")
        classes = wanted

        @st.composite
        def objects(draw: Draw) -> Any:
            cls = classes[0] if len(classes) == 1 else draw(st.sampled_from(classes))
            return _draw_object(draw, cls, 0, settings)

        return objects()
    if wanted != "#" and settings.primitive(wanted) is None and _vector_item(wanted) is None:
        _layer().candidates(wanted)  # fail now, with the type's name, rather than at the first draw

    @st.composite
    def values(draw: Draw) -> Any:
        return _draw_value(draw, wanted, -1, settings)

    return values()
