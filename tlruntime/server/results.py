"""Turning a handler's return value into the boxed bytes of an ``rpc_result``."""

from __future__ import annotations

from ..binary import BOOL_FALSE_ID, BOOL_TRUE_ID, VECTOR_ID
from ..errors import EncodeError

__all__ = ["encode_result"]


def encode_result(value: object) -> bytes:
    """Boxed bytes of a handler's result: a TL object, ``bool`` or a list of TL objects (``Vector<T>``).

    Lists of bare integers are refused: ``Vector<int>`` and ``Vector<long>``
    cannot be told apart from the value, so such handlers return bytes.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, bool):
        return (BOOL_TRUE_ID if value else BOOL_FALSE_ID).to_bytes(4, "little")
    if isinstance(value, list):
        parts = [VECTOR_ID.to_bytes(4, "little"), len(value).to_bytes(4, "little")]
        parts.extend(_boxed_item(item) for item in value)
        return b"".join(parts)
    return _boxed_item(value)


def _boxed_item(item: object) -> bytes:
    if isinstance(item, bool):
        return encode_result(item)
    to_bytes = getattr(type(item), "__bytes__", None)
    if to_bytes is None:
        raise EncodeError(f"handler result {type(item).__name__} is not a TL object; return bytes instead")
    return bytes(to_bytes(item))
