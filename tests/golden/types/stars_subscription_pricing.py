# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;"""

from __future__ import annotations

from struct import Struct

from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TRUNCATION as _TRUNCATION,
    Field,
    TLObject,
    encode_error as _encode_error,
    read_exact as _read_exact,
)

_new = object.__new__
_u0 = Struct("<iq").unpack_from
_p1 = Struct("<Iiq").pack


class StarsSubscriptionPricing(TLObject):
    """``starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;``"""

    __slots__ = (
        "period",
        "amount",
    )

    CONSTRUCTOR_ID = 0x05416d58
    TL_NAME = "starsSubscriptionPricing"
    TL_LINE = "starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;"
    FIELDS = (
        Field("period", "period", "int", None, None),
        Field("amount", "amount", "long", None, None),
    )

    period: int
    amount: int

    def __init__(
        self,
        *,
        period: int,
        amount: int,
    ) -> None:
        self.period = period
        self.amount = amount

    def _bytes(self) -> bytes:
        try:
            return _p1(0x05416d58, self.period, self.amount)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_StarsSubscriptionPricing = _bytes  # StarsSubscriptionPricing fields write through this name: their type check

    @staticmethod
    def from_bytes(data: bytes | bytearray | memoryview) -> StarsSubscriptionPricing:
        """Read exactly one boxed ``starsSubscriptionPricing`` from ``data`` (a ``gzip_packed`` wrapper is opened)."""
        if type(data) is bytes and data[:4] == b"\x58\x6d\x41\x05":
            try:
                obj, end = StarsSubscriptionPricing._read(data, 4)
            except _TRUNCATION:
                pass  # read_exact reads it again and raises the typed error
            else:
                if end == len(data):
                    return obj
        return _read_exact(StarsSubscriptionPricing, data)

    @staticmethod
    def _read(data: bytes, o: int) -> tuple[StarsSubscriptionPricing, int]:
        self = _new(StarsSubscriptionPricing)
        self.period, self.amount = _u0(data, o)
        o += 12
        return self, o
