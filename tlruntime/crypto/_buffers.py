"""Byte-buffer helpers shared by the crypto modules.

The protocol core hands us ``bytes``, ``bytearray`` or ``memoryview`` slices of
its receive buffer; hashlib and hmac take all three, but cryptg only takes
``bytes``.  These helpers convert only when a conversion is unavoidable.
"""

from __future__ import annotations

import hashlib
import importlib
from typing import Any, Callable, Union, cast

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


def _pick_small_sha256() -> Callable[[bytes], Any]:
    """The SHA-256 constructor that is cheapest for inputs of a few dozen bytes.

    hashlib's OpenSSL-backed ``sha256`` wins on long inputs (SHA-NI), but each
    object costs an OpenSSL context allocation, which dominates a 52-byte
    hash.  CPython's own built-in implementation (``_sha256`` up to 3.11,
    ``_sha2`` from 3.12) has no such setup cost; the key/iv derivation hashes
    two 52-byte strings per message, so it uses that one when the interpreter
    has it.  Both compute the same digest (tests/crypto pins it).
    """
    for module_name in ("_sha2", "_sha256"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        constructor = getattr(module, "sha256", None)
        if constructor is not None:
            return cast(Callable[[bytes], Any], constructor)
    return hashlib.sha256


#: SHA-256 for short inputs (see :func:`_pick_small_sha256`).
small_sha256 = _pick_small_sha256()
