"""The server's session engine: client requests in (unwrapped once), answers out for their msg_id.

A server raises on forgeries (key, msg_key, lengths, padding, container
framing, replayed packets) but answers an authentic client message with a bad
msg_id (18, 16/17), a bad salt (48) or a seq_no out of order (32/33, 34) with
the ``bad_msg_notification`` the client needs to recover, reported as
:class:`BadMessageNotified`.  It adopts the client's session_id and announces
each new one with ``new_session_created``; it answers ``ping``,
``ping_delay_disconnect``, ``get_future_salts``, ``rpc_drop_answer``,
``msgs_state_req`` and resend requests itself, and hands every other request
to its driver as :class:`Request`, with ``invokeWithLayer``/``initConnection``
and the other ``invoke*`` wrappers unwrapped here, once.

Exactly-once: every answer is remembered until the client acknowledges it
(``answer_memory`` of them at most, newest kept) under the msg_id of the
request it answers; a client never sends a request again once it holds the
answer.  A request that arrives
again under that msg_id (the client re-sends what it has no answer for after a
reconnect) is answered from memory, and one still running is not started
again.  Answers the client has not acknowledged go out again when the session
is carried by a new connection (:meth:`ServerSession.resend_unacknowledged`).
"""

from __future__ import annotations

import itertools
import logging
import struct
from typing import ClassVar, Mapping

from ..crypto import message as crypto
from ..errors import DecodeError
from ..tl import functions, types
from ..tlobject import deserialize
from . import wire
from .engine import Checked, SessionEngine, boxed, log
from .events import BadMessageNotified, DisconnectDelay, Event, Request, UndecodableMessage
from .msgid import time_problem
from .outbox import Outgoing

__all__ = ["ServerSession", "QUERY_WRAPPERS", "DEFAULT_ANSWER_MEMORY"]

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

#: Answers remembered per session (between this many and twice as many) to answer repeats from memory.
DEFAULT_ANSWER_MEMORY = 16384

#: Never content-related, so a client sending them with an odd seq_no is refused with code 34.
_NEVER_CONTENT_FROM_CLIENT = frozenset({types.MsgsAck.CONSTRUCTOR_ID, wire.MSG_CONTAINER})
_unpack_u32 = struct.Struct("<I").unpack_from
_unpack_long = struct.Struct("<q").unpack_from
#: ``pong#347773c5 msg_id:long ping_id:long``, packed in one call (checked against types.Pong in tests).
_pack_pong = struct.Struct("<Iqq").pack
_PONG_ID = types.Pong.CONSTRUCTOR_ID
#: ``ping#7abe77ec ping_id:long``: constructor id + one long.
_PING_SIZE = 12

# msgs_state_info status bits (service_messages_about_messages).
_STATE_ACKED = 8
_STATE_RPC_SEEN = 32
_STATE_ANSWERED = 64


