"""The client's session engine: send a request, get its msg_id; results come back for that id.

Exactly-once across connections (/mtproto/service_messages_about_messages):
the session outlives its TCP connection.  After a reconnect the driver calls
:meth:`ClientSession.new_connection`; every request still without an answer
goes out again under the msg_id (and seq_no) it was first sent with, inside a
new container, so a server that already ran it answers from memory instead of
running it again.  Only when the server announces a *new* session
(``new_session_created`` naming a session it did not know) can a request sent
before have run in the forgotten one: those requests are reported in one
:class:`~.events.SessionReset` event and handled as the ``on_session_reset``
policy says (``"raise"``: they fail with :class:`SessionResetError`;
``"resend"``: they go out again under new msg_ids, at least once).

The client raises on every failed check, except that an authenticated
``bad_msg_notification`` 16/17 about a message it really sent passes the time
window (that notice is how a skewed clock learns the server time).
"""

from __future__ import annotations

import logging
import struct
from typing import Callable, ClassVar, Literal, Mapping

from ..crypto import message as crypto
from ..errors import BadMessageError, DecodeError, RPCError, SessionCheckError, SessionResetError, TLError, TrailingBytesError
from ..tl import functions, types
from ..tlobject import deserialize
from . import wire
from .engine import Checked, SessionEngine, boxed, log, sorted_by_origin
from .events import (
    AnswerSink,
    Event,
    NewSession,
    RequestFailed,
    Resent,
    Result,
    RPCErrorEvent,
    SaltUpdated,
    SessionReset,
    TimeSynced,
    UndecodableMessage,
    Update,
)
from .msgid import msg_id_time, time_problem
from .outbox import Outgoing

__all__ = ["ClientSession", "SessionResetPolicy", "MTPROTO_FUNCTIONS", "is_mtproto_function"]

SessionResetPolicy = Literal["raise", "resend"]

_BAD_MSG_NOTIFICATION = types.BadMsgNotification.CONSTRUCTOR_ID
_PINGS = frozenset({functions.Ping, functions.PingDelayDisconnect})
_unpack_u32 = struct.Struct("<I").unpack_from
#: ``pong#347773c5 msg_id:long ping_id:long``: constructor id + two longs.
_PONG_SIZE = 20
_read_pong = types.Pong._read

#: MTProto-level functions (``mtproto.tl``): never wrapped in ``initConnection``, which is for API calls.
MTPROTO_FUNCTIONS = frozenset(
    {
        "ping",
        "ping_delay_disconnect",
        "get_future_salts",
        "rpc_drop_answer",
        "destroy_session",
        "destroy_auth_key",
        "req_pq",
        "req_pq_multi",
        "req_DH_params",
        "set_client_DH_params",
    }
)


#: Stands in for a request while :meth:`ClientSession.send_knowing_msg_id` builds it.
_BUILDING = object()


def is_mtproto_function(request: object) -> bool:
    return getattr(type(request), "TL_NAME", None) in MTPROTO_FUNCTIONS


def _read_result(request: object, result: bytes) -> object:
    """Read ``result`` with the request's own result type (falls back to a generic boxed read)."""
    read_result = getattr(request, "read_result", None)
    if read_result is None:
        return deserialize(result)
    value, end = read_result(result, 0)
    if end != len(result):
        raise TrailingBytesError(f"{len(result) - end} bytes left after the result", offset=end)
    return value


