"""TL serialization primitives shared by the generated layer and the protocol core.

(Seed version: the emitter work extends this module; keep these names stable.)
"""

from __future__ import annotations


def pack_bytes(data: bytes) -> bytes:
    """TL ``bytes``/``string``: 1-byte length (< 254) or 0xfe + 3-byte length, padded to 4."""
    n = len(data)
    if n < 254:
        head = bytes((n,))
        pad = (-(n + 1)) % 4
    else:
        head = b"\xfe" + n.to_bytes(3, "little")
        pad = (-n) % 4
    return head + data + b"\x00" * pad
