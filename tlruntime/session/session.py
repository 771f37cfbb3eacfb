"""The encrypted MTProto session: a sans-IO state machine shared by the client and the server.

Feed it the payloads the transport delivers (:meth:`Session.receive`), get
typed events back; ask it for the payloads to hand to the transport
(:meth:`Session.pending_bytes` / :meth:`Session.outgoing`).  It never touches a
socket, a loop or the system clock: ``clock`` and ``random_bytes`` are
injected, so every packet replays exactly in tests.

Receiving happens in two phases.  Phase one decrypts and runs *every* check
of the security guidelines on the whole payload (auth_key_id, msg_key,
lengths, padding, session_id, msg_id parity, time window, replays, container
framing) without changing any state, so a rejected payload raises
:class:`SessionCheckError` and leaves the session exactly as it was.  Phase
two records the ids, queues acks and dispatches each message through a table
of small handlers keyed by constructor id (:mod:`.handlers`).

The two sides differ where the protocol says they must.  A client raises on
every failed check, except that an authenticated ``bad_msg_notification``
16/17 about a message it really sent passes the time window (that notice is
how a skewed clock learns the server time).  A server raises on forgeries
(key, msg_key, lengths, padding, container framing, replays) but answers an
authentic client message with a bad msg_id (18, 16/17), a bad salt (48) or a
seq_no out of order (32/33, 34) with the ``bad_msg_notification`` the client
needs to recover, reported as :class:`BadMessageNotified`.  A server adopts
the client's session_id and announces each new one with
``new_session_created``; it answers ``ping``, ``ping_delay_disconnect``,
``get_future_salts``, ``rpc_drop_answer``, ``msgs_state_req`` and resend
requests itself and hands every other request to its driver as
:class:`Request`, with ``invokeWithLayer``/``initConnection`` unwrapped.
"""

from __future__ import annotations

import hmac
import itertools
import os
import struct
import time
from dataclasses import dataclass
from typing import Callable, Literal

from ..crypto import message as crypto
from ..errors import DecodeError, EncodeError, MessageRejectedError, SessionCheckError
from ..tl import types
from . import wire
from .events import AnswerSink, BadMessageNotified, Event, Resent, UndecodableMessage
from .msgid import MsgIdGenerator, Side, msg_id_time
from .outbox import Batch, Outbox, Outgoing
from .replay import SeenMsgIds

__all__ = ["Session", "MAX_PAST", "MAX_FUTURE"]

#: A peer msg_id may be at most this many seconds older than our estimate of server time...
MAX_PAST = 300
#: ...and at most this many seconds ahead of it (security guidelines).
MAX_FUTURE = 30
#: Random extra padding blocks (0..15) hide the true length of short messages.
_MAX_EXTRA_PADDING_BLOCKS = 15
#: Server side: answers remembered for ``msg_resend_ans_req`` (between this many and twice as many).
_ANSWER_MEMORY = 4096
#: Randomness is fetched in chunks of this size (one system call serves many packets' padding).
_RANDOM_CHUNK = 4096

#: Service constructors that are never content-related (sent with an even seq_no, never acked).
NON_CONTENT = frozenset(
    {
        types.MsgsAck.CONSTRUCTOR_ID,
        wire.MSG_CONTAINER,
        types.BadMsgNotification.CONSTRUCTOR_ID,
        types.BadServerSalt.CONSTRUCTOR_ID,
        types.MsgsStateInfo.CONSTRUCTOR_ID,
        types.MsgsAllInfo.CONSTRUCTOR_ID,
        types.HttpWait.CONSTRUCTOR_ID,
    }
)
_BAD_MSG_NOTIFICATION = types.BadMsgNotification.CONSTRUCTOR_ID
_unpack_u32 = struct.Struct("<I").unpack_from
#: Never content-related, so a client sending them with an odd seq_no is refused with code 34.
_NEVER_CONTENT_FROM_CLIENT = frozenset({types.MsgsAck.CONSTRUCTOR_ID, wire.MSG_CONTAINER})


@dataclass(frozen=True, slots=True)
class _Checked:
    """Phase one's verdict on a payload: what phase two may commit."""

    plain: wire.PlainMessage
    messages: tuple[wire.InnerMessage, ...]
    #: Server side: (msg_id, seqno, bad_msg_notification code) for messages refused with a notice.
    refused: tuple[tuple[int, int, int], ...]
    #: Server side: the client opened a session we did not know yet.
    new_session: bool
    #: The outer msg_id and every distinct inner one (recorded in the replay window on commit).
    every_id: list[int]


