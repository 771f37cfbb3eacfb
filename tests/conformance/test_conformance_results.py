"""Function results: what our ``read_result`` returns agrees with Telethon's and kurigram's readers.

For every function shared with a peer (generic ``X`` results excepted: their type is
the inner query's), a random value of the *result type* is drawn from our schema,
encoded (objects by our layer, primitive vectors by tlruntime.binary), then read by
our ``request.read_result`` and by the peer: Telethon's ``Request.read_result``
(its generated override reads ``Vector<int>``/``Vector<long>`` with the element
type), kurigram's ``TLObject.read`` (which has no result types and guesses vector
elements from their size; a draw where that guess is taken for objects is a
counted peer quirk, see conformance_peers.QUIRKS).  Both must read all bytes and
yield the drawn value.
"""

from __future__ import annotations

import struct
import sys
from typing import Any, Callable, Dict, List

import pytest

from conformance_check import build_ours, tree_of_ours
from conformance_peers import PEERS, PeerQuirk, kurigram_read
from conformance_walk import RandomSource, SchemaWalk, canonical, first_difference, load_checked
from conformance_report import shared_combinators
from generator.model import CheckedCombinator, TypeRef
from tlruntime import binary

CHECKED = load_checked()
BY_ID: Dict[int, CheckedCombinator] = {cc.id: cc for cc in CHECKED}
DRAWS = 2
_VECTOR = struct.pack("<I", binary.VECTOR_ID)
_PRIMITIVE_WRITERS: Dict[str, Callable[[Any], bytes]] = {
    "int": binary.pack_int, "long": binary.pack_long, "double": binary.pack_double,
    "string": binary.pack_string, "bytes": binary.pack_bytes, "Bool": binary.pack_bool,
    "int128": binary.pack_int128, "int256": binary.pack_int256,
}


def encode(value: Any, ref: TypeRef) -> bytes:
    """Boxed bytes of a drawn result value of type ``ref``."""
    if ref.name in _PRIMITIVE_WRITERS:
        return _PRIMITIVE_WRITERS[ref.name](value)
    if ref.name == "Vector":
        return _VECTOR + struct.pack("<i", len(value)) + b"".join(encode(v, ref.args[0]) for v in value)
    return bytes(build_ours(value))


def _telethon_result(cls: Any, data: bytes) -> Any:
    from telethon.extensions import BinaryReader  # type: ignore[import-untyped]

    reader = BinaryReader(data)
    value = cls.read_result(reader)
    assert reader.tell_position() == len(data)
    return value


def _kurigram_result(cls: Any, data: bytes) -> Any:
    return kurigram_read(data)


_READERS = {"telethon": _telethon_result, "kurigram": _kurigram_result}


@pytest.mark.parametrize("peer_name", sorted(PEERS))
def test_results_read_alike(peer_name: str) -> None:
    peer = PEERS[peer_name]()
    walk = SchemaWalk(CHECKED, allowed=peer.ids & set(BY_ID), policy=peer.policy)
    functions = [cc for cc in shared_combinators(peer, CHECKED) if cc.combinator.kind == "function"]
    generic = [cc for cc in functions if cc.combinator.result.name in {tp.name for tp in cc.combinator.type_params}]
    problems: List[str] = []
    checked = quirks = 0
    for cc in functions:
        if cc in generic:
            continue
        result = cc.combinator.result
        for i in range(DRAWS):
            src = RandomSource(f"result:{peer_name}:{cc.combinator.name}:{i}")
            request = build_ours(walk.draw(src, cc))
            drawn = walk.value(src, result, 0)
            data = encode(drawn, result)
            ours, end = request.read_result(data)
            if end != len(data) or first_difference(canonical(drawn), canonical(tree_of_ours(ours, BY_ID))):
                problems.append(f"ours {cc.combinator.name}: {first_difference(canonical(drawn), canonical(tree_of_ours(ours, BY_ID)))}")
            try:
                theirs = _READERS[peer_name](peer.classes[cc.id], data)
            except PeerQuirk:
                quirks += 1
                continue
            diff = first_difference(canonical(drawn), canonical(peer.tree(theirs, BY_ID)))
            if diff:
                problems.append(f"{peer_name} {cc.combinator.name} -> {result.name}: {diff}")
            checked += 1
    print(f"\n{peer_name}: {len(functions)} shared functions, {len(generic)} generic results, "
          f"{checked} results read alike, {quirks} draws hit a peer reader quirk")
    assert not problems, "\n".join(problems[:20])
    assert checked >= (len(functions) - len(generic)) * DRAWS * 0.9


def test_kurigram_vector_size_guess_is_seen_without_touching_kurigram() -> None:
    # A boxed Vector of two longs at the top level: kurigram does not know the element type and
    # guesses "long" from 16 bytes / 2 elements.  The profile hook must see that guess.
    data = struct.pack("<IIqq", 0x1CB5C415, 2, 5, 6)
    before = sys.getprofile()
    with pytest.raises(PeerQuirk, match="vector size guess"):
        kurigram_read(data)
    assert sys.getprofile() is before  # the hook is gone afterwards
