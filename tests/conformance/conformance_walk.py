"""Random instances of any combinator, derived from OUR parsed schema (not from a peer's).

The walk reads ``generator.parser.parse_files`` + ``generator.validate`` output and
draws a neutral value tree (:class:`Node`) for a combinator:

* ``flags.N?`` presence is drawn once per (flags field, bit), so parameters that
  share a bit are present together, and a ``true`` flag *is* that presence;
* ``int``/``long``/``int128``/``int256`` cover their full signed ranges (with the
  edges drawn often), ``double`` includes infinities, NaN and -0.0, ``string``
  is valid UTF-8 text (including astral characters), ``bytes`` is arbitrary;
  both sometimes cross the 254-byte long-form boundary;
* ``Vector<T>``/``vector<T>`` hold 0..2 elements, abstract types become one of
  their constructors, ``%T``/``future_salt`` are bare constructors, ``Object``
  any constructor and ``!X`` some function;
* recursion is depth-limited: from ``max_depth`` on, optional fields are absent,
  object vectors are empty, and constructors are picked among those that need
  the least nesting (a fixpoint over the schema), so every draw terminates.

Draws go through a small :class:`Source` protocol, implemented by a seeded
``random.Random`` (the fast sweep over every combinator, against the peers'
id sets and value rules).  Hypothesis strategies (that shrink) come from the
public ``tlruntime.testing`` instead, which test_conformance uses for the seed
classes.
"""

from __future__ import annotations

import math
import random
import struct
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Collection, Dict, FrozenSet, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple

from generator.model import CheckedCombinator, Combinator, Param, TypeRef
from generator.parser import parse_files

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATHS = (ROOT / "schema" / "mtproto.tl", ROOT / "schema" / "api.tl")

INT_BITS = {"int": 32, "long": 64, "int128": 128, "int256": 256}
PRIMITIVES = frozenset({"int", "long", "int128", "int256", "double", "string", "bytes", "Bool"})
VECTORS = frozenset({"Vector", "vector"})
INFINITE = 1 << 30  # nesting cost of a type no allowed constructor can build
MAX_VECTOR_LEN = 2
MAX_SHORT_BLOB = 40  # usual string/bytes size; now and then a long-form one (>= 254 bytes)
MAX_LONG_BLOB = 600


def load_checked() -> Tuple[CheckedCombinator, ...]:
    """Every combinator of our schema with its final id, as the emitter sees it.

    ``parse_files`` then ``validate``, after dropping the combinators the runtime
    writes by hand (``gzip_packed``, ``msg_container``, mtproto's bare ``message``)
    exactly as the emitter drops them.
    """
    from generator.emit import without_runtime_combinators
    from generator.validate import validate

    schema = without_runtime_combinators(parse_files(list(SCHEMA_PATHS)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the three pinned id mismatches of mtproto.tl
        return validate(schema).combinators


# --- the value tree -----------------------------------------------------------------------


@dataclass
class Node:
    """One combinator value: its checked combinator and a value per non-``#`` TL parameter.

    Values are ints, floats, str, bytes, bools (``Bool`` and ``true`` flags), lists,
    nested Nodes, or None for an absent optional field.
    """

    checked: CheckedCombinator
    values: Dict[str, Any] = field(default_factory=dict)

    @property
    def combinator(self) -> Combinator:
        return self.checked.combinator

    @property
    def id(self) -> int:
        return self.checked.id

    @property
    def name(self) -> str:
        return self.checked.combinator.name


def value_params(c: Combinator) -> List[Param]:
    """The parameters that carry a value (``#`` fields are computed by every writer)."""
    return [p for p in c.params if p.type.name != "#"]


def canonical(value: Any) -> Any:
    """A comparable form of a value tree (ours, a peer's or a Node).

    Floats compare by their bytes (NaN equals itself, -0.0 differs from 0.0), a
    datetime (Telethon's reading of date-like ints) by its timestamp, bools stay
    distinct from ints, and any list-like (kurigram's ``List``) is a tuple.
    """
    if isinstance(value, Node):
        return (value.name, tuple((k, canonical(v)) for k, v in value.values.items()))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float):
        return ("double", struct.pack("<d", value))
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, list):
        return tuple(canonical(v) for v in value)
    return value


def first_difference(a: Any, b: Any, path: str = "") -> Optional[str]:
    """Where two canonical trees first differ (a readable path), or None if equal."""
    if a == b:
        return None
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            label = x[0] if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) else str(i)
            found = first_difference(x, y, f"{path}/{label}")
            if found:
                return found
    return f"{path or '/'}: {a!r} != {b!r}"


