"""The session's hand-packed service constructors match the generated layer and Telethon, byte for byte."""

from __future__ import annotations

import struct
from typing import Callable

import pytest
import telethon.tl.functions as tf
import telethon.tl.types as tt
from telethon.extensions import BinaryReader
from telethon.tl.core import GzipPacked, MessageContainer

from tlruntime.session import wire
from tlruntime.tl import deserialize, functions, types

MSG = 0x6543_2100_0000_0001
OTHER = 0x6543_2100_0000_0105

# (name, our bytes, generated object, Telethon object)
CASES: list[tuple[str, bytes, object, object]] = [
    ("msgs_ack", wire.pack_msgs_ack([MSG, OTHER]), types.MsgsAck(msg_ids=[MSG, OTHER]), tt.MsgsAck([MSG, OTHER])),
    (
        "msg_resend_req",
        wire.pack_msg_resend_req([OTHER]),
        types.MsgResendReq(msg_ids=[OTHER]),
        tt.MsgResendReq([OTHER]),
    ),
    (
        "bad_msg_notification",
        wire.pack_bad_msg_notification(MSG, 7, 32),
        types.BadMsgNotification(bad_msg_id=MSG, bad_msg_seqno=7, error_code=32),
        tt.BadMsgNotification(MSG, 7, 32),
    ),
    (
        "bad_server_salt",
        wire.pack_bad_server_salt(MSG, 3, -5),
        types.BadServerSalt(bad_msg_id=MSG, bad_msg_seqno=3, error_code=48, new_server_salt=-5),
        tt.BadServerSalt(MSG, 3, 48, -5),
    ),
    (
        "new_session_created",
        wire.pack_new_session_created(MSG, -77, 99),
        types.NewSessionCreated(first_msg_id=MSG, unique_id=-77, server_salt=99),
        tt.NewSessionCreated(MSG, -77, 99),
    ),
    ("pong", wire.pack_pong(MSG, -1), types.Pong(msg_id=MSG, ping_id=-1), tt.Pong(MSG, -1)),
    ("ping", wire.pack_ping(12), functions.Ping(ping_id=12), tf.PingRequest(12)),
    (
        "msgs_state_info",
        wire.pack_msgs_state_info(MSG, b"\x04\x03\x01"),
        types.MsgsStateInfo(req_msg_id=MSG, info="\x04\x03\x01"),
        tt.MsgsStateInfo(MSG, "\x04\x03\x01"),
    ),
    (
        "future_salts",
        wire.pack_future_salts(MSG, 1000, [(900, 4600, 11), (4600, 8200, -12)]),
        types.FutureSalts(
            req_msg_id=MSG,
            now=1000,
            salts=[
                types.FutureSalt(valid_since=900, valid_until=4600, salt=11),
                types.FutureSalt(valid_since=4600, valid_until=8200, salt=-12),
            ],
        ),
        tt.FutureSalts(MSG, 1000, [tt.FutureSalt(900, 4600, 11), tt.FutureSalt(4600, 8200, -12)]),
    ),
    (
        "rpc_error",
        wire.pack_rpc_error(420, "FLOOD_WAIT_42"),
        types.RpcError(error_code=420, error_message="FLOOD_WAIT_42"),
        tt.RpcError(420, "FLOOD_WAIT_42"),
    ),
    ("rpc_answer_unknown", wire.pack_rpc_answer_unknown(), types.RpcAnswerUnknown(), tt.RpcAnswerUnknown()),
    (
        "rpc_answer_dropped_running",
        wire.pack_rpc_answer_dropped_running(),
        types.RpcAnswerDroppedRunning(),
        tt.RpcAnswerDroppedRunning(),
    ),
]


@pytest.mark.parametrize(("name", "ours", "generated", "telethon"), CASES, ids=[c[0] for c in CASES])
def test_service_constructor_bytes_match(name: str, ours: bytes, generated: object, telethon: object) -> None:
    assert ours == bytes(generated)  # type: ignore[call-overload]
    assert ours == bytes(telethon)  # type: ignore[call-overload]
    assert bytes(deserialize(ours)) == ours


