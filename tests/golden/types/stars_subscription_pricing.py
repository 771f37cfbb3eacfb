# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;"""

from __future__ import annotations

from tlruntime.binary import (
    packer as _packer,
    unpacker as _unpacker,
)
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    TLObject,
    encode_error as _encode_error,
)

TYPE_CHECKING = False  # type checkers treat it as true; no typing import at run time

_new = object.__new__
_u0 = _unpacker("<iq")
_p1 = _packer("<Iiq")


class StarsSubscriptionPricing(TLObject):
    """starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;"""

    __slots__ = (
        "period",
        "amount",
    )

    CONSTRUCTOR_ID = 0x05416d58
    TL_NAME = "starsSubscriptionPricing"
    TL_LINE = "starsSubscriptionPricing#5416d58 period:int amount:long = StarsSubscriptionPricing;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "period", "period", "int", None, None,
        "amount", "amount", "long", None, None,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
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

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[StarsSubscriptionPricing, int]:
        self = _new(StarsSubscriptionPricing)
        self.period, self.amount = _u0(data, o)
        o += 12
        return self, o
