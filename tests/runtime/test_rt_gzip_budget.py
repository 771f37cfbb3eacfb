"""All gzip_packed layers of one decode share one budget (MAX_GZIP_TOTAL): no gigabytes from a frame."""

from __future__ import annotations

import gzip
import struct

import pytest

import tlruntime.tl as tl
from tlruntime.core_types import ContainerMessage, GzipPacked, MsgContainer
from tlruntime.errors import DecodeError, LengthError
from tlruntime.nesting import DEPTH
from tlruntime.tl import types
from tlruntime.tlobject import MAX_GZIP_SIZE, MAX_GZIP_TOTAL, read_boxed, read_object

BIG = 12 * 1024 * 1024  # one layer under MAX_GZIP_SIZE; six of them pass MAX_GZIP_TOTAL
COPIES_PAST_TOTAL = MAX_GZIP_TOTAL // BIG + 1


def _big_file() -> bytes:
    """A gzip_packed upload.file of BIG zero bytes: about 12 KiB on the wire."""
    body = bytes(types.upload.File(type=types.storage.FileUnknown(), mtime=0, bytes=bytes(BIG)))
    return bytes(GzipPacked(packed_data=gzip.compress(body, mtime=0)))


def _container(copies: int) -> bytes:
    entry = _big_file()
    return bytes(MsgContainer(messages=[
        ContainerMessage(msg_id=4 * (i + 1), seqno=1, body=entry) for i in range(copies)
    ]))


def _user(name_size: int) -> bytes:
    user = bytes(types.User(id=1, first_name="x" * name_size))
    return bytes(GzipPacked(packed_data=gzip.compress(user, mtime=0)))


def _invites_with_users(copies: int) -> bytes:
    """messages.exportedChatInvites whose users are all gzip_packed (a typed vector position)."""
    head = struct.pack("<Ii", types.messages.ExportedChatInvites.CONSTRUCTOR_ID, 0)
    vector = struct.pack("<I", 0x1CB5C415)
    users = _user(BIG)
    return head + vector + struct.pack("<i", 0) + vector + struct.pack("<i", copies) + users * copies


def test_the_limits_are_ordered() -> None:
    assert BIG < MAX_GZIP_SIZE < MAX_GZIP_TOTAL < BIG * COPIES_PAST_TOTAL


def test_a_container_of_gzip_bombs_stops_at_the_total() -> None:
    data = _container(COPIES_PAST_TOTAL)
    assert len(data) < 200_000  # a small frame...
    with pytest.raises(LengthError, match="total of all gzip_packed layers of one decode"):
        tl.deserialize(data)  # ...that would otherwise inflate past 72 MiB
    assert DEPTH.inflate_budget is None and DEPTH.level == 0


def test_a_typed_vector_of_gzip_bombs_stops_at_the_total() -> None:
    data = _invites_with_users(COPIES_PAST_TOTAL)
    for decode in (tl.deserialize, types.messages.ExportedChatInvites.from_bytes):
        with pytest.raises(LengthError, match="total"):
            decode(data)
    assert DEPTH.inflate_budget is None


def test_under_the_total_everything_decodes() -> None:
    # The fast paths start without a budget and read again under one when they meet gzip.
    invites = types.messages.ExportedChatInvites.from_bytes(_invites_with_users(2))
    assert [len(u.first_name) for u in invites.users] == [BIG, BIG]
    container = tl.deserialize(_container(2))
    assert [len(m.body.bytes) for m in container.messages] == [BIG, BIG]
    assert DEPTH.inflate_budget is None


def test_each_decode_gets_a_fresh_budget() -> None:
    data = _container(MAX_GZIP_TOTAL // BIG)  # just under the total
    for _ in range(3):
        assert len(tl.deserialize(data).messages) == MAX_GZIP_TOTAL // BIG


def test_read_object_alone_is_an_entry_point_read_boxed_is_not() -> None:
    packed = _user(10)
    value, end = read_object(packed, 0)
    assert isinstance(value, types.User) and end == len(packed)
    # read_boxed is a reader for the generated code, not an entry point: typed error, no budget.
    with pytest.raises(DecodeError, match="entry point"):
        read_boxed(packed, 0, frozenset({types.User.CONSTRUCTOR_ID}), "User")
