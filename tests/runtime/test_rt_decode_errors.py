"""Hostile and broken input: only typed errors from tlruntime.errors, with offsets and ids."""

from __future__ import annotations

import gzip
import struct

import pytest

import tlruntime.tl as tl
from tlruntime.core_types import GzipPacked
from tlruntime.errors import (
    DecodeError,
    LengthError,
    TrailingBytesError,
    TruncatedError,
    UnknownConstructorError,
)
from tlruntime.tl.functions.messages import ExportChatInvite
from tlruntime.tl.types import ChatInviteExported, InputPeerChannel, StarsSubscriptionPricing
from tlruntime.tl.types.messages import ExportedChatInvites
from tlruntime.tlobject import MAX_GZIP_SIZE

INVITE = ChatInviteExported(
    revoked=True,
    permanent=True,
    request_needed=True,
    link="https://t.me/+" + "x" * 300,  # long (0xfe) string form
    admin_id=1,
    date=2,
    start_date=3,
    expire_date=4,
    usage_limit=5,
    usage=6,
    requested=7,
    subscription_expired=8,
    title="team",
    subscription_pricing=StarsSubscriptionPricing(period=9, amount=10),
)
REQUEST = ExportChatInvite(
    peer=InputPeerChannel(channel_id=1, access_hash=2),
    title="t",
    usage_limit=3,
    subscription_pricing=StarsSubscriptionPricing(period=4, amount=5),
)
BULK = ExportedChatInvites(count=2, invites=[INVITE, INVITE], users=[])


@pytest.mark.parametrize("obj", [INVITE, REQUEST, BULK], ids=["invite", "request", "bulk"])
def test_truncated_at_every_offset(obj: object) -> None:
    data = bytes(obj)  # type: ignore[call-overload]
    cls = type(obj)
    for cut in range(len(data)):
        for read in (cls.from_bytes, tl.deserialize):  # type: ignore[attr-defined]
            with pytest.raises(TruncatedError) as info:
                read(data[:cut])
            assert 0 <= info.value.offset <= len(data)


def test_truncated_result_read() -> None:
    data = bytes(INVITE)
    for cut in range(len(data)):
        with pytest.raises(TruncatedError):
            REQUEST.read_result(data[:cut])


def test_unknown_constructor_anywhere() -> None:
    with pytest.raises(UnknownConstructorError) as info:
        tl.deserialize(b"\xef\xbe\xad\xde")
    assert info.value.constructor_id == 0xDEADBEEF and info.value.offset == 0
    assert "0xdeadbeef" in str(info.value)


def test_wrong_class_names_the_expected_one() -> None:
    with pytest.raises(UnknownConstructorError) as info:
        ChatInviteExported.from_bytes(bytes(REQUEST))
    assert info.value.constructor_id == 0xA455DE90
    assert "ChatInviteExported" in info.value.expected


def test_valid_id_of_the_wrong_type_in_a_typed_position() -> None:
    data = bytearray(bytes(REQUEST))
    # peer:InputPeer holds a StarsSubscriptionPricing id instead
    data[8:12] = struct.pack("<I", StarsSubscriptionPricing.CONSTRUCTOR_ID)
    with pytest.raises(UnknownConstructorError) as info:
        ExportChatInvite.from_bytes(bytes(data))
    assert info.value.offset == 8 and info.value.expected == "InputPeer"


def test_hostile_string_length() -> None:
    head = bytes(INVITE)[:8]  # id + flags; the link string follows
    with pytest.raises(LengthError) as info:
        ChatInviteExported.from_bytes(head + b"\xfe\xff\xff\xff")
    assert info.value.offset == 8


def test_hostile_vector_count() -> None:
    data = struct.pack("<IiII", ExportedChatInvites.CONSTRUCTOR_ID, 1, 0x1CB5C415, 0x7FFFFFFF)
    with pytest.raises(LengthError):
        ExportedChatInvites.from_bytes(data + b"\x00" * 64)


def test_trailing_bytes() -> None:
    with pytest.raises(TrailingBytesError) as info:
        ChatInviteExported.from_bytes(bytes(INVITE) + b"\x00\x00\x00\x00")
    assert info.value.offset == len(bytes(INVITE))
    with pytest.raises(TrailingBytesError):
        tl.deserialize(bytes(INVITE) + b"\x00")


def test_bad_bool() -> None:
    from tlruntime.tl.functions.account import UpdateStatus

    data = bytes(UpdateStatus(offline=True))
    assert UpdateStatus.from_bytes(data).offline is True
    with pytest.raises(UnknownConstructorError) as info:
        UpdateStatus.from_bytes(data[:4] + b"\x01\x02\x03\x04")
    assert info.value.expected == "Bool" and info.value.offset == 4


def test_gzip_packed_is_transparent() -> None:
    packed = bytes(GzipPacked.wrap(INVITE))
    assert tl.deserialize(packed) == INVITE
    assert ChatInviteExported.from_bytes(packed) == INVITE
    assert REQUEST.read_result(packed) == (INVITE, len(packed))
    # inside a typed position too
    bulk = ExportedChatInvites(count=1, invites=[GzipPacked.wrap(INVITE)], users=[])  # type: ignore[list-item]
    assert ExportedChatInvites.from_bytes(bytes(bulk)).invites == [INVITE]
    assert GzipPacked.from_bytes(packed).unpack() == bytes(INVITE)


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"\x00" * (MAX_GZIP_SIZE + 4096), mtime=0)
    packed = bytes(GzipPacked(packed_data=bomb))
    with pytest.raises(LengthError):
        tl.deserialize(packed)


def test_corrupt_gzip() -> None:
    with pytest.raises(DecodeError):
        tl.deserialize(bytes(GzipPacked(packed_data=b"not gzip at all")))
    truncated_stream = gzip.compress(bytes(INVITE), mtime=0)[:-12]
    with pytest.raises(DecodeError):
        tl.deserialize(bytes(GzipPacked(packed_data=truncated_stream)))


def test_memoryview_and_bytearray_input() -> None:
    data = bytes(INVITE)
    assert ChatInviteExported.from_bytes(memoryview(data)) == INVITE
    assert tl.deserialize(bytearray(data)) == INVITE
    assert REQUEST.read_result(memoryview(b"\x00" * 4 + data), 4)[0] == INVITE
