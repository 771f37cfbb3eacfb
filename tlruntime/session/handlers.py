"""One small handler per service constructor, in two tables (client side, server side).

``dispatch`` unpacks ``gzip_packed``, looks the constructor id up in the
session's table and falls back to the generated layer: on the client an
unknown object is an :class:`Update`, on the server it is a :class:`Request`
to answer.  Handlers are plain functions over the session's package-private
state; adding a service message means adding one function and one table row.

Service messages are packed and read with the generated classes of the
layer (``types.Pong.from_bytes(body)``, ``bytes(types.MsgsAck(...))``); only
the framing the session owns lives in :mod:`.wire`.

References: https://core.telegram.org/mtproto/service_messages and
https://core.telegram.org/mtproto/service_messages_about_messages.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Callable, Mapping

from ..errors import BadMessageError, DecodeError, LengthError, RPCError, TLError, TrailingBytesError
from ..tl import functions, types
from ..tlobject import deserialize
from . import wire
from .events import (
    DisconnectDelay,
    Event,
    NewSession,
    Request,
    RequestFailed,
    Resent,
    Result,
    RPCErrorEvent,
    SaltUpdated,
    TimeSynced,
    UndecodableMessage,
    Update,
)

if TYPE_CHECKING:
    from .outbox import Outgoing
    from .session import Session

__all__ = ["dispatch", "CLIENT_HANDLERS", "SERVER_HANDLERS", "QUERY_WRAPPERS"]

Handler = Callable[["Session", int, bytes, list[Event]], None]

#: TL names of the ``invoke*``/``initConnection`` wrappers a server unwraps (each has a ``query`` field).
QUERY_WRAPPERS = frozenset(
    {
        "invokeWithLayer",
        "initConnection",
        "invokeWithoutUpdates",
        "invokeAfterMsg",
        "invokeAfterMsgs",
        "invokeWithMessagesRange",
        "invokeWithTakeout",
        "invokeWithBusinessConnection",
        "invokeWithGooglePlayIntegrity",
        "invokeWithApnsSecret",
        "invokeWithReCaptcha",
    }
)


#: Server side: client requests remembered as "running" for ``rpc_drop_answer``.
_MAX_TRACKED_REQUESTS = 8192

_PINGS = frozenset({functions.Ping, functions.PingDelayDisconnect})

_unpack_u32 = struct.Struct("<I").unpack_from
_unpack_long = struct.Struct("<q").unpack_from
#: ``pong#347773c5 msg_id:long ping_id:long``, packed in one call (checked against types.Pong in tests).
_pack_pong = struct.Struct("<Iqq").pack
_PONG_ID = types.Pong.CONSTRUCTOR_ID
#: ``ping#7abe77ec ping_id:long``: constructor id + one long.
_PING_SIZE = 12
#: ``pong#347773c5 msg_id:long ping_id:long``: constructor id + two longs.
_PONG_SIZE = 20
_read_pong = types.Pong._read


def dispatch(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    """Route one authenticated message to its handler; unreadable bodies become events."""
    try:
        constructor = _unpack_u32(body, 0)[0] if len(body) >= 4 else 0
        if constructor == wire.GZIP_PACKED:
            body = wire.gunzip_packed(body)
            constructor = wire.constructor_of(body)
            if constructor in (wire.GZIP_PACKED, wire.MSG_CONTAINER):
                raise LengthError("gzip_packed may not hold another gzip_packed or a container", offset=0)
        handler = session._handlers.get(constructor)
        if handler is None:
            handler = _on_update if session.side == "client" else _on_request
        handler(session, msg_id, body, events)
    except DecodeError as exc:
        events.append(UndecodableMessage(msg_id, body, exc))


_deserialize = deserialize


def _read_result(request: object, result: bytes) -> object:
    """Read ``result`` with the request's own result type (falls back to a generic boxed read)."""
    read_result = getattr(request, "read_result", None)
    if read_result is None:
        return _deserialize(result)
    value, end = read_result(result, 0)
    if end != len(result):
        raise TrailingBytesError(f"{len(result) - end} bytes left after the result", offset=end)
    return value


