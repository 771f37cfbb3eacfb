"""What the session puts on the wire reads back in Telethon, and the session's own framing matches Telethon's.

Service constructors are packed by the generated layer (byte-exact against
Telethon in the conformance suite); these tests check the session *uses* them
right: every service message a real exchange produces is read by Telethon as
the same constructor with the same fields, and the framing the session owns
(containers, rpc_result, gzip_packed) matches Telethon's readers and writers.
"""

from __future__ import annotations

import struct

import telethon.tl.functions as tf
import telethon.tl.types as tt
from session_helpers import decrypt_body, entries_of, make_pair
from telethon.extensions import BinaryReader
from telethon.tl.core import GzipPacked, MessageContainer, RpcResult

from tlruntime.crypto import message as crypto
from tlruntime.errors import SessionCheckError
from tlruntime.session import ClientSession, ServerSession, wire
from tlruntime.tl import functions, types

MSG = 0x6543_2100_0000_0001
OTHER = 0x6543_2100_0000_0105


def _telethon_read(body: bytes) -> object:
    """One body read by Telethon: ``rpc_result`` through its core reader, the rest generically."""
    reader = BinaryReader(body)
    if reader.read_int(signed=False) == RpcResult.CONSTRUCTOR_ID:
        return RpcResult.from_reader(reader)
    return BinaryReader(body).tgread_object()


def _telethon_objects(payloads: list[bytes], x: int) -> list[object]:
    """Every message body of ``payloads``, read by Telethon."""
    return [_telethon_read(entry.body) for payload in payloads for entry in entries_of(decrypt_body(payload, x))]


def test_server_service_messages_read_back_in_telethon() -> None:
    pair = make_pair()
    pair.client.send(functions.GetFutureSalts(num=1))
    pair.client.ping(77)
    pair.client.send_message(types.MsgsStateReq(msg_ids=[OTHER]))
    pair.to_server()
    payloads = pair.server.outgoing()
    objects = _telethon_objects(payloads, crypto.SERVER_TO_CLIENT)
    kinds = {type(obj) for obj in objects}
    assert tt.NewSessionCreated in kinds
    assert tt.MsgsStateInfo in kinds
    pong = next(obj for obj in objects if isinstance(obj, tt.Pong))
    assert pong.ping_id == 77
    [salts] = [obj for obj in objects if isinstance(obj, tt.FutureSalts)]  # answered bare, not in rpc_result
    assert salts.salts[0].salt == pair.server.server_salt
    state = next(obj for obj in objects if isinstance(obj, tt.MsgsStateInfo))
    assert state.info.encode() == b"\x01"  # "nothing known": older than every id it remembers


def test_bad_server_salt_and_rpc_error_read_back_in_telethon() -> None:
    pair = make_pair(client_salt=1)
    pair.client.send(functions.help.GetConfig())
    pair.to_server()
    objects = _telethon_objects(pair.server.outgoing(), crypto.SERVER_TO_CLIENT)
    salt = next(obj for obj in objects if isinstance(obj, tt.BadServerSalt))
    assert (salt.error_code, salt.new_server_salt) == (48, pair.server.server_salt)
    pair.server.send_error(MSG, 420, "FLOOD_WAIT_42")
    body = entries_of(decrypt_body(pair.server.outgoing()[-1], crypto.SERVER_TO_CLIENT))[-1].body
    result = _telethon_read(body)
    assert isinstance(result, RpcResult) and result.req_msg_id == MSG
    assert (result.error.error_code, result.error.error_message) == (420, "FLOOD_WAIT_42")


def test_client_acks_read_back_in_telethon() -> None:
    pair = make_pair()
    for ping_id in range(3):
        pair.client.ping(ping_id)
    pair.to_server()
    answers = pair.server.outgoing()
    pongs = {
        entry.msg_id
        for payload in answers
        for entry in entries_of(decrypt_body(payload, crypto.SERVER_TO_CLIENT))
        if wire.constructor_of(entry.body) == types.Pong.CONSTRUCTOR_ID
    }
    for payload in answers:
        pair.client.receive(payload)
    pair.client.flush_acks()
    objects = _telethon_objects(pair.client.outgoing(), crypto.CLIENT_TO_SERVER)
    acks = [obj for obj in objects if isinstance(obj, tt.MsgsAck)]
    assert len(acks) == 1 and len(pongs) == 3 and pongs <= set(acks[0].msg_ids)


def test_handler_tables_are_keyed_by_generated_ids() -> None:
    assert ClientSession.HANDLERS[types.Pong.CONSTRUCTOR_ID] == "_on_pong"
    assert ServerSession.HANDLERS[functions.Ping.CONSTRUCTOR_ID] == "_on_ping"
    assert types.Pong.CONSTRUCTOR_ID not in ServerSession.HANDLERS  # role differences are table rows
    assert wire.MSG_CONTAINER == types.MsgContainer.CONSTRUCTOR_ID
    assert wire.GZIP_PACKED == types.GzipPacked.CONSTRUCTOR_ID
    assert wire.RPC_RESULT == types.RpcResult.CONSTRUCTOR_ID
    assert wire.RPC_ERROR == types.RpcError.CONSTRUCTOR_ID


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
    assert wire.parse_container(ours, MSG) == [
        wire.InnerMessage(MSG, 1, bytes(ping)),
        wire.InnerMessage(OTHER, 3, bytes(ping)),
    ]
    result = wire.pack_rpc_result(MSG, bytes(tt.Pong(MSG, 1)))
    reader = BinaryReader(result)
    assert reader.read_int(signed=False) == wire.RPC_RESULT
    assert reader.read_long() == MSG
    assert bytes(reader.tgread_object()) == bytes(tt.Pong(MSG, 1))
    assert wire.split_rpc_result(result) == (MSG, bytes(tt.Pong(MSG, 1)))


def test_nested_container_is_refused() -> None:
    inner = wire.pack_container([wire.InnerMessage(MSG, 1, bytes(tf.PingRequest(1)))])
    outer = wire.pack_container([wire.InnerMessage(OTHER, 3, inner)])
    try:
        wire.parse_container(outer, MSG)
    except SessionCheckError as error:
        assert error.reason == "container"
    else:  # pragma: no cover - the assertion below documents the failure
        raise AssertionError("a nested container was accepted")


def test_gzip_packed_is_readable_by_telethon_and_theirs_by_us() -> None:
    body = bytes(tt.MsgsAck(list(range(0, 4000, 4))))
    packed = wire.gzip_if_smaller(body)
    assert struct.unpack_from("<I", packed)[0] == wire.GZIP_PACKED
    assert GzipPacked.read(BinaryReader(packed)) == body
    assert wire.gunzip_packed(bytes(GzipPacked(body))) == body
