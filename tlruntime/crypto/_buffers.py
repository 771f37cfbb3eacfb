"""Byte-buffer helpers shared by the crypto modules.

The protocol core hands us ``bytes``, ``bytearray`` or ``memoryview`` slices of
its receive buffer; hashlib and hmac take all three, but cryptg only takes
``bytes``.  These helpers convert only when a conversion is unavoidable.
"""

from __future__ import annotations

from typing import Union

#: Any contiguous byte buffer the crypto functions accept.
Buffer = Union[bytes, bytearray, memoryview]


def as_bytes(data: Buffer) -> bytes:
    """``data`` as ``bytes``, without a copy when it already is ``bytes``."""
    if type(data) is bytes:
        return data
    return bytes(data)


def nbytes(data: Buffer) -> int:
    """Length of ``data`` in bytes (a memoryview's ``len`` counts items, not bytes)."""
    if isinstance(data, memoryview):
        return data.nbytes
    return len(data)


def xor_bytes(left: Buffer, right: Buffer) -> bytes:
    """Byte-wise XOR of two equally long short buffers (keys, nonces, hashes)."""
    if nbytes(left) != nbytes(right):
        raise ValueError(f"xor of unequal lengths {nbytes(left)} and {nbytes(right)}")
    width = nbytes(left)
    value = int.from_bytes(left, "big") ^ int.from_bytes(right, "big")
    return value.to_bytes(width, "big")
