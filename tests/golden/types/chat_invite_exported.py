# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;"""

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
    TLObject,
    encode_error as _encode_error,
    load_class as _load_class,
    read_boxed as _read_boxed,
)

TYPE_CHECKING = False  # type checkers treat it as true; no typing import at run time

if TYPE_CHECKING:
    from tlruntime.tl import abcs
    import tlruntime.tl.types.stars_subscription_pricing

_new = object.__new__
_u0 = _unpacker("<I")
_u1 = _unpacker("<qi")
_p1 = _packer("<qi")
_u2 = _unpacker("<i")
_p2 = _packer("<i")
_u3 = _unpacker("<qiiiiiii")
_u4 = _unpacker("<iq")
_p5 = _packer("<II")
_p6 = _packer("<iiiiii")
_T0 = frozenset((0x05416d58,))
_cl0: type[tlruntime.tl.types.stars_subscription_pricing.StarsSubscriptionPricing] | None = None


def _load_cl0() -> type[tlruntime.tl.types.stars_subscription_pricing.StarsSubscriptionPricing]:
    """Bind ``_cl0`` to the class of 0x05416d58 (its module is imported on first use)."""
    global _cl0
    _cl0 = _load_class(0x05416d58)
    return _cl0


class ChatInviteExported(TLObject):
    """chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;"""

    __slots__ = (
        "revoked",
        "permanent",
        "request_needed",
        "link",
        "admin_id",
        "date",
        "start_date",
        "expire_date",
        "usage_limit",
        "usage",
        "requested",
        "subscription_expired",
        "title",
        "subscription_pricing",
    )

    CONSTRUCTOR_ID = 0xa22cbd96
    TL_NAME = "chatInviteExported"
    TL_LINE = "chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;"
    # FIELDS (tlruntime.tlobject.Field tuples) is built from this table on first use: per
    # parameter, in schema order, a line of name, tl_name, tl_type, flag_field, bit.
    _FIELDS = (
        "flags", "flags", "#", None, None,
        "revoked", "revoked", "true", "flags", 0,
        "permanent", "permanent", "true", "flags", 5,
        "request_needed", "request_needed", "true", "flags", 6,
        "link", "link", "string", None, None,
        "admin_id", "admin_id", "long", None, None,
        "date", "date", "int", None, None,
        "start_date", "start_date", "int", "flags", 4,
        "expire_date", "expire_date", "int", "flags", 1,
        "usage_limit", "usage_limit", "int", "flags", 2,
        "usage", "usage", "int", "flags", 3,
        "requested", "requested", "int", "flags", 7,
        "subscription_expired", "subscription_expired", "int", "flags", 10,
        "title", "title", "string", "flags", 8,
        "subscription_pricing", "subscription_pricing", "StarsSubscriptionPricing", "flags", 9,
    )

    if TYPE_CHECKING:  # the attributes are __slots__: these declarations are for type checkers only
        revoked: bool
        permanent: bool
        request_needed: bool
        link: str
        admin_id: int
        date: int
        start_date: int | None
        expire_date: int | None
        usage_limit: int | None
        usage: int | None
        requested: int | None
        subscription_expired: int | None
        title: str | None
        subscription_pricing: abcs.StarsSubscriptionPricing | None

    def __init__(
        self,
        *,
        revoked: bool = False,
        permanent: bool = False,
        request_needed: bool = False,
        link: str,
        admin_id: int,
        date: int,
        start_date: int | None = None,
        expire_date: int | None = None,
        usage_limit: int | None = None,
        usage: int | None = None,
        requested: int | None = None,
        subscription_expired: int | None = None,
        title: str | None = None,
        subscription_pricing: abcs.StarsSubscriptionPricing | None = None,
    ) -> None:
        self.revoked = revoked
        self.permanent = permanent
        self.request_needed = request_needed
        self.link = link
        self.admin_id = admin_id
        self.date = date
        self.start_date = start_date
        self.expire_date = expire_date
        self.usage_limit = usage_limit
        self.usage = usage
        self.requested = requested
        self.subscription_expired = subscription_expired
        self.title = title
        self.subscription_pricing = subscription_pricing

    @property
    def flags(self) -> int:
        """The ``flags:#`` value, computed from which optional fields are set."""
        return (1 if self.revoked else 0) | (32 if self.permanent else 0) | (64 if self.request_needed else 0) | (0 if self.start_date is None else 16) | (0 if self.expire_date is None else 2) | (0 if self.usage_limit is None else 4) | (0 if self.usage is None else 8) | (0 if self.requested is None else 128) | (0 if self.subscription_expired is None else 1024) | (0 if self.title is None else 256) | (0 if self.subscription_pricing is None else 512)

    def _bytes(self) -> bytes:
        try:
            v_start_date = self.start_date
            v_expire_date = self.expire_date
            v_usage_limit = self.usage_limit
            v_usage = self.usage
            v_requested = self.requested
            v_subscription_expired = self.subscription_expired
            v_title = self.title
            v_subscription_pricing = self.subscription_pricing
            _flags = (1 if self.revoked else 0) | (32 if self.permanent else 0) | (64 if self.request_needed else 0) | (0 if v_start_date is None else 16) | (0 if v_expire_date is None else 2) | (0 if v_usage_limit is None else 4) | (0 if v_usage is None else 8) | (0 if v_requested is None else 128) | (0 if v_subscription_expired is None else 1024) | (0 if v_title is None else 256) | (0 if v_subscription_pricing is None else 512)
            try:
                e_link = self.link.encode()
            except UnicodeEncodeError:  # lone surrogates, e.g. from a read of invalid UTF-8
                e_link = self.link.encode("utf-8", "surrogateescape")
            if v_title is not None:
                try:
                    e_title = v_title.encode()
                except UnicodeEncodeError:  # lone surrogates, e.g. from a read of invalid UTF-8
                    e_title = v_title.encode("utf-8", "surrogateescape")
            return b"".join((
                _p5(0xa22cbd96, _flags),
                (_SHORT_FORM[_n](_n, e_link) if (_n := len(e_link)) < 254 else _pack_bytes(e_link)),
                _p1(self.admin_id, self.date),
                _p6(v_start_date, v_expire_date, v_usage_limit, v_usage, v_requested, v_subscription_expired) if (_flags & 1182) == 1182 else (b"" if v_start_date is None else _p2(v_start_date)) + (b"" if v_expire_date is None else _p2(v_expire_date)) + (b"" if v_usage_limit is None else _p2(v_usage_limit)) + (b"" if v_usage is None else _p2(v_usage)) + (b"" if v_requested is None else _p2(v_requested)) + (b"" if v_subscription_expired is None else _p2(v_subscription_expired)),
                b"" if v_title is None else (_SHORT_FORM[_n](_n, e_title) if (_n := len(e_title)) < 254 else _pack_bytes(e_title)),
                b"" if v_subscription_pricing is None else v_subscription_pricing._tl_StarsSubscriptionPricing(),
            ))
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes
    _tl_ExportedChatInvite = _bytes  # ExportedChatInvite fields write through this name: their type check

    # Generated classes get their from_bytes from TLObject.__init_subclass__ (built around this reader).
    @staticmethod
    def _read(data: bytes, o: int) -> tuple[ChatInviteExported, int]:
        self = _new(ChatInviteExported)
        _flags = _u0(data, o)[0]
        o += 4
        self.revoked = (_flags & 1) != 0
        self.permanent = (_flags & 32) != 0
        self.request_needed = (_flags & 64) != 0
        n = data[o]
        if n < 254:
            try:
                self.link = data[o + 1:o + 1 + n].decode()
            except UnicodeDecodeError:  # invalid UTF-8 is kept, byte for byte, as lone surrogates
                self.link = data[o + 1:o + 1 + n].decode("utf-8", "surrogateescape")
            o += (n + 4) & -4
        else:
            self.link, o = _read_long_string(data, o)
        if (_flags & 1182) == 1182:
            self.admin_id, self.date, self.start_date, self.expire_date, self.usage_limit, self.usage, self.requested, self.subscription_expired = _u3(data, o)
            o += 36
        else:
            self.admin_id, self.date = _u1(data, o)
            o += 12
            if _flags & 16:
                self.start_date = _u2(data, o)[0]
                o += 4
            else:
                self.start_date = None
            if _flags & 2:
                self.expire_date = _u2(data, o)[0]
                o += 4
            else:
                self.expire_date = None
            if _flags & 4:
                self.usage_limit = _u2(data, o)[0]
                o += 4
            else:
                self.usage_limit = None
            if _flags & 8:
                self.usage = _u2(data, o)[0]
                o += 4
            else:
                self.usage = None
            if _flags & 128:
                self.requested = _u2(data, o)[0]
                o += 4
            else:
                self.requested = None
            if _flags & 1024:
                self.subscription_expired = _u2(data, o)[0]
                o += 4
            else:
                self.subscription_expired = None
        if _flags & 256:
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
        if _flags & 512:
            if data[o:o + 4] == b"\x58\x6d\x41\x05":
                v_subscription_pricing = _new(_cl0 or _load_cl0())
                v_subscription_pricing.period, v_subscription_pricing.amount = _u4(data, o + 4)
                o += 16
                self.subscription_pricing = v_subscription_pricing
            else:
                self.subscription_pricing, o = _read_boxed(data, o, _T0, "StarsSubscriptionPricing")
        else:
            self.subscription_pricing = None
        return self, o
