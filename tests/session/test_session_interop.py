"""Our server-side Session against the client-side message protection of Telethon and kurigram."""

from __future__ import annotations

import io
import logging
import os
import struct
import time
from collections import defaultdict

from session_helpers import AUTH_KEY, SERVER_SALT, invite_for, seed_request
from telethon.crypto import AuthKey
from telethon.extensions import BinaryReader
from telethon.network.mtprotostate import MTProtoState
from telethon.tl import functions as tf
from telethon.tl import types as tt
from telethon.tl.core import MessageContainer, RpcResult

from tlruntime.session import Request, Session


def _server() -> Session:
    return Session(AUTH_KEY, side="server", server_salt=SERVER_SALT, clock=time.time)


def _telethon_state() -> MTProtoState:
    loggers: defaultdict[str, logging.Logger] = defaultdict(lambda: logging.getLogger("telethon-oracle"))
    state = MTProtoState(AuthKey(AUTH_KEY), loggers)
    state.salt = SERVER_SALT
    return state


def test_telethon_client_state_talks_to_our_server() -> None:
    state = _telethon_state()
    server = _server()
    buffer = io.BytesIO()
    ping_id = state.write_data_as_message(buffer, bytes(tf.PingRequest(99)), True)
    request = bytes(tf.messages.ExportChatInviteRequest(
        peer=tt.InputPeerChannel(1234567890, -987654321012345),
        legacy_revoke_permanent=True,
        request_needed=True,
        expire_date=1_750_086_400,
        usage_limit=10,
        title="team",
        subscription_pricing=tt.StarsSubscriptionPricing(2592000, 150),
    ))
    assert request == bytes(seed_request())
    call_id = state.write_data_as_message(buffer, request, True)
    container = struct.pack("<II", MessageContainer.CONSTRUCTOR_ID, 2) + buffer.getvalue()
    container_buffer = io.BytesIO()
    state.write_data_as_message(container_buffer, container, False)
    events = server.receive(state.encrypt_message_data(container_buffer.getvalue()))
    [incoming] = [event for event in events if isinstance(event, Request)]
    assert incoming.msg_id == call_id
    server.send_result(call_id, invite_for(incoming.obj))  # type: ignore[arg-type]
    [payload] = server.outgoing()
    message = state.decrypt_message_data(payload)
    assert message is not None and isinstance(message.obj, MessageContainer)
    bodies = [inner.obj for inner in message.obj.messages]
    kinds = [type(body).__name__ for body in bodies]
    assert kinds == ["NewSessionCreated", "Pong", "RpcResult"]
    assert bodies[1].msg_id == ping_id and bodies[1].ping_id == 99
    result = bodies[2]
    assert isinstance(result, RpcResult) and result.req_msg_id == call_id
    # Telethon keeps the rest of the stream as the result body and reads it lazily.
    invite = BinaryReader(result.body).tgread_object()
    assert bytes(invite) == bytes(invite_for(seed_request()))


def test_kurigram_message_protection_talks_to_our_server() -> None:
    from pyrogram.crypto import mtproto
    from pyrogram.raw.core import Message
    from pyrogram.raw.functions import Ping

    server = _server()
    auth_key_id = bytes.fromhex(AuthKey(AUTH_KEY).key_id.to_bytes(8, "little").hex())
    session_id = os.urandom(8)
    msg_id = (int(time.time()) << 32) | 0x1000
    body = Ping(ping_id=7)
    packet = mtproto.pack(Message(body, msg_id, 0, len(body.write())), SERVER_SALT, session_id, AUTH_KEY, auth_key_id)
    assert server.receive(packet) == []  # a ping is answered by the session itself
    [payload] = server.outgoing()
    message = mtproto.unpack(io.BytesIO(payload), session_id, AUTH_KEY, auth_key_id)
    kinds = [type(inner.body).__name__ for inner in message.body.messages]
    assert kinds == ["NewSessionCreated", "Pong"]
    pong = message.body.messages[1].body
    assert pong.msg_id == msg_id and pong.ping_id == 7