# --- sources of randomness ------------------------------------------------------------------


class Source(Protocol):
    """The few kinds of draw the walk needs."""

    def integer(self, lo: int, hi: int) -> int: ...

    def boolean(self) -> bool: ...

    def double(self) -> float: ...

    def text(self) -> str: ...

    def binary(self) -> bytes: ...


# Text alphabet for the seeded source: ASCII, Latin-1, Cyrillic, CJK and astral emoji
# (1 to 4 UTF-8 bytes per character); surrogates are excluded, they are not UTF-8.
_TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x400, 0x4FF), (0x4E00, 0x4FFF), (0x1F300, 0x1F64F))
_SPECIAL_DOUBLES = (0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308)


class RandomSource:
    """Draws from a seeded ``random.Random``: deterministic, fast, edge values favoured."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        r = self.rng.random()
        if r < 0.25:
            return min(hi, max(lo, self.rng.choice((lo, hi, 0, 1, -1))))
        if r < 0.5:
            return self.rng.randint(max(lo, -1000), min(hi, 1000))
        return self.rng.randint(lo, hi)

    def boolean(self) -> bool:
        return self.rng.random() < 0.5

    def double(self) -> float:
        if self.rng.random() < 0.2:
            return self.rng.choice(_SPECIAL_DOUBLES)
        return struct.unpack("<d", self.rng.randbytes(8))[0] if self.rng.random() < 0.3 else self.rng.uniform(-1e9, 1e9)

    def _size(self) -> int:
        if self.rng.random() < 0.1:
            return self.rng.randint(250, MAX_LONG_BLOB)
        return self.rng.randint(0, MAX_SHORT_BLOB)

    def text(self) -> str:
        chars = []
        for _ in range(self._size()):
            lo, hi = self.rng.choice(_TEXT_RANGES)
            chars.append(chr(self.rng.randint(lo, hi)))
        return "".join(chars)

    def binary(self) -> bytes:
        return self.rng.randbytes(self._size())


# --- the schema walk ------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuePolicy:
    """Restrictions a peer needs on *values* (see the exclusion list in conformance_peers)."""

    optional_bool_false: bool = True  # may a ``flags.N?Bool`` field be present and False?
    optional_vector_empty: bool = True  # may a ``flags.N?Vector<T>`` field be present and empty?
    # Narrower ranges for some integer fields: (TL combinator name, TL param name) -> (lo, hi).
    int_ranges: Mapping[Tuple[str, str], Tuple[int, int]] = field(default_factory=dict)
    # Constructors never drawn for some fields: (TL combinator name, TL param name) -> TL names.
    avoid: Mapping[Tuple[str, str], FrozenSet[str]] = field(default_factory=dict)


class SchemaWalk:
    """Draws Nodes for the combinators of a schema, nesting only ``allowed`` ids.

    ``allowed`` restricts nested constructors/functions to ids a peer knows, so a
    value drawn for a peer is readable by that peer whole.
    """

    def __init__(
        self,
        checked: Sequence[CheckedCombinator],
        allowed: Optional[Collection[int]] = None,
        max_depth: int = 2,
        policy: Optional[ValuePolicy] = None,
    ) -> None:
        self.max_depth = max_depth
        self.policy = policy if policy is not None else ValuePolicy()
        self.by_name: Dict[str, CheckedCombinator] = {cc.combinator.name: cc for cc in checked}
        self.by_id: Dict[int, CheckedCombinator] = {cc.id: cc for cc in checked}
        ok = set(self.by_id) if allowed is None else set(allowed)
        usable = [cc for cc in checked if cc.id in ok and cc.combinator.result.name != "Bool"]
        self.constructors_of: Dict[str, List[CheckedCombinator]] = {}
        for cc in usable:
            if cc.combinator.kind == "constructor":
                self.constructors_of.setdefault(cc.combinator.result.name, []).append(cc)
        self.all_constructors = [cc for cc in usable if cc.combinator.kind == "constructor"]
        self.all_functions = [cc for cc in usable if cc.combinator.kind == "function"]
        self.cost = self._nesting_costs(usable)

    # -- how much nesting each combinator needs at least ------------------------------------

    def _candidates(self, ref: TypeRef) -> Optional[List[CheckedCombinator]]:
        """The combinators a value of ``ref`` can be, or None for a primitive/vector."""
        if ref.generic_ref:
            return self.all_functions
        if ref.name in PRIMITIVES or ref.name in VECTORS:
            return None
        if ref.name == "Object":
            return self.all_constructors
        if ref.name in self.constructors_of and not (ref.bare and ref.name[:1].islower()):
            found = self.constructors_of[ref.name]
            return found if not ref.bare else found[:1]  # %T: the bare form of T's constructor
        cc = self.by_name.get(ref.name)  # a bare constructor such as future_salt
        return [cc] if cc is not None else []

    def _nesting_costs(self, usable: Sequence[CheckedCombinator]) -> Dict[int, int]:
        cost = {cc.id: INFINITE for cc in usable}
        changed = True
        while changed:
            changed = False
            for cc in usable:
                need = 0
                for p in value_params(cc.combinator):
                    if p.flag is not None:
                        continue
                    options = self._candidates(p.type)
                    if options is not None:
                        need = max(need, min((cost.get(o.id, INFINITE) for o in options), default=INFINITE))
                new = min(INFINITE, need + 1)
                if new < cost[cc.id]:
                    cost[cc.id] = new
                    changed = True
        return cost

    # -- drawing ------------------------------------------------------------------------------

    def draw(self, src: Source, cc: CheckedCombinator, depth: int = 0) -> Node:
        """A random value of combinator ``cc`` (``depth`` counts the enclosing objects)."""
        node = Node(cc)
        presence: Dict[Tuple[str, int], bool] = {}
        at_limit = depth >= self.max_depth
        for p in value_params(cc.combinator):
            if p.flag is not None:
                key = (p.flag.field, p.flag.bit)
                if key not in presence:
                    presence[key] = False if at_limit else src.boolean()
                if p.type.name == "true":
                    node.values[p.name] = presence[key]
                    continue
                if not presence[key]:
                    node.values[p.name] = None
                    continue
                if p.type.name == "Bool" and not self.policy.optional_bool_false:
                    node.values[p.name] = True
                    continue
                if p.type.name in VECTORS and not self.policy.optional_vector_empty:
                    node.values[p.name] = self.value(src, p.type, depth, min_len=1)
                    continue
            narrowed = self.policy.int_ranges.get((cc.combinator.name, p.name))
            if narrowed is not None:
                node.values[p.name] = src.integer(*narrowed)
                continue
            avoid = self.policy.avoid.get((cc.combinator.name, p.name), frozenset())
            node.values[p.name] = self.value(src, p.type, depth, avoid=avoid)
        return node

    def value(
        self, src: Source, ref: TypeRef, depth: int, min_len: int = 0, avoid: FrozenSet[str] = frozenset()
    ) -> Any:
        """A random value of the type ``ref`` inside an object at ``depth``."""
        name = ref.name
        if name in INT_BITS:
            bits = INT_BITS[name]
            return src.integer(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        if name == "double":
            return src.double()
        if name == "string":
            return src.text()
        if name == "bytes":
            return src.binary()
        if name == "Bool":
            return src.boolean()
        if name in VECTORS:
            item = ref.args[0]
            nested = self._candidates(item) is not None
            limit = min_len if nested and depth >= self.max_depth else MAX_VECTOR_LEN
            count = src.integer(min_len, max(min_len, limit))
            return [self.value(src, item, depth) for _ in range(count)]
        options = [o for o in self._candidates(ref) or () if o.combinator.name not in avoid]
        if not options:  # also a generic parameter used as a plain type (only in results)
            raise LookupError(f"no allowed combinator can be a value of {name!r}")
        return self.draw(src, self.pick(src, options, depth), depth + 1)

    def pick(self, src: Source, options: Sequence[CheckedCombinator], depth: int) -> CheckedCombinator:
        """One of ``options``; at the depth limit only among the least-nesting ones."""
        if depth + 1 >= self.max_depth:
            least = min(self.cost[o.id] for o in options)
            if least >= INFINITE:
                raise LookupError(f"no finite value exists among {[o.combinator.name for o in options][:5]}")
            options = [o for o in options if self.cost[o.id] == least]
        return options[src.integer(0, len(options) - 1)]


def iter_values(node: Node) -> Iterable[Node]:
    """``node`` and every Node nested in it (for tests that inspect what was drawn)."""
    yield node
    stack: List[Any] = list(node.values.values())
    while stack:
        v = stack.pop()
        if isinstance(v, Node):
            yield v
            stack.extend(v.values.values())
        elif isinstance(v, list):
            stack.extend(v)