class ClientSession(SessionEngine):
    """The client role.  With ``on_answer`` (an :data:`~.events.AnswerSink`), results and
    failures go to that callable as they are read instead of being returned as events."""

    X_OUT = crypto.CLIENT_TO_SERVER
    X_IN = crypto.SERVER_TO_CLIENT
    SIDE = "client"
    LAZY_ACKS = True
    HANDLERS: ClassVar[Mapping[int, str]] = {
        **SessionEngine.HANDLERS,
        wire.RPC_RESULT: "_on_rpc_result",
        types.Pong.CONSTRUCTOR_ID: "_on_pong",
        types.FutureSalts.CONSTRUCTOR_ID: "_on_future_salts",
        types.BadServerSalt.CONSTRUCTOR_ID: "_on_bad_server_salt",
        types.BadMsgNotification.CONSTRUCTOR_ID: "_on_bad_msg_notification",
        types.NewSessionCreated.CONSTRUCTOR_ID: "_on_new_session_created",
        types.MsgDetailedInfo.CONSTRUCTOR_ID: "_on_detailed_info",
        types.MsgNewDetailedInfo.CONSTRUCTOR_ID: "_on_detailed_info",
    }

    def __init__(
        self,
        auth_key: bytes,
        *,
        init_connection: Callable[[object], object] | None = None,
        on_answer: AnswerSink | None = None,
        on_session_reset: SessionResetPolicy = "resend",
        **options: object,
    ) -> None:
        if on_session_reset not in ("raise", "resend"):
            raise ValueError(f"on_session_reset must be 'raise' or 'resend', got {on_session_reset!r}")
        super().__init__(auth_key, **options)  # type: ignore[arg-type]
        if self.session_id is None:
            self.session_id = self._random_long()
        self._init_connection = init_connection
        self._on_answer = on_answer
        self.on_session_reset: SessionResetPolicy = on_session_reset
        self._connection_initialized = False
        #: Set by ``new_session_created`` until the payload is fully dispatched.
        self._new_session_first_id: int | None = None

    # --- requests -------------------------------------------------------------

    def send(self, request: object) -> int:
        """Queue ``request`` (a :mod:`tlruntime.tl.functions` object); returns its msg_id.

        The first request of each connection goes out wrapped by
        ``init_connection`` (``invokeWithLayer(initConnection(...))``).  The
        returned id identifies the request in every later event, even if the
        request is re-sent under another wire id.
        """
        out = self._outbox.enqueue(self._request_body(request), content_related=True, request=request)
        return out.origin_id

    def send_knowing_msg_id(self, build: Callable[[int], object]) -> int:
        """Queue the request ``build(msg_id)`` makes for its own msg_id; returns that msg_id.

        For a request whose body must name the msg_id it travels under
        (``auth.bindTempAuthKey``: the binding message inside repeats it).  It
        is never wrapped in ``init_connection`` (/api/pfs: the binding comes
        first, ``initConnection`` after it), so the next API call still is.
        If the server makes us re-send it under a new msg_id (a bad salt or
        clock), its body no longer matches: the caller builds it again.
        """
        out = self._outbox.enqueue(b"", content_related=True, request=_BUILDING)
        request = build(out.msg_id)
        out.request = request
        out.body = boxed(request)
        return out.origin_id

    def ping(self, ping_id: int) -> int:
        """Queue ``ping``; the ``pong`` arrives as a :class:`Result` for the returned msg_id."""
        request = functions.Ping(ping_id=ping_id)
        out = self._outbox.enqueue(bytes(request), content_related=True, request=request)
        return out.origin_id

    def unanswered(self) -> list[object]:
        """Requests that have no result yet, oldest first."""
        return [out.request for out in self._pending_in_order()]

    def new_connection(self) -> list[int]:
        """The transport changed: re-send every unanswered request under the msg_id it was sent with.

        The session (and its id) carries on.  A request the server already
        received is answered from the server's memory, not run again; the next
        new request is wrapped in ``init_connection`` for the new connection.
        Returns the ids (as ``send`` returned them) of the re-queued requests.
        """
        self._connection_initialized = False
        outbox = self._outbox
        outbox.epoch += 1
        queued = set(map(id, outbox.queue))
        resent = []
        for out in self._pending_in_order():
            if id(out) not in queued and out.first_epoch >= 0:  # sent before: same msg_id, new container
                out.repeat = True
                outbox.queue.append(out)
            resent.append(out.origin_id)
        return resent

    def _request_body(self, request: object) -> bytes:
        """Serialize a request, wrapping the connection's first API call in ``init_connection``."""
        wrapped = request
        if (
            self._init_connection is not None
            and not self._connection_initialized
            and not is_mtproto_function(request)
        ):
            wrapped = self._init_connection(request)
            self._connection_initialized = True
        body = boxed(wrapped)
        return body if len(body) <= wire.GZIP_THRESHOLD else wire.gzip_if_smaller(body)

    def _pending_in_order(self) -> list[Outgoing]:
        return sorted_by_origin(list(self._outbox.pending.values()))

    # --- checks -----------------------------------------------------------------

    def _check_session_id(self, plain: wire.PlainMessage) -> bool:
        if plain.session_id != self.session_id:
            raise SessionCheckError(
                "session_id",
                f"message for session {plain.session_id}, ours is {self.session_id}",
                msg_id=plain.msg_id,
            )
        return False

    def _check_ids(
        self, plain: wire.PlainMessage, messages: tuple[wire.InnerMessage, ...], every_id: list[int]
    ) -> tuple[tuple[int, int, int], ...]:
        """Server msg_ids are odd and inside the time window (or the payload is refused)."""
        # The usual case in one pass: every id odd (the AND of all ids keeps bit 0
        # only then), and the lowest and highest id (the time check is monotonic
        # in the id) inside the window.
        all_bits = -1
        for msg_id in every_id:
            all_bits &= msg_id
        if not all_bits & 1:
            for msg_id in every_id:
                if msg_id % 2 != 1:
                    raise SessionCheckError("msg_id_parity", f"server msg_id {msg_id} is even", msg_id=msg_id)
        now = self._ids.server_time()  # one clock reading per payload
        if time_problem(min(every_id), now) is None and time_problem(max(every_id), now) is None:
            return ()
        for msg_id in every_id:
            problem = time_problem(msg_id, now)
            if problem is None:
                continue
            # Our clock is off: the server's own notice is how we learn it, so an
            # authenticated bad_msg_notification 16/17 about a message we really
            # sent is let through to resync the clock.
            if self._carries_resync_notice(messages):
                return ()
            reason = "msg_id_too_old" if problem == 16 else "msg_id_too_new"
            skew = msg_id_time(msg_id) - now
            raise SessionCheckError(
                reason,
                f"msg_id {msg_id} is {skew:+.0f} s from our server time (allowed -300..+30 s)",
                msg_id=msg_id,
            )
        return ()

    def _carries_resync_notice(self, messages: tuple[wire.InnerMessage, ...]) -> bool:
        outbox = self._outbox
        for message in messages:
            if wire.constructor_of(message.body) != _BAD_MSG_NOTIFICATION:
                continue
            try:
                notice = types.BadMsgNotification.from_bytes(message.body)
            except DecodeError:
                continue
            bad_msg_id = notice.bad_msg_id
            known = bad_msg_id in outbox.recent or bad_msg_id in outbox.containers or bad_msg_id in outbox.pending
            if notice.error_code in (16, 17) and known:
                return True
        return False

    # --- commit -------------------------------------------------------------------

    def _commit(self, checked: Checked) -> list[Event]:
        """Phase two: record, acknowledge, dispatch (once per received message: kept lean)."""
        if log.isEnabledFor(logging.DEBUG):
            self._log_received(checked)
        events: list[Event] = []
        self._seen.add_all(checked.every_id)
        acks = self._outbox.acks
        handlers = self._handlers
        repeats = checked.repeats
        for msg_id, seqno, body in checked.messages:
            if seqno & 1:
                acks[msg_id] = None  # Outbox.ack, inlined
            if repeats and msg_id in repeats:
                continue
            constructor = _unpack_u32(body, 0)[0] if len(body) >= 4 else 0
            handler = handlers.get(constructor)
            if handler is None:
                self._dispatch(msg_id, body, events)
                continue
            try:
                handler(msg_id, body, events)
            except DecodeError as exc:
                events.append(UndecodableMessage(msg_id, body, exc))
        if self._new_session_first_id is not None:
            self._after_new_session(events)
        return events

    def _on_other(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        events.append(Update(deserialize(body), msg_id))

    # --- answers ------------------------------------------------------------------

    def _answered(self, out: Outgoing, value: object, events: list[Event]) -> None:
        sink = self._on_answer
        if sink is not None:
            sink(out.origin_id, value, None)
        else:
            events.append(Result(out.origin_id, out.request, value))

    def _failed(self, out: Outgoing, error: TLError, events: list[Event]) -> None:
        sink = self._on_answer
        if sink is not None:
            sink(out.origin_id, None, error)
        elif isinstance(error, RPCError):
            events.append(RPCErrorEvent(out.origin_id, out.request, error))
        else:
            events.append(RequestFailed(out.origin_id, out.request, error))

    def _on_rpc_result(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        req_msg_id, result = wire.split_rpc_result(body)
        outbox = self._outbox
        out = outbox.pending.pop(req_msg_id, None)
        if out is None:
            return  # an answer we no longer wait for (already answered, or dropped)
        outbox.recent.pop(req_msg_id, None)
        try:
            if wire.constructor_of(result) == wire.GZIP_PACKED:
                result = wire.gunzip_packed(result)
            if wire.constructor_of(result) == wire.RPC_ERROR:
                rpc_error = types.RpcError.from_bytes(result)
                error = RPCError.from_rpc_error(rpc_error.error_code, rpc_error.error_message, out.request)
                self._failed(out, error, events)
            elif self._on_answer is not None:  # _answered, inlined on the hot path
                self._on_answer(out.origin_id, _read_result(out.request, result), None)
            else:
                self._answered(out, _read_result(out.request, result), events)
        except DecodeError as exc:
            self._failed(out, exc, events)
        except RecursionError:
            # A hostile nesting depth: this call fails, the session carries on.
            self._failed(out, DecodeError("the result is nested too deeply to decode", offset=0), events)

    def _on_pong(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        # The constructor id is known (the table routed us here): a well-sized
        # body is read by the generated field reader directly, anything else goes
        # through from_bytes, which raises the precise DecodeError.
        pong = _read_pong(body, 4)[0] if len(body) == _PONG_SIZE else types.Pong.from_bytes(body)
        pending = self._outbox.pending
        out = pending.get(pong.msg_id)
        if out is None or type(out.request) not in _PINGS:
            return
        del pending[pong.msg_id]
        self._outbox.recent.pop(pong.msg_id, None)
        sink = self._on_answer
        if sink is not None:  # _answered, inlined on the hot path
            sink(out.origin_id, pong, None)
        else:
            events.append(Result(out.origin_id, out.request, pong))

    def _on_future_salts(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        salts = types.FutureSalts.from_bytes(body)
        out = self._outbox.pending.pop(salts.req_msg_id, None)
        if out is not None:
            self._answered(out, salts, events)

    # --- refusals: the server did not run these, so new msg_ids are safe -----------

    def _requeue(self, msg_id: int, reason: str, events: list[Event]) -> list[Outgoing]:
        """Queue again whatever we sent as ``msg_id`` (a container: each entry) under new ids."""
        outbox = self._outbox
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

    def _fail(self, msg_id: int, error_code: int, events: list[Event]) -> None:
        """The server refused ``msg_id`` for a reason a re-send cannot fix: fail its requests."""
        outbox = self._outbox
        for out in outbox.take_sent(msg_id):
            if out.request is not None and outbox.pending.pop(out.msg_id, None) is out:
                self._failed(out, BadMessageError(error_code, out.msg_id), events)

    def _on_bad_server_salt(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        notice = types.BadServerSalt.from_bytes(body)
        self.server_salt = notice.new_server_salt
        events.append(SaltUpdated(notice.new_server_salt))
        self._requeue(notice.bad_msg_id, "bad_server_salt", events)

    def _on_bad_msg_notification(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        notice = types.BadMsgNotification.from_bytes(body)
        bad_msg_id, bad_seqno, code = notice.bad_msg_id, notice.bad_msg_seqno, notice.error_code
        outbox = self._outbox
        if code in (16, 17):
            # The notice's own msg_id carries the server's clock.
            events.append(TimeSynced(self._ids.resync(msg_id)))
            self._requeue(bad_msg_id, f"msg_id too {'low' if code == 16 else 'high'}", events)
        elif code == 32:
            # The server saw a higher seq_no from us already: number past everything we sent.
            outbox.skip_seqno_past(max(outbox.max_seqno_sent, bad_seqno))
            self._requeue(bad_msg_id, "msg_seqno too low", events)
        elif code == 33:
            # A later msg_id carried a lower seq_no; a fresh (highest) msg_id with the next seq_no fixes it.
            self._requeue(bad_msg_id, "msg_seqno too high", events)
        elif code == 48:
            self._requeue(bad_msg_id, "bad server salt", events)
        else:
            self._fail(bad_msg_id, code, events)

    # --- a new session: the one at-least-once case -----------------------------------

    def _on_new_session_created(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        created = types.NewSessionCreated.from_bytes(body)
        self.server_salt = created.server_salt
        log.info("server created session %d (first msg_id %d)", self.session_id, created.first_msg_id)
        events.append(NewSession(created.first_msg_id, created.unique_id, created.server_salt))
        events.append(SaltUpdated(created.server_salt))
        self._new_session_first_id = created.first_msg_id

    def _after_new_session(self, events: list[Event]) -> None:
        """After ``new_session_created``: requests the forgotten session may have run.

        Runs after the whole payload was dispatched, so answers that arrived in
        the same container are not needlessly re-sent.  A request first sent on
        an earlier connection, or under an id below ``first_msg_id`` (the new
        session ignores those), may have run in the session the server lost.
        """
        first_msg_id = self._new_session_first_id
        self._new_session_first_id = None
        outbox = self._outbox
        affected = [
            out
            for out in self._pending_in_order()
            if out.first_epoch >= 0
            and (out.first_epoch < outbox.epoch or (first_msg_id is not None and out.msg_id < first_msg_id))
        ]
        if affected:
            self.reset_requests(affected, "the server created a new session", events, first_msg_id)

    def reset_requests(
        self, affected: list[Outgoing], reason: str, events: list[Event], first_msg_id: int | None = None
    ) -> None:
        """Apply the ``on_session_reset`` policy to requests that may have run in a lost session.

        ``"resend"``: a request under an id below ``first_msg_id`` is ignored by
        the new session, so it goes out again under a new id; one at or above it
        reaches the new session as it is (re-numbering it would run it twice there).
        """
        outbox = self._outbox
        ids = tuple(out.origin_id for out in affected)
        log.warning("%d unanswered request(s) may have run in a lost session (%s)", len(ids), reason)
        if self.on_session_reset == "raise":
            for out in affected:
                if outbox.pending.pop(out.msg_id, None) is out:
                    if out in outbox.queue:
                        outbox.queue.remove(out)
                    self._failed(out, SessionResetError(reason, out.request), events)
        else:
            lost = [out for out in affected if first_msg_id is None or out.msg_id < first_msg_id]
            for out in lost:
                outbox.requeue(out)
            if lost:
                events.append(Resent(tuple(out.origin_id for out in lost), reason))
        events.append(SessionReset(ids, self.on_session_reset))

    def adopt_requests(self, previous: "ClientSession", *, acked_may_have_run: bool = False) -> list[tuple[int, int]]:
        """Take over ``previous``'s unanswered requests (a new auth key after -404).

        Requests ``previous`` sent only on the connection that got -404 move
        over silently (that server never knew the key); the others may
        have run under the old key and follow the ``on_session_reset`` policy
        (``"raise"``: they are failed through ``previous``'s answer sink).
        With ``acked_may_have_run`` (a temporary key that expired in the middle
        of a connection) a request the server acknowledged reached it under the
        old key, so it follows the policy too.
        Returns ``(old id, new id)`` for every request that moved.
        """
        moved = []
        lost: list[Outgoing] = []
        # What first went out on the connection that got -404 never reached a server knowing the key.
        current = previous._outbox.epoch
        for out in previous._pending_in_order():
            if 0 <= out.first_epoch < current or (acked_may_have_run and out.acked):
                lost.append(out)
                if self.on_session_reset == "raise":
                    continue
            moved.append((out.origin_id, self.send(out.request)))
        if lost:
            events: list[Event] = []
            reason = "the server forgot our auth key"
            if self.on_session_reset == "raise":
                previous.reset_requests(lost, reason, events)
            else:
                log.warning("%d unanswered request(s) may have run under the old auth key", len(lost))
        return moved

    # --- other service messages ------------------------------------------------------

    def _on_detailed_info(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        info: types.MsgDetailedInfo | types.MsgNewDetailedInfo
        if wire.constructor_of(body) == types.MsgDetailedInfo.CONSTRUCTOR_ID:
            info = types.MsgDetailedInfo.from_bytes(body)
        else:
            info = types.MsgNewDetailedInfo.from_bytes(body)
        answer_msg_id = info.answer_msg_id
        if answer_msg_id in self._seen:
            self._outbox.ack(answer_msg_id)
        else:
            resend = types.MsgResendReq(msg_ids=[answer_msg_id])._bytes()
            self._outbox.enqueue(resend, content_related=True)

