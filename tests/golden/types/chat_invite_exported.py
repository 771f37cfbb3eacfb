# Generated from TL layer 229 by the tlruntime generator (python -m generator). Do not edit.
"""chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;"""

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
_S1 = Struct("<qi")
_u1 = _S1.unpack_from
_p1 = _S1.pack
_S2 = Struct("<i")
_u2 = _S2.unpack_from
_p2 = _S2.pack
_S3 = Struct("<iiiiii")
_u3 = _S3.unpack_from
_p3 = _S3.pack
_S4 = Struct("<II")
_u4 = _S4.unpack_from
_p4 = _S4.pack
_T0 = frozenset((0x05416d58,))


class ChatInviteExported(TLObject):
    """``chatInviteExported#a22cbd96 flags:# revoked:flags.0?true permanent:flags.5?true request_needed:flags.6?true link:string admin_id:long date:int start_date:flags.4?int expire_date:flags.1?int usage_limit:flags.2?int usage:flags.3?int requested:flags.7?int subscription_expired:flags.10?int title:flags.8?string subscription_pricing:flags.9?StarsSubscriptionPricing = ExportedChatInvite;``"""

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
    FIELDS = (
        Field("flags", "flags", "#", None, None),
        Field("revoked", "revoked", "true", "flags", 0),
        Field("permanent", "permanent", "true", "flags", 5),
        Field("request_needed", "request_needed", "true", "flags", 6),
        Field("link", "link", "string", None, None),
        Field("admin_id", "admin_id", "long", None, None),
        Field("date", "date", "int", None, None),
        Field("start_date", "start_date", "int", "flags", 4),
        Field("expire_date", "expire_date", "int", "flags", 1),
        Field("usage_limit", "usage_limit", "int", "flags", 2),
        Field("usage", "usage", "int", "flags", 3),
        Field("requested", "requested", "int", "flags", 7),
        Field("subscription_expired", "subscription_expired", "int", "flags", 10),
        Field("title", "title", "string", "flags", 8),
        Field("subscription_pricing", "subscription_pricing", "StarsSubscriptionPricing", "flags", 9),
    )

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
            _flags = (1 if self.revoked else 0) | (32 if self.permanent else 0) | (64 if self.request_needed else 0) | (0 if self.start_date is None else 16) | (0 if self.expire_date is None else 2) | (0 if self.usage_limit is None else 4) | (0 if self.usage is None else 8) | (0 if self.requested is None else 128) | (0 if self.subscription_expired is None else 1024) | (0 if self.title is None else 256) | (0 if self.subscription_pricing is None else 512)
            parts = [
                _p4(0xa22cbd96, _flags),
                _pack_string(self.link),
                _p1(self.admin_id, self.date),
            ]
            if (v_start_date := self.start_date) is not None:
                parts.append(_p2(v_start_date))
            if (v_expire_date := self.expire_date) is not None:
                parts.append(_p2(v_expire_date))
            if (v_usage_limit := self.usage_limit) is not None:
                parts.append(_p2(v_usage_limit))
            if (v_usage := self.usage) is not None:
                parts.append(_p2(v_usage))
            if (v_requested := self.requested) is not None:
                parts.append(_p2(v_requested))
            if (v_subscription_expired := self.subscription_expired) is not None:
                parts.append(_p2(v_subscription_expired))
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
        self.revoked = (_flags & 1) != 0
        self.permanent = (_flags & 32) != 0
        self.request_needed = (_flags & 64) != 0
        n = data[o]
        if n < 254:
            self.link = data[o + 1:o + 1 + n].decode("utf-8", "surrogateescape")
            o += (n + 4) & -4
        else:
            self.link, o = _read_long_string(data, o)
        self.admin_id, self.date = _u1(data, o)
        o += 12
        if (_flags & 1182) == 1182:
            self.start_date, self.expire_date, self.usage_limit, self.usage, self.requested, self.subscription_expired = _u3(data, o)
            o += 24
        else:
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
                self.title = data[o + 1:o + 1 + n].decode("utf-8", "surrogateescape")
                o += (n + 4) & -4
            else:
                self.title, o = _read_long_string(data, o)
        else:
            self.title = None
        if _flags & 512:
            cid = _unpack_id(data, o)[0]
            if cid in _T0:
                self.subscription_pricing, o = (_CLASSES.get(cid) or _load_class(cid))._read(data, o + 4)
            else:
                self.subscription_pricing, o = _read_boxed(data, o, _T0, "StarsSubscriptionPricing")
        else:
            self.subscription_pricing = None
        return self, o