class ServerSession(SessionEngine):
    """The server role of one (auth key, session_id)."""

    X_OUT = crypto.SERVER_TO_CLIENT
    X_IN = crypto.CLIENT_TO_SERVER
    SIDE = "server"
    LAZY_ACKS = False
    HANDLERS: ClassVar[Mapping[int, str]] = {
        **SessionEngine.HANDLERS,
        functions.Ping.CONSTRUCTOR_ID: "_on_ping",
        functions.PingDelayDisconnect.CONSTRUCTOR_ID: "_on_ping_delay_disconnect",
        functions.GetFutureSalts.CONSTRUCTOR_ID: "_on_get_future_salts",
        functions.RpcDropAnswer.CONSTRUCTOR_ID: "_on_rpc_drop_answer",
        types.MsgResendAnsReq.CONSTRUCTOR_ID: "_on_msg_resend_ans_req",
    }

    def __init__(self, auth_key: bytes, *, answer_memory: int = DEFAULT_ANSWER_MEMORY, **options: object) -> None:
        if answer_memory < 1:
            raise ValueError(f"answer_memory must be positive, got {answer_memory}")
        super().__init__(auth_key, **options)  # type: ignore[arg-type]
        self.answer_memory = answer_memory
        self._answer_limit = 2 * answer_memory
        self._announced_session: int | None = None
        self._last_content_in: tuple[int, int] | None = None
        #: request msg_id -> its answer, until the client acknowledges it.
        self._answer_of: dict[int, Outgoing] = {}
        #: wire msg_id of an answer not yet acknowledged -> the answer.
        self._unacked: dict[int, Outgoing] = {}
        #: Requests handed to the driver and not answered yet (a repeat of one is not run again).
        self._running: dict[int, None] = {}

    # --- answers --------------------------------------------------------------

    def send_result(self, req_msg_id: int, result: object) -> int:
        """Queue ``rpc_result`` answering the client message ``req_msg_id``; returns its msg_id.

        ``result`` is a TL object (or its boxed ``bytes``); a large result is
        gzip-packed inside the ``rpc_result`` when that is smaller.
        """
        payload = wire.gzip_if_smaller(boxed(result))
        return self._queue_answer(req_msg_id, wire.pack_rpc_result(req_msg_id, payload))

    def send_error(self, req_msg_id: int, code: int, message: str) -> int:
        """Queue ``rpc_result`` carrying ``rpc_error`` for ``req_msg_id``."""
        error = types.RpcError(error_code=code, error_message=message)._bytes()
        return self._queue_answer(req_msg_id, wire.pack_rpc_result(req_msg_id, error))

    def send_update(self, obj: object) -> int:
        """Queue a server-initiated object (an update); returns its msg_id."""
        out = self._outbox.enqueue(wire.gzip_if_smaller(boxed(obj)), content_related=True)
        return out.origin_id

    def send_bad_msg_notification(self, bad_msg_id: int, bad_msg_seqno: int, error_code: int) -> int:
        """Queue ``bad_msg_notification`` refusing a client message (48 sends ``bad_server_salt``)."""
        notice: types.BadServerSalt | types.BadMsgNotification
        if error_code == 48:
            notice = types.BadServerSalt(
                bad_msg_id=bad_msg_id, bad_msg_seqno=bad_msg_seqno, error_code=48,
                new_server_salt=self.server_salt,
            )
        else:
            notice = types.BadMsgNotification(
                bad_msg_id=bad_msg_id, bad_msg_seqno=bad_msg_seqno, error_code=error_code
            )
        self._running.pop(bad_msg_id, None)
        return self._outbox.enqueue(notice._bytes(), content_related=False, response=True).origin_id

    def is_running(self, req_msg_id: int) -> bool:
        """Whether ``req_msg_id`` was handed to the driver and has no answer yet."""
        return req_msg_id in self._running

    def answer_of(self, req_msg_id: int) -> int | None:
        """The msg_id of the remembered answer to ``req_msg_id`` (None: none remembered)."""
        out = self._answer_of.get(req_msg_id)
        return None if out is None else out.msg_id

    def unacknowledged_answers(self) -> int:
        """Answers sent (or queued) that the client has not acknowledged yet."""
        return len(self._unacked)

    def resend_unacknowledged(self) -> int:
        """The session is carried by a new connection: queue every unacknowledged answer again.

        The client may have lost them with the old connection.  They go out
        under new msg_ids (an answer is matched by the request id inside it).
        Returns how many were queued.
        """
        outbox = self._outbox
        queued = set(map(id, outbox.queue))
        unacked = list(self._unacked.values())
        self._unacked = {}
        count = 0
        for out in unacked:
            if id(out) not in queued:
                outbox.requeue(out)
                count += 1
            self._unacked[out.msg_id] = out
        return count

    def _queue_answer(self, req_msg_id: int, body: bytes) -> int:
        outbox = self._outbox
        out = outbox.enqueue(body, content_related=True, response=True, answers=req_msg_id)
        outbox.discard_ack(req_msg_id)  # the answer acknowledges the request
        self._running.pop(req_msg_id, None)
        self._unacked[out.msg_id] = out
        answer_of = self._answer_of
        answer_of[req_msg_id] = out
        if len(answer_of) > self._answer_limit:
            # Trimmed in bulk, keeping the newest: deleting the oldest key one at a
            # time made ``next(iter(dict))`` walk every deleted slot before it, an
            # O(n) scan per answer that dominated the server's cost per ping.
            keep = len(answer_of) - self.answer_memory
            self._answer_of = dict(itertools.islice(answer_of.items(), keep, None))
            self._unacked = dict(itertools.islice(self._unacked.items(), max(0, len(self._unacked) - self.answer_memory), None))
        return out.origin_id

    # --- checks ---------------------------------------------------------------

    def _check_session_id(self, plain: wire.PlainMessage) -> bool:
        return plain.session_id != self.session_id

    def _is_repeat(self, msg_id: int) -> bool:
        # Below the replay window, an id the answer memory does not know is a
        # request we never received (many calls in flight), not a repeat.
        return msg_id in self._answer_of or msg_id in self._running or msg_id in self._seen

    def _check_ids(
        self, plain: wire.PlainMessage, messages: tuple[wire.InnerMessage, ...], every_id: list[int]
    ) -> tuple[tuple[int, int, int], ...]:
        """Client messages with a bad msg_id are refused with a notice, not an exception."""
        now = self._ids.server_time()  # one clock reading per payload
        # The usual case in one pass: every id divisible by 4, and the lowest and
        # highest (the time check is monotonic in the id) inside the window.
        low_bits = 0
        for msg_id in every_id:
            low_bits |= msg_id
        if not low_bits & 3 and (
            time_problem(min(every_id), now) is None and time_problem(max(every_id), now) is None
        ):
            return ()
        refused = []
        outer_problem = _parity_problem(plain.msg_id) or time_problem(plain.msg_id, now)
        if outer_problem is not None:
            return ((plain.msg_id, plain.seqno, outer_problem),)
        for message in messages:
            if message.msg_id == plain.msg_id:
                continue
            problem = _parity_problem(message.msg_id) or time_problem(message.msg_id, now)
            if problem is not None:
                refused.append((message.msg_id, message.seqno, problem))
        return tuple(refused)

    # --- commit -----------------------------------------------------------------

    def _commit(self, checked: Checked) -> list[Event]:
        """Phase two: record, acknowledge, dispatch."""
        if log.isEnabledFor(logging.DEBUG):
            self._log_received(checked)
        events: list[Event] = []
        plain = checked.plain
        if checked.new_session:
            self._adopt_session(plain.session_id, min(m.msg_id for m in checked.messages))
        refused_ids = {msg_id for msg_id, _, _ in checked.refused}
        if plain.msg_id in refused_ids or plain.salt != self.server_salt:
            # Nothing inside runs: only the outer id is recorded, so the client may
            # send the entries again (under new ids, or these) without them being
            # taken for repeats.
            self._seen.add_all([plain.msg_id])
            if plain.msg_id in refused_ids:
                self._refuse(checked.refused, events)
            else:
                self.send_bad_msg_notification(plain.msg_id, plain.seqno, 48)
                events.append(BadMessageNotified(plain.msg_id, 48))
            return events
        self._seen.add_all(checked.every_id)
        self._refuse(checked.refused, events)
        # This loop runs once per received message (100 per container at 100
        # calls in flight): the constructor id is read once and serves the
        # seq_no check and the handler table; only what the table does not
        # know (gzip_packed, requests) takes the generic dispatch.
        acks = self._outbox.acks
        handlers = self._handlers
        repeats = checked.repeats
        for msg_id, seqno, body in checked.messages:
            if refused_ids and msg_id in refused_ids:
                continue
            if repeats and msg_id in repeats:
                if seqno & 1:
                    acks[msg_id] = None
                self._on_repeat(msg_id, events)
                continue
            constructor = _unpack_u32(body, 0)[0] if len(body) >= 4 else 0
            if seqno & 1:
                code = self._seqno_problem(msg_id, seqno, constructor)
                if code is not None:
                    self.send_bad_msg_notification(msg_id, seqno, code)
                    events.append(BadMessageNotified(msg_id, code))
                    continue
                acks[msg_id] = None  # Outbox.ack, inlined
            handler = handlers.get(constructor)
            if handler is None:
                self._dispatch(msg_id, body, events)
                continue
            try:
                handler(msg_id, body, events)
            except DecodeError as exc:
                events.append(UndecodableMessage(msg_id, body, exc))
        return events

    def _on_repeat(self, msg_id: int, events: list[Event]) -> None:
        """A request sent again: its remembered answer goes out again; a running one is left to finish."""
        answer = self._answer_of.get(msg_id)
        if answer is not None and answer not in self._outbox.queue:
            self._unacked.pop(answer.msg_id, None)
            self._outbox.requeue(answer)
            self._unacked[answer.msg_id] = answer

    def _refuse(self, refused: tuple[tuple[int, int, int], ...], events: list[Event]) -> None:
        for msg_id, seqno, code in refused:
            self.send_bad_msg_notification(msg_id, seqno, code)
            events.append(BadMessageNotified(msg_id, code))

    def _seqno_problem(self, msg_id: int, seqno: int, constructor: int) -> int | None:
        """32/33 for a seq_no out of order with msg_ids, 34 for an odd service seq_no."""
        if constructor in _NEVER_CONTENT_FROM_CLIENT:
            return 34
        last = self._last_content_in
        if last is not None:
            last_id, last_seqno = last
            if msg_id > last_id:
                if seqno <= last_seqno:
                    return 32
            elif msg_id < last_id and seqno >= last_seqno:
                return 33
            else:
                return None
        self._last_content_in = (msg_id, seqno)
        return None

    def _adopt_session(self, session_id: int, first_msg_id: int) -> None:
        """The client opened a new session; announce it once with ``new_session_created``."""
        self.session_id = session_id
        self._last_content_in = None
        if self._announced_session != session_id:
            self._announced_session = session_id
            log.info("new session %d (first msg_id %d)", session_id, first_msg_id)
            created = types.NewSessionCreated(
                first_msg_id=first_msg_id, unique_id=self._random_long(), server_salt=self.server_salt
            )
            self._outbox.enqueue(created._bytes(), content_related=True)

    # --- service messages -------------------------------------------------------

    def _on_msgs_ack(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        unacked = self._unacked
        recent = self._outbox.recent
        answer_of = self._answer_of
        for acked in types.MsgsAck.from_bytes(body).msg_ids:
            out = unacked.pop(acked, None)
            if out is None:
                out = recent.get(acked)
            else:
                # The client has our answer, so it will never send that request again: the
                # answer leaves the memory (which then holds only what may still be asked for).
                recent.pop(acked, None)
                if out.answers is not None:
                    answer_of.pop(out.answers, None)
            if out is not None:
                out.acked = True

    def _msg_state(self, msg_id: int) -> int:
        state = super()._msg_state(msg_id)
        answer = self._answer_of.get(msg_id)
        if answer is not None:
            state = 4 | _STATE_RPC_SEEN | _STATE_ANSWERED | (_STATE_ACKED if answer.acked else 0)
        elif msg_id in self._running:
            state = 4 | _STATE_RPC_SEEN
        return state

    def _on_ping(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        # The hot path of a ping-bound peer: the 12-byte layout is read and the
        # pong packed by one struct each; anything else goes through the generated
        # reader, which raises the precise DecodeError.
        if len(body) != _PING_SIZE:
            functions.Ping.from_bytes(body)
        self._queue_answer(msg_id, _pack_pong(_PONG_ID, msg_id, _unpack_long(body, 4)[0]))

    def _on_ping_delay_disconnect(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        ping = functions.PingDelayDisconnect.from_bytes(body)
        self._queue_answer(msg_id, types.Pong(msg_id=msg_id, ping_id=ping.ping_id)._bytes())
        events.append(DisconnectDelay(msg_id, ping.disconnect_delay))

    def _on_get_future_salts(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        functions.GetFutureSalts.from_bytes(body)
        now = int(self._ids.server_time())
        # This session knows one salt; promising others it would refuse would be a lie.
        salt = types.FutureSalt(valid_since=now - 60, valid_until=now + 3600, salt=self.server_salt)
        reply = types.FutureSalts(req_msg_id=msg_id, now=now, salts=[salt])._bytes()
        self._queue_answer(msg_id, reply)

    def _on_rpc_drop_answer(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        dropped = functions.RpcDropAnswer.from_bytes(body).req_msg_id
        answer: types.RpcAnswerDroppedRunning | types.RpcAnswerUnknown
        if self._running.pop(dropped, 0) is None:
            answer = types.RpcAnswerDroppedRunning()
        else:
            answer = types.RpcAnswerUnknown()
        self._queue_answer(msg_id, wire.pack_rpc_result(msg_id, answer._bytes()))

    def _on_msg_resend_ans_req(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        for request_id in types.MsgResendAnsReq.from_bytes(body).msg_ids:
            self._on_repeat(request_id, events)

    def _on_other(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        """A request for the driver: ``invoke*`` wrappers are unwrapped here, once."""
        obj = deserialize(body)
        wrappers = []
        while getattr(type(obj), "TL_NAME", None) in QUERY_WRAPPERS:
            wrappers.append(obj)
            obj = getattr(obj, "query")
        running = self._running
        if len(running) >= self.answer_memory:
            del running[next(iter(running))]  # a driver that never answers must not grow this forever
        running[msg_id] = None
        events.append(Request(msg_id, obj, tuple(wrappers)))


def _parity_problem(client_msg_id: int) -> int | None:
    """18 when a client msg_id is not divisible by 4."""
    return 18 if client_msg_id % 4 else None