# --- re-sending ----------------------------------------------------------------


def _requeue(session: Session, msg_id: int, reason: str, events: list[Event]) -> list[Outgoing]:
    """Queue again whatever we sent as ``msg_id`` (a container: each entry) under new ids."""
    outbox = session._outbox
    requeued = []
    for out in outbox.take_sent(msg_id):
        if out.acks:
            outbox.ack_all(out.acks)  # the refused msgs_ack: acknowledge those ids in the next one
            continue
        if out.request is not None and outbox.pending.get(out.msg_id) is not out:
            continue  # answered meanwhile
        outbox.requeue(out)
        requeued.append(out)
    ids = tuple(out.origin_id for out in requeued if out.request is not None)
    if ids:
        events.append(Resent(ids, reason))
    return requeued


def _fail(session: Session, msg_id: int, error_code: int, events: list[Event]) -> None:
    """The peer refused ``msg_id`` for a reason a re-send cannot fix: fail its requests."""
    outbox = session._outbox
    for out in outbox.take_sent(msg_id):
        if out.request is not None and outbox.pending.pop(out.msg_id, None) is out:
            _failed(session, out, BadMessageError(error_code, out.msg_id), events)


# --- answers: to the driver's sink, or as events -----------------------------------


def _answered(session: Session, out: Outgoing, value: object, events: list[Event]) -> None:
    sink = session._on_answer
    if sink is not None:
        sink(out.origin_id, value, None)
    else:
        events.append(Result(out.origin_id, out.request, value))


def _failed(session: Session, out: Outgoing, error: TLError, events: list[Event]) -> None:
    sink = session._on_answer
    if sink is not None:
        sink(out.origin_id, None, error)
    elif isinstance(error, RPCError):
        events.append(RPCErrorEvent(out.origin_id, out.request, error))
    else:
        events.append(RequestFailed(out.origin_id, out.request, error))


# --- client side -----------------------------------------------------------------