READERS: list[tuple[str, Callable[[bytes], object], bytes, object]] = [
    ("bad_msg_notification", wire.read_bad_msg_notification, bytes(tt.BadMsgNotification(MSG, 9, 17)), (MSG, 9, 17)),
    ("bad_server_salt", wire.read_bad_server_salt, bytes(tt.BadServerSalt(MSG, 9, 48, -3)), (MSG, 9, 48, -3)),
    ("new_session_created", wire.read_new_session_created, bytes(tt.NewSessionCreated(MSG, 1, 2)), (MSG, 1, 2)),
    ("pong", wire.read_pong, bytes(tt.Pong(MSG, 5)), (MSG, 5)),
    ("msg_detailed_info", wire.read_msg_detailed_info, bytes(tt.MsgDetailedInfo(MSG, OTHER, 100, 0)), (MSG, OTHER, 100, 0)),
    ("msg_new_detailed_info", wire.read_msg_new_detailed_info, bytes(tt.MsgNewDetailedInfo(OTHER, 8, 1)), (OTHER, 8, 1)),
    ("msgs_state_req", wire.read_id_vector, bytes(tt.MsgsStateReq([MSG, OTHER])), [MSG, OTHER]),
    ("ping_delay_disconnect", wire.read_ping_delay_disconnect, bytes(tf.PingDelayDisconnectRequest(4, 75)), (4, 75)),
    ("get_future_salts", wire.read_get_future_salts, bytes(tf.GetFutureSaltsRequest(3)), 3),
    ("rpc_drop_answer", lambda b: wire.read_long_arg(b, "rpc_drop_answer"), bytes(tf.RpcDropAnswerRequest(MSG)), MSG),
    ("msgs_state_info", wire.read_msgs_state_info, bytes(tt.MsgsStateInfo(MSG, "\x01\x02")), (MSG, b"\x01\x02")),
    (
        "future_salts",
        wire.read_future_salts,
        bytes(tt.FutureSalts(MSG, 7, [tt.FutureSalt(1, 2, 3)])),
        (MSG, 7, [(1, 2, 3)]),
    ),
    ("rpc_error", wire.read_rpc_error, bytes(tt.RpcError(303, "NETWORK_MIGRATE_2")), (303, "NETWORK_MIGRATE_2")),
]


@pytest.mark.parametrize(("name", "read", "data", "expected"), READERS, ids=[r[0] for r in READERS])
def test_service_readers_read_telethon_bytes(
    name: str, read: Callable[[bytes], object], data: bytes, expected: object
) -> None:
    assert read(data) == expected


def test_constructor_ids_match_the_generated_layer() -> None:
    pairs = {
        wire.MSG_CONTAINER: types.MsgContainer,
        wire.GZIP_PACKED: types.GzipPacked,
        wire.RPC_RESULT: types.RpcResult,
        wire.RPC_ERROR: types.RpcError,
        wire.MSGS_ACK: types.MsgsAck,
        wire.BAD_MSG_NOTIFICATION: types.BadMsgNotification,
        wire.BAD_SERVER_SALT: types.BadServerSalt,
        wire.NEW_SESSION_CREATED: types.NewSessionCreated,
        wire.PING: functions.Ping,
        wire.PING_DELAY_DISCONNECT: functions.PingDelayDisconnect,
        wire.PONG: types.Pong,
        wire.MSG_DETAILED_INFO: types.MsgDetailedInfo,
        wire.MSG_NEW_DETAILED_INFO: types.MsgNewDetailedInfo,
        wire.MSGS_STATE_REQ: types.MsgsStateReq,
        wire.MSGS_STATE_INFO: types.MsgsStateInfo,
        wire.MSGS_ALL_INFO: types.MsgsAllInfo,
        wire.MSG_RESEND_REQ: types.MsgResendReq,
        wire.MSG_RESEND_ANS_REQ: types.MsgResendAnsReq,
        wire.GET_FUTURE_SALTS: functions.GetFutureSalts,
        wire.FUTURE_SALTS: types.FutureSalts,
        wire.RPC_DROP_ANSWER: functions.RpcDropAnswer,
        wire.RPC_ANSWER_UNKNOWN: types.RpcAnswerUnknown,
        wire.RPC_ANSWER_DROPPED_RUNNING: types.RpcAnswerDroppedRunning,
        wire.HTTP_WAIT: types.HttpWait,
        wire.DESTROY_SESSION: functions.DestroySession,
    }
    for constructor_id, cls in pairs.items():
        assert cls.CONSTRUCTOR_ID == constructor_id, cls.__name__


def test_container_and_rpc_result_framing_match_telethon() -> None:
    ping = tf.PingRequest(1)
    ours = wire.pack_container([wire.InnerMessage(MSG, 1, bytes(ping)), wire.InnerMessage(OTHER, 3, bytes(ping))])
    reader = BinaryReader(ours)
    assert reader.read_int(signed=False) == wire.MSG_CONTAINER
    container = MessageContainer.from_reader(reader)
    assert [(m.msg_id, m.seq_no, bytes(m.obj)) for m in container.messages] == [
        (MSG, 1, bytes(ping)),
        (OTHER, 3, bytes(ping)),
    ]
    result = wire.pack_rpc_result(MSG, bytes(tt.Pong(MSG, 1)))
    reader = BinaryReader(result)
    assert reader.read_int(signed=False) == wire.RPC_RESULT
    assert reader.read_long() == MSG
    assert bytes(reader.tgread_object()) == bytes(tt.Pong(MSG, 1))
    assert wire.split_rpc_result(result) == (MSG, bytes(tt.Pong(MSG, 1)))


def test_gzip_packed_is_readable_by_telethon_and_theirs_by_us() -> None:
    body = bytes(tt.MsgsAck(list(range(0, 4000, 4))))
    packed = wire.gzip_if_smaller(body)
    assert struct.unpack_from("<I", packed)[0] == wire.GZIP_PACKED
    assert GzipPacked.read(BinaryReader(packed)) == body
    assert wire.gunzip_packed(bytes(GzipPacked(body))) == body
