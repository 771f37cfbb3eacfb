# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;"""

from __future__ import annotations

import builtins
from struct import Struct
from typing import TYPE_CHECKING, Any

from tlruntime.binary import (
    pack_bool as _pack_bool,
    pack_bytes as _pack_bytes,
    pack_double as _pack_double,
    pack_int as _pack_int,
    pack_int128 as _pack_int128,
    pack_int256 as _pack_int256,
    pack_long as _pack_long,
    pack_string as _pack_string,
    pack_vector_bool as _pack_vector_bool,
    pack_vector_bytes as _pack_vector_bytes,
    pack_vector_double as _pack_vector_double,
    pack_vector_int as _pack_vector_int,
    pack_vector_int128 as _pack_vector_int128,
    pack_vector_int256 as _pack_vector_int256,
    pack_vector_long as _pack_vector_long,
    pack_vector_string as _pack_vector_string,
    read_bool as _read_bool,
    read_bool_item as _read_bool_item,
    read_bytes as _read_bytes,
    read_double as _read_double,
    read_int as _read_int,
    read_int128 as _read_int128,
    read_int256 as _read_int256,
    read_long as _read_long,
    read_long_bytes as _read_long_bytes,
    read_long_string as _read_long_string,
    read_string as _read_string,
    read_vector_bool as _read_vector_bool,
    read_vector_bytes as _read_vector_bytes,
    read_vector_double as _read_vector_double,
    read_vector_int as _read_vector_int,
    read_vector_int128 as _read_vector_int128,
    read_vector_int256 as _read_vector_int256,
    read_vector_long as _read_vector_long,
    read_vector_string as _read_vector_string,
)
from tlruntime.errors import EncodeError as _EncodeError
from tlruntime.tlobject import (
    BOOL_FALSE_BYTES as _BOOL_FALSE,
    BOOL_TRUE_BYTES as _BOOL_TRUE,
    CLASSES as _CLASSES,
    ENCODE_FAILURES as _ENCODE_FAILURES,
    Field,
    TLObject,
    TLRequest,
    bare_bytes_of as _bare_bytes_of,
    bare_reader as _bare_reader,
    boxed_reader as _boxed_reader,
    bytes_of as _bytes_of,
    encode_error as _encode_error,
    load_class as _load_class,
    pack_object as _pack_object,
    pack_vector_boxed as _pack_vector_boxed,
    read_boxed as _read_boxed,
    read_entry as _read_entry,
    read_object as _read_object,
    unpack_id as _unpack_id,
    vector_reader as _vector_reader,
    vector_writer as _vector_writer,
)

if TYPE_CHECKING:
    from typing import Self
    from tlruntime.tl import abcs

_new = object.__new__
_from_bytes = int.from_bytes
_S0 = Struct("<I")
_u0 = _S0.unpack_from
_p0 = _S0.pack
_S1 = Struct("<i")
_u1 = _S1.unpack_from
_p1 = _S1.pack
_S2 = Struct("<ii")
_u2 = _S2.unpack_from
_p2 = _S2.pack
_S3 = Struct("<II")
_u3 = _S3.unpack_from
_p3 = _S3.pack
_T0 = frozenset((0x27bcbbfc, 0x35a95cb9, 0x7da07ec9, 0x7f3b18ea, 0xa87b0a1c, 0xbd2a0840, 0xdde8a54c,))
_T1 = frozenset((0x05416d58,))
_T2 = frozenset((0xa22cbd96, 0xed107ab7,))
_R0 = _boxed_reader(_T2, "ExportedChatInvite")


class ExportChatInvite(TLRequest):
    """``messages.exportChatInvite#a455de90 flags:# legacy_revoke_permanent:flags.2?true request_needed:flags.3?true peer:InputPeer expire_date:flags.0?int usage_limit:flags.1?int title:flags.4?string subscription_pricing:flags.5?StarsSubscriptionPricing = ExportedChatInvite;``"""

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
    FIELDS = (
        Field("flags", "flags", "#", None, None),
        Field("legacy_revoke_permanent", "legacy_revoke_permanent", "true", "flags", 2),
        Field("request_needed", "request_needed", "true", "flags", 3),
        Field("peer", "peer", "InputPeer", None, None),
        Field("expire_date", "expire_date", "int", "flags", 0),
        Field("usage_limit", "usage_limit", "int", "flags", 1),
        Field("title", "title", "string", "flags", 4),
        Field("subscription_pricing", "subscription_pricing", "StarsSubscriptionPricing", "flags", 5),
    )

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
            _flags = (4 if self.legacy_revoke_permanent else 0) | (8 if self.request_needed else 0) | (0 if self.expire_date is None else 1) | (0 if self.usage_limit is None else 2) | (0 if self.title is None else 16) | (0 if self.subscription_pricing is None else 32)
            parts = [
                _p3(0xa455de90, _flags),
                self.peer._bytes(),
            ]
            if (v_expire_date := self.expire_date) is not None:
                parts.append(_p1(v_expire_date))
            if (v_usage_limit := self.usage_limit) is not None:
                parts.append(_p1(v_usage_limit))
            if (v_title := self.title) is not None:
                parts.append(_pack_string(v_title))
            if (v_subscription_pricing := self.subscription_pricing) is not None:
                parts.append(v_subscription_pricing._bytes())
            return b"".join(parts)
        except _ENCODE_FAILURES as exc:
            raise _encode_error(self, exc) from exc

    __bytes__ = _bytes

    @classmethod
    def _read(cls, data: bytes, o: int) -> tuple[Self, int]:
        self = _new(cls)
        _flags = _u0(data, o)[0]
        o += 4
        self.legacy_revoke_permanent = (_flags & 4) != 0
        self.request_needed = (_flags & 8) != 0
        cid = _unpack_id(data, o)[0]
        if cid in _T0:
            self.peer, o = (_CLASSES.get(cid) or _load_class(cid))._read(data, o + 4)
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
                self.title = data[o + 1:o + 1 + n].decode("utf-8", "surrogateescape")
                o += (n + 4) & -4
            else:
                self.title, o = _read_long_string(data, o)
        else:
            self.title = None
        if _flags & 32:
            cid = _unpack_id(data, o)[0]
            if cid in _T1:
                self.subscription_pricing, o = (_CLASSES.get(cid) or _load_class(cid))._read(data, o + 4)
            else:
                self.subscription_pricing, o = _read_boxed(data, o, _T1, "StarsSubscriptionPricing")
        else:
            self.subscription_pricing = None
        return self, o

    def read_result(self, data: bytes | bytearray | memoryview, offset: int = 0) -> tuple[abcs.ExportedChatInvite, int]:
        """Read this function's result (ExportedChatInvite) at ``offset``: ``(value, end)``."""
        return _read_entry(data, offset, _R0)