def _on_rpc_result(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    req_msg_id, result = wire.split_rpc_result(body)
    out = session._outbox.pending.pop(req_msg_id, None)
    if out is None:
        return  # an answer we no longer wait for (already answered, or dropped)
    session._outbox.recent.pop(req_msg_id, None)
    try:
        if wire.constructor_of(result) == wire.GZIP_PACKED:
            result = wire.gunzip_packed(result)
        if wire.constructor_of(result) == wire.RPC_ERROR:
            rpc_error = types.RpcError.from_bytes(result)
            error = RPCError.from_rpc_error(rpc_error.error_code, rpc_error.error_message, out.request)
            _failed(session, out, error, events)
        elif session._on_answer is not None:  # _answered, inlined on the hot path
            session._on_answer(out.origin_id, _read_result(out.request, result), None)
        else:
            _answered(session, out, _read_result(out.request, result), events)
    except DecodeError as exc:
        _failed(session, out, exc, events)


def _on_pong(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    # The constructor id is known (the table routed us here): a well-sized
    # body is read by the generated field reader directly, anything else goes
    # through from_bytes, which raises the precise DecodeError.
    pong = _read_pong(body, 4)[0] if len(body) == _PONG_SIZE else types.Pong.from_bytes(body)
    pending = session._outbox.pending
    out = pending.get(pong.msg_id)
    if out is None or type(out.request) not in _PINGS:
        return
    del pending[pong.msg_id]
    session._outbox.recent.pop(pong.msg_id, None)
    sink = session._on_answer
    if sink is not None:  # _answered, inlined on the hot path
        sink(out.origin_id, pong, None)
    else:
        events.append(Result(out.origin_id, out.request, pong))


def _on_future_salts(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    salts = types.FutureSalts.from_bytes(body)
    out = session._outbox.pending.pop(salts.req_msg_id, None)
    if out is not None:
        _answered(session, out, salts, events)


def _on_bad_server_salt(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    notice = types.BadServerSalt.from_bytes(body)
    bad_msg_id, new_salt = notice.bad_msg_id, notice.new_server_salt
    session.server_salt = new_salt
    events.append(SaltUpdated(new_salt))
    _requeue(session, bad_msg_id, "bad_server_salt", events)


def _on_bad_msg_notification(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    notice = types.BadMsgNotification.from_bytes(body)
    bad_msg_id, bad_seqno, code = notice.bad_msg_id, notice.bad_msg_seqno, notice.error_code
    if code in (16, 17):
        # The notice's own msg_id carries the server's clock.
        events.append(TimeSynced(session._ids.resync(msg_id)))
        _requeue(session, bad_msg_id, f"msg_id too {'low' if code == 16 else 'high'}", events)
    elif code == 32:
        # The server saw a higher seq_no from us already: number past everything we sent.
        session._outbox.skip_seqno_past(max(session._outbox.max_seqno_sent, bad_seqno))
        _requeue(session, bad_msg_id, "msg_seqno too low", events)
    elif code == 33:
        # A later msg_id carried a lower seq_no; a fresh (highest) msg_id with the next seq_no fixes it.
        _requeue(session, bad_msg_id, "msg_seqno too high", events)
    elif code == 48:
        _requeue(session, bad_msg_id, "bad server salt", events)
    else:
        _fail(session, bad_msg_id, code, events)


def _on_new_session_created(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    created = types.NewSessionCreated.from_bytes(body)
    first_msg_id, unique_id, salt = created.first_msg_id, created.unique_id, created.server_salt
    session.server_salt = salt
    events.append(NewSession(first_msg_id, unique_id, salt))
    events.append(SaltUpdated(salt))
    session._new_session_first_id = first_msg_id


def _on_detailed_info(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    info: types.MsgDetailedInfo | types.MsgNewDetailedInfo
    if wire.constructor_of(body) == types.MsgDetailedInfo.CONSTRUCTOR_ID:
        info = types.MsgDetailedInfo.from_bytes(body)
    else:
        info = types.MsgNewDetailedInfo.from_bytes(body)
    answer_msg_id = info.answer_msg_id
    if answer_msg_id in session._seen:
        session._outbox.ack(answer_msg_id)
    else:
        resend = types.MsgResendReq(msg_ids=[answer_msg_id])._bytes()
        session._outbox.enqueue(resend, content_related=True)


def _on_update(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    events.append(Update(_deserialize(body), msg_id))


# --- both sides ----------------------------------------------------------------


def _on_msgs_ack(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    for acked in types.MsgsAck.from_bytes(body).msg_ids:
        out = session._outbox.find_sent(acked)
        if out is None:
            continue
        out.acked = True
        if out.answers is not None:
            # The client has our answer: it will not ask for it again.
            session._answer_of.pop(out.answers, None)
            session._outbox.recent.pop(acked, None)


def _on_msgs_state_req(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    seen = session._seen
    states = bytearray()
    for asked in types.MsgsStateReq.from_bytes(body).msg_ids:
        if asked in seen:
            states.append(4)  # received
        elif seen.highest is None or asked > seen.highest:
            states.append(3)  # not received, id too high
        elif seen.lowest is not None and asked < seen.lowest:
            states.append(1)  # nothing known, id too low
        else:
            states.append(2)  # not received, id in the remembered range
    # Status bytes are 1..4 here, so the TL ``string`` field carries them as ASCII.
    reply = types.MsgsStateInfo(req_msg_id=msg_id, info=states.decode("ascii"))._bytes()
    session._outbox.enqueue(reply, content_related=False, response=True)


def _on_msg_resend_req(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    for wanted in types.MsgResendReq.from_bytes(body).msg_ids:
        _requeue(session, wanted, "msg_resend_req", events)


def _ignore(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    """Informational service messages we have nothing to do with (and must not surface as updates)."""


# --- server side -----------------------------------------------------------------


def _on_ping(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    # The hot path of a ping-bound peer: the 12-byte layout is read and the
    # pong packed by one struct each; anything else goes through the generated
    # reader, which raises the precise DecodeError.
    if len(body) != _PING_SIZE:
        functions.Ping.from_bytes(body)
    session._queue_answer(msg_id, _pack_pong(_PONG_ID, msg_id, _unpack_long(body, 4)[0]))


def _on_ping_delay_disconnect(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    ping = functions.PingDelayDisconnect.from_bytes(body)
    session._queue_answer(msg_id, types.Pong(msg_id=msg_id, ping_id=ping.ping_id)._bytes())
    events.append(DisconnectDelay(msg_id, ping.disconnect_delay))


def _on_get_future_salts(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    functions.GetFutureSalts.from_bytes(body)
    now = int(session._ids.server_time())
    # This session knows one salt; promising others it would refuse would be a lie.
    salt = types.FutureSalt(valid_since=now - 60, valid_until=now + 3600, salt=session.server_salt)
    reply = types.FutureSalts(req_msg_id=msg_id, now=now, salts=[salt])._bytes()
    session._queue_answer(msg_id, reply)


def _on_rpc_drop_answer(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    dropped = functions.RpcDropAnswer.from_bytes(body).req_msg_id
    answer: types.RpcAnswerDroppedRunning | types.RpcAnswerUnknown
    if dropped in session._unanswered_requests:
        session._unanswered_requests.discard(dropped)
        answer = types.RpcAnswerDroppedRunning()
    else:
        answer = types.RpcAnswerUnknown()
    session._queue_answer(msg_id, wire.pack_rpc_result(msg_id, answer._bytes()))


def _on_msg_resend_ans_req(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    for request_id in types.MsgResendAnsReq.from_bytes(body).msg_ids:
        out = session._answer_of.get(request_id)
        if out is not None:
            session._outbox.requeue(out)


def _on_request(session: Session, msg_id: int, body: bytes, events: list[Event]) -> None:
    obj = _deserialize(body)
    wrappers = []
    while getattr(type(obj), "TL_NAME", None) in QUERY_WRAPPERS:
        wrappers.append(obj)
        obj = getattr(obj, "query")
    unanswered = session._unanswered_requests
    if len(unanswered) >= _MAX_TRACKED_REQUESTS:
        unanswered.discard(min(unanswered))  # a driver that never answers must not grow this forever
    unanswered.add(msg_id)
    events.append(Request(msg_id, obj, tuple(wrappers)))


_BOTH: Mapping[int, Handler] = {
    types.MsgsAck.CONSTRUCTOR_ID: _on_msgs_ack,
    types.MsgsStateReq.CONSTRUCTOR_ID: _on_msgs_state_req,
    types.MsgResendReq.CONSTRUCTOR_ID: _on_msg_resend_req,
    types.MsgsStateInfo.CONSTRUCTOR_ID: _ignore,
    types.MsgsAllInfo.CONSTRUCTOR_ID: _ignore,
    types.HttpWait.CONSTRUCTOR_ID: _ignore,
}

CLIENT_HANDLERS: Mapping[int, Handler] = {
    **_BOTH,
    wire.RPC_RESULT: _on_rpc_result,
    types.Pong.CONSTRUCTOR_ID: _on_pong,
    types.FutureSalts.CONSTRUCTOR_ID: _on_future_salts,
    types.BadServerSalt.CONSTRUCTOR_ID: _on_bad_server_salt,
    types.BadMsgNotification.CONSTRUCTOR_ID: _on_bad_msg_notification,
    types.NewSessionCreated.CONSTRUCTOR_ID: _on_new_session_created,
    types.MsgDetailedInfo.CONSTRUCTOR_ID: _on_detailed_info,
    types.MsgNewDetailedInfo.CONSTRUCTOR_ID: _on_detailed_info,
}

SERVER_HANDLERS: Mapping[int, Handler] = {
    **_BOTH,
    functions.Ping.CONSTRUCTOR_ID: _on_ping,
    functions.PingDelayDisconnect.CONSTRUCTOR_ID: _on_ping_delay_disconnect,
    functions.GetFutureSalts.CONSTRUCTOR_ID: _on_get_future_salts,
    functions.RpcDropAnswer.CONSTRUCTOR_ID: _on_rpc_drop_answer,
    types.MsgResendAnsReq.CONSTRUCTOR_ID: _on_msg_resend_ans_req,
}