class Session:
    """One MTProto session over one auth key; ``side`` selects the client or the server role.

    Persistable state (a driver stores it between runs): :attr:`auth_key`,
    :attr:`server_salt`, :attr:`time_offset`.  With ``on_answer`` (an
    :data:`~.events.AnswerSink`), results and failures of requests are handed
    to that callable as they are read instead of being returned as events.
    """

    def __init__(
        self,
        auth_key: bytes,
        *,
        side: Literal["client", "server"],
        session_id: int | None = None,
        server_salt: int = 0,
        time_offset: int = 0,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        init_connection: Callable[[object], object] | None = None,
        seen_capacity: int = 1024,
        on_answer: AnswerSink | None = None,
    ) -> None:
        if side not in ("client", "server"):
            raise ValueError(f"side must be 'client' or 'server', got {side!r}")
        if len(auth_key) != crypto.AUTH_KEY_SIZE:
            raise EncodeError(f"auth_key must be {crypto.AUTH_KEY_SIZE} bytes, got {len(auth_key)}")
        self.auth_key = bytes(auth_key)
        self.side: Side = side
        self.server_salt = server_salt
        self._clock = clock
        self._random = random_bytes
        self._init_connection = init_connection
        #: Client side: answers go straight to this callable instead of becoming events.
        self._on_answer = on_answer
        self._cipher = crypto.MessageCipher(self.auth_key)
        self._auth_key_id = self._cipher.auth_key_id
        self._random_pool = b""
        self._random_used = 0
        is_client = side == "client"
        self._x_out = crypto.CLIENT_TO_SERVER if is_client else crypto.SERVER_TO_CLIENT
        self._x_in = crypto.SERVER_TO_CLIENT if is_client else crypto.CLIENT_TO_SERVER
        if session_id is None and is_client:
            session_id = self._random_long()
        #: None on a server until the client's first message names the session.
        self.session_id: int | None = session_id
        self._ids = MsgIdGenerator(clock, side=side, time_offset=time_offset)
        self._outbox = Outbox(self._ids, lazy_acks=is_client)
        self._seen = SeenMsgIds(seen_capacity)
        self._connection_initialized = False
        #: Client side: set by ``new_session_created`` until the payload is fully dispatched.
        self._new_session_first_id: int | None = None
        # Server side only.
        self._announced_session: int | None = None
        self._last_content_in: tuple[int, int] | None = None
        self._answer_of: dict[int, Outgoing] = {}
        self._unanswered_requests: set[int] = set()
        from .handlers import CLIENT_HANDLERS, SERVER_HANDLERS, dispatch

        self._handlers = CLIENT_HANDLERS if is_client else SERVER_HANDLERS
        self._dispatch = dispatch

    # --- persistable state --------------------------------------------------

    @property
    def time_offset(self) -> int:
        """Server time minus local time (seconds); corrected by the server's msg_ids."""
        return self._ids.time_offset

    @time_offset.setter
    def time_offset(self, value: int) -> None:
        self._ids.time_offset = value

    @property
    def auth_key_id(self) -> bytes:
        return self._auth_key_id

    # --- client API ---------------------------------------------------------

    def send(self, request: object) -> int:
        """Queue ``request`` (a :mod:`tlruntime.tl.functions` object); returns its msg_id.

        The first request of each connection goes out wrapped by
        ``init_connection`` (``invokeWithLayer(initConnection(...))``).  The
        returned id identifies the request in every later event, even if the
        request is re-sent under another wire id.
        """
        out = self._outbox.enqueue(
            self._request_body(request), content_related=True, request=request
        )
        return out.origin_id

    def ping(self, ping_id: int) -> int:
        """Queue ``ping``; the ``pong`` arrives as a :class:`Result` for the returned msg_id."""
        from ..tl import functions

        request = functions.Ping(ping_id=ping_id)
        out = self._outbox.enqueue(bytes(request), content_related=True, request=request)
        return out.origin_id

    def unanswered(self) -> list[object]:
        """Requests that have no result yet, oldest first."""
        return [out.request for out in self._pending_in_order()]

    def resend_all(self) -> list[int]:
        """After a reconnect: queue every unanswered request again under new msg_ids.

        The session (and its id) carries on; the first request is wrapped in
        ``init_connection`` again because the server sees a new connection.
        Returns the ids (as ``send`` returned them) of the re-queued requests.
        """
        self._connection_initialized = False
        resent = []
        for out in self._pending_in_order():
            if out.request is not None:
                out.body = self._request_body(out.request)
            self._outbox.requeue(out)
            resent.append(out.origin_id)
        return resent

    def new_connection(self) -> None:
        """The transport changed: the next request is wrapped by ``init_connection`` again."""
        self._connection_initialized = False

    def flush_acks(self) -> None:
        """Send pending acks with the next packet even when there is nothing else to send."""
        self._outbox.flush_requested = True

    # --- server API ---------------------------------------------------------

    def send_result(self, req_msg_id: int, result: object) -> int:
        """Queue ``rpc_result`` answering the client message ``req_msg_id``; returns its msg_id.

        ``result`` is a TL object (or its boxed ``bytes``); a large result is
        gzip-packed inside the ``rpc_result`` when that is smaller.
        """
        payload = wire.gzip_if_smaller(_boxed(result))
        return self._queue_answer(req_msg_id, wire.pack_rpc_result(req_msg_id, payload))

    def send_error(self, req_msg_id: int, code: int, message: str) -> int:
        """Queue ``rpc_result`` carrying ``rpc_error`` for ``req_msg_id``."""
        error = types.RpcError(error_code=code, error_message=message)._bytes()
        body = wire.pack_rpc_result(req_msg_id, error)
        return self._queue_answer(req_msg_id, body)

    def send_update(self, obj: object) -> int:
        """Queue a server-initiated object (an update); returns its msg_id."""
        out = self._outbox.enqueue(wire.gzip_if_smaller(_boxed(obj)), content_related=True)
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
        body = notice._bytes()
        self._unanswered_requests.discard(bad_msg_id)
        return self._outbox.enqueue(body, content_related=False, response=True).origin_id

    # --- both sides: output -------------------------------------------------

    def pending_bytes(self) -> bytes | None:
        """The next encrypted payload to hand to the transport, or None when idle."""
        batch = self._outbox.take_batch()
        if batch is None:
            return None
        return self._encrypt(batch)

    def has_outgoing(self) -> bool:
        """Whether :meth:`pending_bytes` would return a payload now (cheap: no packing)."""
        return self._outbox.has_work()

    def has_queued(self) -> bool:
        """Whether messages other than acks wait to go out (resends, answers, service replies).

        A client that has just read answers checks this rather than
        :meth:`has_outgoing`: acks alone are no reason for a packet of their
        own, they ride on the next request (or the driver's ack timer).
        """
        return bool(self._outbox.queue)

    def outgoing(self) -> list[bytes]:
        """Every payload that is ready, in order."""
        payloads = []
        while (payload := self.pending_bytes()) is not None:
            payloads.append(payload)
        return payloads

    def _encrypt(self, batch: Batch) -> bytes:
        if batch.container_id is None:
            only = batch.messages[0]
            msg_id, seqno, body = only.msg_id, only.seqno, only.body
        else:
            entries = [(m.msg_id, m.seqno, m.body) for m in batch.messages]  # plain tuples: no NamedTuple call each
            msg_id, seqno, body = batch.container_id, batch.container_seqno, wire.pack_container(entries)
        session_id = self.session_id if self.session_id is not None else 0
        extra = self._take_random(1)[0] % (_MAX_EXTRA_PADDING_BLOCKS + 1)
        padding = self._take_random(crypto.padding_length(wire.HEADER_SIZE + len(body), extra))
        plaintext = wire.pack_plaintext(self.server_salt, session_id, msg_id, seqno, body, padding)
        return self._cipher.encrypt(self._x_out, plaintext)

    def _take_random(self, size: int) -> bytes:
        """``size`` bytes of the injected randomness, fetched ``_RANDOM_CHUNK`` bytes at a time."""
        start = self._random_used
        if start + size > len(self._random_pool):
            self._random_pool = self._random(max(_RANDOM_CHUNK, size))
            start = 0
        self._random_used = start + size
        return self._random_pool[start : start + size]

    # --- both sides: input --------------------------------------------------

    def receive(self, payload: bytes) -> list[Event]:
        """Check, decrypt and process one encrypted payload; returns what happened.

        Raises :class:`SessionCheckError` (a :class:`MessageRejectedError`)
        naming the failed check; the session state is then unchanged.
        """
        return self._commit(self._check(self._decrypt(payload)))

    def receive_decrypted(self, plaintext: bytes) -> list[Event]:
        """:meth:`receive` for a payload the driver already decrypted with this auth key.

        ``plaintext`` must come from :meth:`MessageCipher.decrypt
        <tlruntime.crypto.message.MessageCipher.decrypt>` under this session's
        key and direction, which checks ``msg_key`` (so it is authenticated).
        A server decrypts once to read the session_id it routes by; running the
        AES and key derivation a second time here would only repeat that work.
        Every other check runs as in :meth:`receive`.
        """
        return self._commit(self._check(plaintext))

    def _decrypt(self, payload: bytes) -> bytes:
        """Phase one, first half: length, key id and ``msg_key`` checks, then the plaintext."""
        size = len(payload)
        if size < crypto.HEADER_SIZE + 16 or (size - crypto.HEADER_SIZE) % 16:
            raise SessionCheckError(
                "length", f"encrypted payload of {size} bytes is not header + whole AES blocks"
            )
        if not hmac.compare_digest(payload[:8], self._auth_key_id):
            raise SessionCheckError(
                "auth_key_id", f"{payload[:8].hex()} is not our key ({self._auth_key_id.hex()})"
            )
        try:
            return self._cipher.decrypt(self._x_in, payload)
        except MessageRejectedError as exc:
            raise SessionCheckError("msg_key", str(exc)) from None

    def _check(self, plaintext: bytes) -> _Checked:
        """Phase one: every check on the authenticated plaintext, no state change."""
        plain = wire.parse_plaintext(plaintext)
        new_session = False
        if self.side == "client":
            if plain.session_id != self.session_id:
                raise SessionCheckError(
                    "session_id",
                    f"message for session {plain.session_id}, ours is {self.session_id}",
                    msg_id=plain.msg_id,
                )
        else:
            new_session = plain.session_id != self.session_id
        if wire.constructor_of(plain.body) == wire.MSG_CONTAINER:
            messages = tuple(wire.parse_container(plain.body, plain.msg_id))
        else:
            messages = (wire.InnerMessage(plain.msg_id, plain.seqno, plain.body),)
        every_id = [plain.msg_id] + [m.msg_id for m in messages if m.msg_id != plain.msg_id]
        self._check_replays(every_id)
        if self.side == "client":
            self._check_server_ids(plain, messages, every_id)
            refused: tuple[tuple[int, int, int], ...] = ()
        else:
            refused = self._client_id_problems(plain, messages, every_id)
        return _Checked(plain, messages, refused, new_session, every_id)

    def _check_replays(self, msg_ids: list[int]) -> None:
        # The window is kept across session ids on purpose: msg_ids are unique per
        # auth key, and clearing it on a session switch would let an attacker
        # replay old packets by alternating session ids.
        if len(set(msg_ids)) != len(msg_ids):
            raise SessionCheckError("duplicate_msg_id", "a msg_id repeats inside the payload")
        highest = self._seen.highest
        if highest is None or min(msg_ids) > highest:
            return  # the usual case: every id above all seen ones is new, no search per id
        for msg_id in msg_ids:
            reason = self._seen.replay_reason(msg_id)
            if reason is not None:
                raise SessionCheckError("duplicate_msg_id", reason, msg_id=msg_id)

    def _time_problem(self, msg_id: int, now: float) -> int | None:
        """16 (too old) or 17 (too far ahead) when ``msg_id`` is outside the time window around ``now``."""
        skew = msg_id_time(msg_id) - now
        if skew < -MAX_PAST:
            return 16
        if skew > MAX_FUTURE:
            return 17
        return None

    def _check_server_ids(
        self, plain: wire.PlainMessage, messages: tuple[wire.InnerMessage, ...], every_id: list[int]
    ) -> None:
        """Client side: server msg_ids are odd and inside the time window."""
        # The usual case in one pass, as on the server: every id odd (the AND of
        # all ids keeps bit 0 only then), and the lowest and highest id (the
        # time check is monotonic in the id) inside the window.
        all_bits = -1
        for msg_id in every_id:
            all_bits &= msg_id
        if not all_bits & 1:
            for msg_id in every_id:
                if msg_id % 2 != 1:
                    raise SessionCheckError(
                        "msg_id_parity", f"server msg_id {msg_id} is even", msg_id=msg_id
                    )
        now = self._ids.server_time()  # one clock reading per payload
        if self._time_problem(min(every_id), now) is None and self._time_problem(max(every_id), now) is None:
            return
        for msg_id in every_id:
            problem = self._time_problem(msg_id, now)
            if problem is None:
                continue
            # Our clock is off: the server's own notice is how we learn it, so
            # an authenticated bad_msg_notification 16/17 about a message we
            # really sent is let through to resync the clock.
            if self._carries_resync_notice(messages):
                return
            reason = "msg_id_too_old" if problem == 16 else "msg_id_too_new"
            skew = msg_id_time(msg_id) - self._ids.server_time()
            raise SessionCheckError(
                reason,
                f"msg_id {msg_id} is {skew:+.0f} s from our server time "
                f"(allowed {-MAX_PAST}..+{MAX_FUTURE} s)",
                msg_id=msg_id,
            )

    def _carries_resync_notice(self, messages: tuple[wire.InnerMessage, ...]) -> bool:
        for message in messages:
            if wire.constructor_of(message.body) != _BAD_MSG_NOTIFICATION:
                continue
            try:
                notice = types.BadMsgNotification.from_bytes(message.body)
            except DecodeError:
                continue
            bad_msg_id, code = notice.bad_msg_id, notice.error_code
            known = bad_msg_id in self._outbox.recent or bad_msg_id in self._outbox.containers
            if code in (16, 17) and (known or bad_msg_id in self._outbox.pending):
                return True
        return False

    def _client_id_problems(
        self, plain: wire.PlainMessage, messages: tuple[wire.InnerMessage, ...], every_id: list[int]
    ) -> tuple[tuple[int, int, int], ...]:
        """Server side: client messages with a bad msg_id are refused with a notice, not an exception."""
        now = self._ids.server_time()  # one clock reading per payload
        # The usual case in one pass: every id divisible by 4, and the lowest and
        # highest (the time check is monotonic in the id) inside the window.
        low_bits = 0
        for msg_id in every_id:
            low_bits |= msg_id
        if not low_bits & 3 and (
            self._time_problem(min(every_id), now) is None
            and self._time_problem(max(every_id), now) is None
        ):
            return ()
        refused = []
        outer_problem = _parity_problem(plain.msg_id) or self._time_problem(plain.msg_id, now)
        if outer_problem is not None:
            return ((plain.msg_id, plain.seqno, outer_problem),)
        for message in messages:
            if message.msg_id == plain.msg_id:
                continue
            problem = _parity_problem(message.msg_id) or self._time_problem(message.msg_id, now)
            if problem is not None:
                refused.append((message.msg_id, message.seqno, problem))
        return tuple(refused)

    def _commit(self, checked: _Checked) -> list[Event]:
        """Phase two: record, acknowledge, dispatch."""
        events: list[Event] = []
        plain = checked.plain
        if checked.new_session:
            self._adopt_session(plain.session_id, min(m.msg_id for m in checked.messages))
        self._seen.add_all(checked.every_id)
        refused_ids = {msg_id for msg_id, _, _ in checked.refused}
        if plain.msg_id in refused_ids:
            self._refuse(checked.refused, events)
            return events
        if self.side == "server" and plain.salt != self.server_salt:
            self.send_bad_msg_notification(plain.msg_id, plain.seqno, 48)
            events.append(BadMessageNotified(plain.msg_id, 48))
            return events
        self._refuse(checked.refused, events)
        # This loop runs once per received message (100 per container at 100
        # calls in flight): the constructor id is read once and serves the
        # seq_no check and the handler table; only what the table does not
        # know (gzip_packed, updates, requests) takes the generic dispatch.
        is_server = self.side == "server"
        acks = self._outbox.acks
        handlers = self._handlers
        dispatch = self._dispatch
        for msg_id, seqno, body in checked.messages:
            if refused_ids and msg_id in refused_ids:
                continue
            constructor = _unpack_u32(body, 0)[0] if len(body) >= 4 else 0
            if seqno & 1:
                if is_server:
                    code = self._seqno_problem(msg_id, seqno, constructor)
                    if code is not None:
                        self.send_bad_msg_notification(msg_id, seqno, code)
                        events.append(BadMessageNotified(msg_id, code))
                        continue
                acks[msg_id] = None  # Outbox.ack, inlined
            handler = handlers.get(constructor)
            if handler is None:
                dispatch(self, msg_id, body, events)
                continue
            try:
                handler(self, msg_id, body, events)
            except DecodeError as exc:
                events.append(UndecodableMessage(msg_id, body, exc))
        if self._new_session_first_id is not None:
            self._resend_lost_requests(events)
        return events

    def _resend_lost_requests(self, events: list[Event]) -> None:
        """After ``new_session_created``: requests sent before ``first_msg_id`` went to a forgotten session.

        Runs after the whole payload was dispatched, so answers that arrived in
        the same container are not needlessly sent again.
        """
        first_msg_id = self._new_session_first_id
        self._new_session_first_id = None
        outbox = self._outbox
        lost = [
            out
            for out in self._pending_in_order()
            if first_msg_id is not None and out.msg_id < first_msg_id and out not in outbox.queue
        ]
        for out in lost:
            outbox.requeue(out)
        if lost:
            events.append(Resent(tuple(out.origin_id for out in lost), "new session"))

    def _refuse(self, refused: tuple[tuple[int, int, int], ...], events: list[Event]) -> None:
        for msg_id, seqno, code in refused:
            self.send_bad_msg_notification(msg_id, seqno, code)
            events.append(BadMessageNotified(msg_id, code))

    def _seqno_problem(self, msg_id: int, seqno: int, constructor: int) -> int | None:
        """Server side: 32/33 for a seq_no out of order with msg_ids, 34 for an odd service seq_no.

        ``constructor`` is the message body's constructor id.
        """
        if not seqno & 1:
            return None
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
        """Server side: the client opened a new session; announce it once with ``new_session_created``."""
        self.session_id = session_id
        self._last_content_in = None
        if self._announced_session != session_id:
            self._announced_session = session_id
            created = types.NewSessionCreated(
                first_msg_id=first_msg_id, unique_id=self._random_long(), server_salt=self.server_salt
            )
            self._outbox.enqueue(created._bytes(), content_related=True)

    # --- helpers shared with the handlers ------------------------------------

    def _queue_answer(self, req_msg_id: int, body: bytes) -> int:
        out = self._outbox.enqueue(body, content_related=True, response=True, answers=req_msg_id)
        self._outbox.discard_ack(req_msg_id)  # the answer acknowledges the request
        self._unanswered_requests.discard(req_msg_id)
        answer_of = self._answer_of
        answer_of[req_msg_id] = out
        if len(answer_of) > 2 * _ANSWER_MEMORY:
            # Trimmed in bulk, keeping the newest: deleting the oldest key one at a
            # time made ``next(iter(dict))`` walk every deleted slot before it, an
            # O(n) scan per answer that dominated the server's cost per ping.
            self._answer_of = dict(
                itertools.islice(answer_of.items(), len(answer_of) - _ANSWER_MEMORY, None)
            )
        return out.origin_id

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
        body = _boxed(wrapped)
        return body if len(body) <= wire.GZIP_THRESHOLD else wire.gzip_if_smaller(body)

    def _pending_in_order(self) -> list[Outgoing]:
        return sorted(self._outbox.pending.values(), key=lambda out: out.origin_id)

    def _random_long(self) -> int:
        return int.from_bytes(self._random(8), "little", signed=True)


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


def is_mtproto_function(request: object) -> bool:
    return getattr(type(request), "TL_NAME", None) in MTPROTO_FUNCTIONS


def _parity_problem(client_msg_id: int) -> int | None:
    """18 when a client msg_id is not divisible by 4."""
    return 18 if client_msg_id % 4 else None


def _boxed(obj: object) -> bytes:
    """Boxed TL bytes of ``obj`` (a generated object, or bytes already serialized)."""
    to_bytes = getattr(type(obj), "__bytes__", None)  # generated classes (and ``bytes`` itself)
    if to_bytes is not None:
        data = to_bytes(obj)
        return data if type(data) is bytes else bytes(data)
    if isinstance(obj, (bytearray, memoryview)):
        return bytes(obj)
    raise EncodeError(f"{type(obj).__name__} is not a TL object (it has no __bytes__)")
