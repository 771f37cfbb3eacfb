"""One conformance check: a drawn value through our layer and one peer, both ways.

For a value tree ``node`` and a peer:

1. ours: build our object, ``bytes(obj)``;
2. peer reads our bytes (all of them), writes them back: equal bytes, equal values;
3. peer builds its own object from the same values and writes it: equal to our bytes;
4. we read the peer's bytes with ``tlruntime.tl.deserialize`` and with the class's
   typed ``from_bytes``, write them back: equal bytes, and the values read equal
   the values drawn.

Every difference is returned as a :class:`Mismatch` naming the step, the
combinator, both byte strings and the first differing offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

from conformance_peers import Peer, PeerQuirk, first_offset
from conformance_walk import Node, canonical, first_difference
from generator.model import CheckedCombinator
from tlruntime.tl import deserialize
from tlruntime.tlobject import TLObject, class_for_id


@dataclass
class Mismatch:
    """A difference between our layer and a peer for one drawn value."""

    peer: str
    combinator: str
    step: str
    detail: str
    ours: bytes = b""
    theirs: bytes = b""

    def __str__(self) -> str:
        text = f"[{self.peer}] {self.combinator}: {self.step}: {self.detail}"
        if self.ours or self.theirs:
            at = first_offset(self.ours, self.theirs)
            lo = max(0, (at or 0) - 8)
            text += (
                f"\n    first differing offset {at} (ours {len(self.ours)} bytes, peer {len(self.theirs)})"
                f"\n    ours [{lo}:]: {self.ours[lo:lo + 32].hex()}"
                f"\n    peer [{lo}:]: {self.theirs[lo:lo + 32].hex()}"
            )
        return text


def build_ours(value: Any) -> Any:
    """Our generated object for a neutral value, using the class's FIELDS (tl name -> attribute)."""
    if isinstance(value, Node):
        cls = class_for_id(value.id)
        if cls is None:
            raise LookupError(f"our layer has no class for {value.name} #{value.id:08x}")
        kwargs = {f.name: build_ours(value.values[f.tl_name]) for f in cls.FIELDS if f.tl_type != "#"}
        return cls(**kwargs)
    if isinstance(value, list):
        return [build_ours(v) for v in value]
    return value


def tree_of_ours(obj: Any, by_id: Mapping[int, CheckedCombinator]) -> Any:
    """A neutral tree of one of our objects (to compare with what was drawn)."""
    if isinstance(obj, TLObject):
        cc = by_id[type(obj).CONSTRUCTOR_ID]
        return Node(
            cc,
            {f.tl_name: tree_of_ours(getattr(obj, f.name), by_id) for f in obj.FIELDS if f.tl_type != "#"},
        )
    if isinstance(obj, list):
        return [tree_of_ours(v, by_id) for v in obj]
    return obj


def _values_differ(drawn: Node, got: Any) -> Optional[str]:
    return first_difference(canonical(drawn), canonical(got))


@dataclass
class Outcome:
    """What one check found: mismatches (bugs) and peer quirks hit (QUIRKS keys)."""

    mismatches: List[Mismatch]
    quirks: List[str]


def check(peer: Peer, node: Node, by_id: Mapping[int, CheckedCombinator]) -> Outcome:
    """Run the four steps for ``node``; no mismatches means byte-exact agreement.

    A peer reader quirk (``PeerQuirk``) skips only step 2 for this draw and is
    reported in ``quirks``; steps 3 and 4 still run.
    """
    name = node.name
    problems: List[Mismatch] = []
    quirks: List[str] = []

    def fail(step: str, detail: str, ours: bytes = b"", theirs: bytes = b"") -> None:
        problems.append(Mismatch(peer.name, name, step, detail, ours, theirs))

    ours = build_ours(node)
    our_bytes = bytes(ours)

    # 2. the peer reads our bytes and writes them back
    try:
        theirs_read = peer.read_bytes(our_bytes)
        echoed = peer.write(theirs_read)
    except PeerQuirk as quirk:
        quirks.append(str(quirk))
    except Exception as exc:  # a peer failure is a finding, reported with its bytes
        fail("peer reads our bytes", f"{type(exc).__name__}: {exc}", our_bytes)
    else:
        if echoed != our_bytes:
            fail("peer re-serializes our bytes", "bytes differ", our_bytes, echoed)
        diff = _values_differ(node, peer.tree(theirs_read, by_id))
        if diff:
            fail("peer reads our values", diff)

    # 3. the peer builds the same values itself
    try:
        peer_bytes = peer.write(peer.build(node))
    except Exception as exc:
        fail("peer builds the values", f"{type(exc).__name__}: {exc}")
        return Outcome(problems, quirks)
    if peer_bytes != our_bytes:
        fail("peer serializes the same values", "bytes differ", our_bytes, peer_bytes)

    # 4. we read the peer's bytes, generically and through the typed entry point
    for step, reader in (("deserialize", deserialize), ("from_bytes", type(ours).from_bytes)):
        try:
            back = reader(peer_bytes)
        except Exception as exc:
            fail(f"we read peer bytes ({step})", f"{type(exc).__name__}: {exc}", b"", peer_bytes)
            continue
        again = bytes(back)
        if again != peer_bytes:
            fail(f"we re-serialize peer bytes ({step})", "bytes differ", again, peer_bytes)
        diff = _values_differ(node, tree_of_ours(back, by_id))
        if diff:
            fail(f"we read the drawn values ({step})", diff)
    return Outcome(problems, quirks)
