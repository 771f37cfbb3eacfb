"""Telethon 1.45.0 and kurigram 2.2.26 as byte-level peers of our generated layer.

Each :class:`Peer` knows, for the combinators it shares with us: how to build its
own object from a neutral value tree (``conformance_walk.Node``), how to read
boxed bytes with its own reader, how to write its object, and how to turn its
object back into a neutral tree.  What a peer cannot round-trip *for its own
reasons* is listed in ``EXCLUSIONS`` (whole combinators) and ``VALUE_RULES``
(values the walk avoids), each with the reason found by reading the peer's source.

Quirks learnt from the installed sources (facts, not code):

* Telethon turns every date-like ``int`` field (``date``, ``*_date``, ``expires``...)
  into a ``datetime`` on read and back to an int on write (exact for the whole
  int32 range); it renames ``self`` -> ``is_self`` and ``from`` -> ``from_``;
  its writer treats an optional field whose value ``is False`` as absent, so a
  ``flags.N?Bool`` field set to False loses its flag (VALUE_RULES); strings are
  decoded with ``errors='replace'`` (we only draw valid UTF-8); requests are in
  ``tlobjects`` so ``tgread_object`` reads function objects (``!X`` works);
  ``gzip_packed``/``msg_container``/``rpc_result`` live in ``core_objects``.
* kurigram renames ``self`` -> ``is_self`` and ``from`` -> ``from_peer``; ``Bool``
  is read as "id == boolTrue" (never rejects); boxed vectors in fields are read
  with their element type, but a *bare* ``vector<T>`` field is read with the
  boxed-object reader (EXCLUSIONS); functions are in ``objects`` too.
"""

from __future__ import annotations

import importlib
import io
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional

from conformance_walk import Node, ValuePolicy, value_params

# The combinators the runtime writes by hand are checked by dedicated tests, not the sweep.
RUNTIME_IDS = frozenset({0x3072CFA1, 0x73F1F8DC, 0x5BB8E511})

# Whole combinators a peer cannot round-trip, with the reason (the peer's, never ours).
EXCLUSIONS: Dict[str, Dict[str, str]] = {
    "telethon": {},
    "kurigram": {
        "future_salt": (
            "kurigram's hand-written core FutureSalt only knows the bare form: it reads the fields "
            "after a boxed id but writes them without the id (0x0949d9dc)"
        ),
        "accessPointRule": (
            "kurigram reads the bare `ips:vector<IpPort>` with TLObject.read, which expects a "
            "constructor id where a bare vector has only its count"
        ),
        "help.configSimple": (
            "kurigram reads the bare `rules:vector<AccessPointRule>` with TLObject.read, which "
            "expects a constructor id where a bare vector has only its count"
        ),
    },
}

# Values the walk avoids for a peer, with the reason.
VALUE_RULES: Dict[str, Dict[str, str]] = {
    "telethon": {
        "flags.N?Bool is never False": (
            "Telethon's writers test optional fields with `x is None or x is False`, so a present "
            "Bool field whose value is False is written as absent (flag bit cleared)"
        ),
        "channels.getMessageAuthor.id in 0..2**31-1": (
            "Telethon reads and writes this one `id:int` as unsigned ('<I'), so a negative int "
            "cannot be written and reads back as 2**32 + id"
        ),
        "message.media is never messageMediaEmpty": (
            "Telethon's patched Message stores media=None when given messageMediaEmpty, so the "
            "flags.9 bit is cleared when it writes the message back"
        ),
        "peerChat.chat_id and peerChannel.channel_id in 1..9999999999": (
            "Telethon's patched Message/MessageService call utils.get_peer_id on from_id/peer_id, "
            "which rewrites a chat/channel id outside 1..9999999999 in place as if it were a "
            "'marked' bot-API id (-368 becomes 368)"
        ),
    },
    "kurigram": {
        "flags.N?Vector<T> is never empty": (
            "kurigram writes an optional vector only `if self.field` (an empty list is written as "
            "absent) and reads an absent one as [] instead of None"
        ),
    },
}

_MARKED_ID_RANGE = (1, 9999999999)
POLICIES: Dict[str, ValuePolicy] = {
    "telethon": ValuePolicy(
        optional_bool_false=False,
        int_ranges={
            ("channels.getMessageAuthor", "id"): (0, 2**31 - 1),
            ("peerChat", "chat_id"): _MARKED_ID_RANGE,
            ("peerChannel", "channel_id"): _MARKED_ID_RANGE,
        },
        avoid={("message", "media"): frozenset({"messageMediaEmpty"})},
    ),
    "kurigram": ValuePolicy(optional_vector_empty=False),
}


