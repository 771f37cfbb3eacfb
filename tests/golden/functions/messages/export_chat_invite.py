# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;"""

from __future__ import annotations

from tlruntime.binary import (
    SHORT_FORM as _SHORT_FORM,
    pack_bytes as _pack_bytes,
    packer as _packer,
    read_long_string as _read_long_string,
    unpacker as _unpacker,
)
from tlruntime.tlobject import (
    ENCODE_FAILURES as _ENCODE_FAILURES,
    READERS as _READERS,
    TLRequest,
    boxed_reader as _boxed_reader,
    encode_error as _encode_error,
    load_class as _load_class,
    load_reader as _load_reader,
    read_boxed as _read_boxed,
    read_entry as _read_entry,
    unpack_id as _unpack_id,
)

TYPE_CHECKING = False  # type checkers treat it as true; no typing import at run time

if TYPE_CHECKING:
    from tlruntime.tl import abcs
    import tlruntime.tl.types.stars_subscription_pricing

_new = object.__new__
_u0 = _unpacker("<I")
_u1 = _unpacker("<i")
_p1 = _packer("<i")
_u2 = _unpacker("<ii")
_p2 = _packer("<ii")
_u3 = _unpacker("<iq")
_p4 = _packer("<II")
_T0 = frozenset((0x27bcbbfc, 0x35a95cb9, 0x7da07ec9, 0x7f3b18ea, 0xa87b0a1c, 0xbd2a0840, 0xdde8a54c,))
_T1 = frozenset((0x05416d58,))
_T2 = frozenset((0xa22cbd96, 0xed107ab7,))
_R0 = _boxed_reader(_T2, "ExportedChatInvite")
_cl0: type[tlruntime.tl.types.stars_subscription_pricing.StarsSubscriptionPricing] | None = None


def _load_cl0() -> type[tlruntime.tl.types.stars_subscription_pricing.StarsSubscriptionPricing]:
    """Bind ``_cl0`` to the class of 0x05416d58 (its module is imported on first use)."""
    global _cl0
    _cl0 = _load_class(0x05416d58)
    return _cl0


class ExportChatInvite(TLRequest["abcs.ExportedChatInvite"]):
    """messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;"""

    __slots__ = (
        "legacy_revoke_permanent",
        "request_needed",
        "peer",
        "expire_date",
        "usage_limit",
        "title",
        "subscription_pricing",
    )

    CONSTRUCTOR_ID = 0xa455de90
    TL_NAME = "messages.exportChatInvite"
    TL_LINE = "messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "flags", "flags", "#", None, None,
        "legacy_revoke_permanent", "legacy_revoke_permanent", "true", "flags", 2,
        "request_needed", "request_needed", "true", "flags", 3,
        "peer", "peer", "InputPeer", None, None,
        "expire_date", "expire_date", "int", "flags", 0,
        "usage_limit", "usage_limit", "int", "flags", 1,
        "title", "title", "string", "flags", 4,
        "subscription_pricing", "subscription_pricing", "StarsSubscriptionPricing", "flags", 5,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
        legacy_revoke_permanent: bool
        request_needed: bool
        peer: abcs.InputPeer
        expire_date: int | None
        usage_limit: int | None
        title: str | None
        subscription_pricing: abcs.StarsSubscriptionPricing | None

    def __init__(
        self,
        *,
        legacy_revoke_permanent: bool = False,
        request_needed: bool = False,
        peer: abcs.InputPeer,
        expire_date: int | None = None,
        usage_limit: int | None = None,
        title: str | None = None,
        subscription_pricing: abcs.StarsSubscriptionPricing | None = None,
    ) -> None:
        self.legacy_revoke_permanent = legacy_revoke_permanent
        self.request_needed = request_needed
        self.peer = peer
        self.expire_date = expire_date
        self.usage_limit = usage_limit
        self.title = title
        self.subscription_pricing = subscription_pricing

    @property
    def flags(self) -> int:
        """The ``flags:#`` value, computed from which optional fields are set."""
        return (4 if self.legacy_revoke_permanent else 0) | (8 if self.request_needed else 0) | (0 if self.expire_date is None else 1) | (0 if self.usage_limit is None else 2) | (0 if self.title is None else 16) | (0 if self.subscription_pricing is None else 32)

    def _bytes(self) -> bytes:
        try:
            v_expire_date = self.expire_date
            v_usage_limit = self.usage_limit
            v_title = self.title
            v_subscription_pricing = self.subscription_pricing
            _flags = (4 if self.legacy_revoke_permanent else 0) | (8 if self.request_needed else 0) | (0 if v_expire_date is None else 1) | (0 if v_usage_limit is None else 2) | (0 if v_title is None else 16) | (0 if v_subscription_pricing is None else 32)
            if v_title is not None:
                try:
                    e_title = v_title.encode()
                except UnicodeEncodeError:  # lone surrogates, e.g. from a read of invalid UTF-8
                    e_title = v_title.encode("utf-8", "surrogateescape")
            return b"".join((
                _p4(0xa455de90, _flags),
                self.peer._tl_InputPeer(),
                _p2(v_expire_date, v_usage_limit) if (_flags & 3) == 3 else (b"" if v_expire_date is None else _p1(v_expire_date)) + (b"" if v_usage_limit is None else _p1(v_usage_limit)),
                b"" if v_title is None else (_SHORT_FORM[_n](_n, e_title) if (_n := len(e_title)) < 254 else _pack_bytes(e_title)),
                b"" if v_subscription_pricing is None else v_subscription_pricing._tl_StarsSubscriptionPricing(),
            ))
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[ExportChatInvite, int]:
        self = _new(ExportChatInvite)
        _flags = _u0(data, o)[0]
        o += 4
        self.legacy_revoke_permanent = (_flags & 4) != 0
        self.request_needed = (_flags & 8) != 0
        cid = _unpack_id(data, o)[0]
        if cid in _T0:
            self.peer, o = (_READERS.get(cid) or _load_reader(cid))(data, o + 4)
        else:
            self.peer, o = _read_boxed(data, o, _T0, "InputPeer")
        if (_flags & 3) == 3:
            self.expire_date, self.usage_limit = _u2(data, o)
            o += 8
        else:
            if _flags & 1:
                self.expire_date = _u1(data, o)[0]
                o += 4
            else:
                self.expire_date = None
            if _flags & 2:
                self.usage_limit = _u1(data, o)[0]
                o += 4
            else:
                self.usage_limit = None
        if _flags & 16:
            n = data[o]
            if n < 254:
                try:
                    self.title = data[o + 1:o + 1 + n].decode()
                except UnicodeDecodeError:  # invalid UTF-8 is kept, byte for byte, as lone surrogates
                    self.title = data[o + 1:o + 1 + n].decode("utf-8", "surrogateescape")
                o += (n + 4) & -4
            else:
                self.title, o = _read_long_string(data, o)
        else:
            self.title = None
        if _flags & 32:
            if data[o:o + 4] == b"\x58\x6d\x41\x05":
                v_subscription_pricing = _new(_cl0 or _load_cl0())
                v_subscription_pricing.period, v_subscription_pricing.amount = _u3(data, o + 4)
                o += 16
                self.subscription_pricing = v_subscription_pricing
            else:
                self.subscription_pricing, o = _read_boxed(data, o, _T1, "StarsSubscriptionPricing")
        else:
            self.subscription_pricing = None
        return self, o

    def read_result(self, data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[abcs.ExportedChatInvite, int]:
        """Read this function's result (ExportedChatInvite) at ``offset``: ``(value, end)``."""
        return _read_entry(data, offset, _R0)
