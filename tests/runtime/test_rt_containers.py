"""Hand-written mtproto combinators: msg_container entries, gzip_packed, rpc_result reading."""

from __future__ import annotations

import struct

import pytest

import tlruntime.tl as tl
from tlruntime.core_types import ContainerMessage, GzipPacked, MsgContainer, read_rpc_result
from tlruntime.errors import DecodeError, LengthError, TruncatedError, UnknownConstructorError
from tlruntime.tl import functions, types


def test_container_round_trip_and_layout() -> None:
    ping = functions.Ping(ping_id=7)
    ack = types.MsgsAck(msg_ids=[1, 2])
    container = MsgContainer(messages=[
        ContainerMessage(msg_id=100, seqno=1, body=ping),
        ContainerMessage(msg_id=104, seqno=2, body=bytes(ack)),  # pre-serialized body
    ])
    data = bytes(container)
    assert data[:8] == struct.pack("<II", 0x73F1F8DC, 2)
    # first entry: msg_id, seqno, body length, body (bare: no 0x5bb8e511)
    assert data[8:24] == struct.pack("<qii", 100, 1, len(bytes(ping)))
    back = tl.deserialize(data)
    assert isinstance(back, MsgContainer)
    assert [(m.msg_id, m.seqno, m.body) for m in back.messages] == [(100, 1, ping), (104, 2, ack)]
    assert types.MsgContainer is MsgContainer and types.GzipPacked is GzipPacked


def test_container_entry_length_must_match_body() -> None:
    body = bytes(functions.Ping(ping_id=7))
    entry = struct.pack("<qii", 1, 1, len(body) + 4) + body + b"\x00" * 4
    with pytest.raises(DecodeError):
        tl.deserialize(struct.pack("<II", 0x73F1F8DC, 1) + entry)
    hostile = struct.pack("<II", 0x73F1F8DC, 1) + struct.pack("<qii", 1, 1, 0x7FFFFFF0)
    with pytest.raises(LengthError):
        tl.deserialize(hostile)
    with pytest.raises(LengthError):
        tl.deserialize(struct.pack("<II", 0x73F1F8DC, 0x10000000))


def test_container_truncated_everywhere() -> None:
    data = bytes(MsgContainer(messages=[ContainerMessage(msg_id=1, seqno=1, body=functions.Ping(ping_id=2))]))
    for cut in range(len(data)):
        with pytest.raises(TruncatedError):
            tl.deserialize(data[:cut])


def _rpc_result(req_msg_id: int, body: bytes) -> bytes:
    return struct.pack("<Iq", 0xF35C6D01, req_msg_id) + body


def test_rpc_result_with_the_request_reader() -> None:
    req = functions.contacts.GetContactIDs(hash=0)
    data = _rpc_result(55, struct.pack("<II2i", 0x1CB5C415, 2, 10, 20))
    assert read_rpc_result(data, 0, req.read_result) == (55, [10, 20], len(data))
    # gzip-packed result
    packed = bytes(GzipPacked.wrap(struct.pack("<II2i", 0x1CB5C415, 2, 10, 20)))
    assert read_rpc_result(_rpc_result(56, packed), 0, req.read_result)[1] == [10, 20]


def test_rpc_result_generic_and_error() -> None:
    inv = types.ChatInvitePublicJoinRequests()
    req_msg_id, value, _ = read_rpc_result(_rpc_result(9, bytes(inv)))
    assert (req_msg_id, value) == (9, inv)
    error = types.RpcError(error_code=420, error_message="FLOOD_WAIT_42")
    req = functions.messages.ExportChatInvite(peer=types.InputPeerSelf())
    assert read_rpc_result(_rpc_result(9, bytes(error)), 0, req.read_result)[1] == error
    generic = tl.deserialize(_rpc_result(9, bytes(error)))
    assert isinstance(generic, types.RpcResult) and generic.result == error
    with pytest.raises(UnknownConstructorError):
        read_rpc_result(bytes(error))


def test_one_codec_for_the_session_and_the_tl_classes() -> None:
    """The session's wire functions and the TL classes write and read the same framing."""
    from tlruntime import containers
    from tlruntime.session import wire

    ping, ack = functions.Ping(ping_id=7), types.MsgsAck(msg_ids=[1, 2])
    entries = [(100, 1, bytes(ping)), (104, 2, bytes(ack))]
    ours = bytes(MsgContainer(messages=[ContainerMessage(msg_id=m, seqno=s, body=b) for m, s, b in entries]))
    assert wire.pack_container([wire.InnerMessage(*e) for e in entries]) == ours
    assert containers.pack_container(entries) == ours
    assert [tuple(m) for m in wire.parse_container(ours, 1)] == entries
    spans, end = containers.entry_spans(ours, 8, 2)
    assert end == len(ours) and [(m, s, ours[a:b]) for m, s, a, b in spans] == entries
    result = containers.pack_rpc_result(55, bytes(ping))
    assert result == wire.pack_rpc_result(55, bytes(ping)) == bytes(types.RpcResult(req_msg_id=55, result=ping))
    assert wire.split_rpc_result(result) == (55, bytes(ping))
    assert read_rpc_result(result)[:2] == (55, ping)


def test_entry_spans_framing_errors_are_typed() -> None:
    from tlruntime.containers import entry_spans

    body = bytes(functions.Ping(ping_id=7))
    entry = struct.pack("<qiI", 1, 1, len(body)) + body
    with pytest.raises(LengthError):  # a hostile count fails before any entry is walked
        entry_spans(entry, 0, 1 << 30)
    with pytest.raises(TruncatedError):  # the second header is missing
        entry_spans(entry + b"\x00" * 8, 0, 2)
    with pytest.raises(DecodeError, match="multiple of 4"):
        entry_spans(struct.pack("<qiI", 1, 1, 3) + b"abc\x00", 0, 1)
    with pytest.raises(LengthError):
        entry_spans(struct.pack("<qiI", 1, 1, 0xFFFFFFFC) + body, 0, 1)
    with pytest.raises(TruncatedError):
        read_rpc_result(struct.pack("<Iq", 0xF35C6D01, 1))