@dataclass
class Peer:
    """One peer library seen through the few operations the conformance checks need."""

    name: str
    classes: Mapping[int, type]
    renames: Mapping[str, str]
    read_bytes: Callable[[bytes], Any]
    write: Callable[[Any], bytes]
    policy: ValuePolicy
    excluded: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> FrozenSet[int]:
        return frozenset(self.classes)

    def attr(self, tl_name: str) -> str:
        return self.renames.get(tl_name, tl_name)

    def build(self, value: Any) -> Any:
        """The peer's own object for a neutral value (constructed, not read)."""
        if isinstance(value, Node):
            cls = self.classes[value.id]
            kwargs = {self.attr(k): self.build(v) for k, v in value.values.items()}
            return cls(**kwargs)
        if isinstance(value, list):
            return [self.build(v) for v in value]
        return value

    def tree(self, obj: Any, walk_by_id: Mapping[int, Any]) -> Any:
        """A neutral tree of a peer object (to compare with what was drawn)."""
        cid = getattr(type(obj), "CONSTRUCTOR_ID", None) or getattr(type(obj), "ID", None)
        if isinstance(cid, int) and cid in walk_by_id and not isinstance(obj, (bool, int, bytes)):
            cc = walk_by_id[cid]
            values = {}
            for p in value_params(cc.combinator):
                value = self.tree(getattr(obj, self.attr(p.name)), walk_by_id)
                if value == [] and p.flag is not None and not self.policy.optional_vector_empty:
                    value = None  # the peer reads an absent optional vector as []
                values[p.name] = value
            return Node(cc, values)
        if isinstance(obj, list):
            return [self.tree(v, walk_by_id) for v in obj]
        return obj


# --- Telethon ------------------------------------------------------------------------------


class PeerReadError(Exception):
    """A peer reader stopped before the end of the bytes it was given."""


class PeerQuirk(Exception):
    """A peer reader took a path known to misread valid bytes (listed in QUIRKS)."""


# Reader quirks detected while reading (a draw that hits one is counted, not compared).
QUIRKS: Dict[str, Dict[str, str]] = {
    "telethon": {},
    "kurigram": {
        "vector size guess": (
            "kurigram reads every Vector<T> of objects through TLObject.read -> Vector.read without "
            "the element type, and guesses the element kind from (bytes left in the whole stream) / "
            "count: exactly 4 is read as Bool/int, exactly 8 as long, so valid objects are misread; "
            "the test spies on Vector.read_bare and counts such draws"
        ),
    },
}


def _telethon_read(data: bytes) -> Any:
    from telethon.extensions import BinaryReader  # type: ignore[import-untyped]

    reader = BinaryReader(data)
    obj = reader.tgread_object()
    if reader.tell_position() != len(data):
        raise PeerReadError(f"Telethon read {reader.tell_position()} of {len(data)} bytes")
    return obj


def _telethon_write(obj: Any) -> bytes:
    return bytes(obj._bytes())


def telethon() -> Peer:
    from telethon.tl.alltlobjects import tlobjects  # type: ignore[import-untyped]

    return Peer(
        name="telethon",
        classes=dict(tlobjects),
        renames={"self": "is_self", "from": "from_"},
        read_bytes=_telethon_read,
        write=_telethon_write,
        policy=POLICIES["telethon"],
        excluded=EXCLUSIONS["telethon"],
    )


# --- kurigram -------------------------------------------------------------------------------


_VECTOR_ID = (0x1CB5C415).to_bytes(4, "little")


def kurigram_read(data: bytes) -> Any:
    """``TLObject.read`` over all of ``data``; PeerQuirk when it guessed vector elements by size.

    kurigram runs as published: its ``Vector.read_bare`` guesses (int, long) from the average
    element size when a vector's element type is not known.  Those calls are observed with a
    profile hook (nothing of kurigram is replaced), and only when the bytes hold a vector at all.
    """
    from pyrogram.raw.core import TLObject
    from pyrogram.raw.core.primitives.vector import Vector

    guesses: List[float] = []
    guessing_code = Vector.read_bare.__code__

    def observe(frame: Any, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code is guessing_code and frame.f_locals.get("size") in (4, 8):
            guesses.append(frame.f_locals["size"])

    stream = io.BytesIO(data)
    watch = _VECTOR_ID in data
    previous = sys.getprofile()
    if watch:
        sys.setprofile(observe)
    try:
        obj = TLObject.read(stream)
    except Exception:
        if guesses:
            raise PeerQuirk("vector size guess") from None
        raise
    finally:
        if watch:
            sys.setprofile(previous)
    if guesses:
        raise PeerQuirk("vector size guess")
    if stream.tell() != len(data):
        raise PeerReadError(f"kurigram read {stream.tell()} of {len(data)} bytes")
    return obj


def _kurigram_write(obj: Any) -> bytes:
    return bytes(obj.write())


def _kurigram_class(entry: Any) -> type:
    """``pyrogram.raw.all.objects`` values are classes or dotted paths below pyrogram.raw."""
    if isinstance(entry, type):
        return entry
    module, _, name = f"pyrogram.raw.{entry}".rpartition(".")
    found: type = getattr(importlib.import_module(module), name)
    return found


def kurigram() -> Peer:
    from pyrogram.raw.all import objects

    return Peer(
        name="kurigram",
        classes={cid: _kurigram_class(entry) for cid, entry in objects.items()},
        renames={"self": "is_self", "from": "from_peer"},
        read_bytes=kurigram_read,
        write=_kurigram_write,
        policy=POLICIES["kurigram"],
        excluded=EXCLUSIONS["kurigram"],
    )


PEERS: Dict[str, Callable[[], Peer]] = {"telethon": telethon, "kurigram": kurigram}


def first_offset(a: bytes, b: bytes) -> Optional[int]:
    """The first offset where two byte strings differ (a length difference counts), or None."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))
