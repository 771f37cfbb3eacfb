"""The generated fast paths fall back to the exact generic behaviour.

``from_bytes`` (static per-class fast path), the raw-id read of a
single-constructor field, the ``str.decode()``/``str.encode()`` fast paths and
the inlined short string write: each must give the same values and the same
typed errors as the generic code for every input the fast path does not take.
"""

from __future__ import annotations

import gzip
import struct

import pytest

from tlruntime import tl
from tlruntime.errors import EncodeError, TrailingBytesError, TruncatedError, UnknownConstructorError
from tlruntime.tl import functions, types


def _invite(**extra: object) -> types.ChatInviteExported:
    return types.ChatInviteExported(
        link="https://t.me/+x", admin_id=7, date=1, title="t",
        subscription_pricing=types.StarsSubscriptionPricing(period=30, amount=99), **extra,
    )


def _gzip_packed(inner: bytes) -> bytes:
    packed = gzip.compress(inner)
    n = len(packed)
    head = bytes([n]) if n < 254 else b"\xfe" + n.to_bytes(3, "little")
    body = head + packed
    return struct.pack("<I", 0x3072CFA1) + body + b"\x00" * (-len(body) % 4)


def test_from_bytes_accepts_bytearray_memoryview_and_gzip() -> None:
    raw = bytes(_invite())
    for data in (bytearray(raw), memoryview(raw), _gzip_packed(raw)):
        assert types.ChatInviteExported.from_bytes(data) == _invite()


def test_from_bytes_errors_after_the_fast_path_declines() -> None:
    raw = bytes(_invite())
    with pytest.raises(TrailingBytesError) as trailing:
        types.ChatInviteExported.from_bytes(raw + b"\x00" * 4)
    assert trailing.value.offset == len(raw)
    with pytest.raises(TruncatedError):
        types.ChatInviteExported.from_bytes(raw[:-4])
    with pytest.raises(TruncatedError):
        types.ChatInviteExported.from_bytes(raw[:2])
    with pytest.raises(UnknownConstructorError) as wrong:
        types.ChatInviteExported.from_bytes(bytes(types.StarsSubscriptionPricing(period=1, amount=2)))
    assert wrong.value.offset == 0 and "ChatInviteExported" in str(wrong.value)


def test_single_constructor_field_falls_back_for_gzip_and_unknown_ids() -> None:
    raw = bytes(_invite())
    pricing = bytes(types.StarsSubscriptionPricing(period=30, amount=99))
    at = raw.index(pricing)
    wrapped = raw[:at] + _gzip_packed(pricing)
    assert types.ChatInviteExported.from_bytes(wrapped) == _invite()
    bad = raw[:at] + b"\x01\x02\x03\x04" + raw[at + 4 :]
    with pytest.raises(UnknownConstructorError) as unknown:
        tl.deserialize(bad)
    assert unknown.value.offset == at and unknown.value.constructor_id == 0x04030201
    with pytest.raises(TruncatedError):
        tl.deserialize(raw[: at + 2])


def test_invalid_utf8_reads_as_surrogates_and_writes_back_exactly() -> None:
    raw = bytearray(bytes(_invite()))
    at = raw.index(b"https")
    raw[at] = 0xFF  # not UTF-8: the decode() fast path fails, surrogateescape keeps the byte
    value = types.ChatInviteExported.from_bytes(bytes(raw))
    assert value.link == "\udcffttps://t.me/+x"
    assert bytes(value) == bytes(raw)
    assert tl.deserialize(bytes(raw)) == value


@pytest.mark.parametrize("length", [0, 1, 3, 4, 253, 254, 255, 1000])
def test_inlined_string_write_matches_the_primitive_for_every_form(length: int) -> None:
    from tlruntime.binary import pack_string

    title = "é" * (length // 2) + "x" * (length % 2)  # UTF-8 length == length
    req = functions.messages.ExportChatInvite(peer=types.InputPeerSelf(), title=title)
    raw = bytes(req)
    assert pack_string(title) in raw
    assert functions.messages.ExportChatInvite.from_bytes(raw) == req
    invite = _invite(usage=1)
    invite.link = title
    assert types.ChatInviteExported.from_bytes(bytes(invite)).link == title


def test_inlined_string_write_keeps_encode_errors() -> None:
    req = functions.messages.ExportChatInvite(peer=types.InputPeerSelf(), title=12)  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="title"):
        bytes(req)
    invite = _invite()
    invite.link = None  # type: ignore[assignment]
    with pytest.raises(EncodeError, match="link"):
        bytes(invite)


def test_from_bytes_is_made_once_and_is_the_stored_function() -> None:
    cls = types.ChatInviteExported
    first = cls.from_bytes
    assert cls.from_bytes is first and vars(cls)["from_bytes"].__func__ is first
    assert first(bytes(_invite())) == _invite()
    assert first.__qualname__ == "ChatInviteExported.from_bytes"


def test_fields_are_built_once_from_the_generated_rows() -> None:
    from tlruntime.tlobject import Field

    fields = types.ChatInviteExported.FIELDS
    assert types.ChatInviteExported.FIELDS is fields and _invite().FIELDS is fields
    assert all(type(f) is Field for f in fields)
    assert fields[-1] == Field("subscription_pricing", "subscription_pricing", "StarsSubscriptionPricing", "flags", 9)


@pytest.mark.parametrize("present", range(64))
def test_optional_int_run_read_with_the_fields_before_it_for_every_subset(present: int) -> None:
    # admin_id:long date:int, then six optional ints on flags: one unpack of all eight only when all six are set.
    names = ("start_date", "expire_date", "usage_limit", "usage", "requested", "subscription_expired")
    values = {name: 1000 + i if present >> i & 1 else None for i, name in enumerate(names)}
    invite = _invite(**values)
    raw = bytes(invite)
    assert types.ChatInviteExported.from_bytes(raw) == invite
    assert tl.deserialize(raw) == invite
