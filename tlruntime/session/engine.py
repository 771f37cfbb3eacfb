"""What the client session and the server session share: keys, numbering, checks, the output queue.

An MTProto session (auth key + session_id) is a sans-IO state machine: feed
:meth:`SessionEngine.receive` the payloads a transport decoded, get typed
events back, and hand :meth:`SessionEngine.outgoing` to the transport.  It
never touches a socket or a loop; ``clock`` and ``random_bytes`` are injected
(the default clock is ``time.time``), so every packet replays in tests.

Receiving happens in two phases.  Phase one decrypts and runs *every* check
of the security guidelines on the whole payload (auth_key_id, msg_key,
lengths, padding, session_id, msg_id parity, time window, replays, container
framing) without changing any state, so a rejected payload raises
:class:`SessionCheckError` and leaves the session exactly as it was (the
driver then closes that connection).  Phase two records the ids, queues acks
and dispatches each message through a table of small handlers keyed by
constructor id: methods of the role's engine, which owns the state they touch.

Role differences are data (the direction constants, the msg_id side, the
handler table, eager or lazy acks) plus the few checks that really differ,
which each role's class implements: :class:`~.client.ClientSession` and
:class:`~.server.ServerSession`.

A message that arrives again inside a new container under an id we already
received is a *repeat*: the peer re-sends what it has no answer for (after a
reconnect, or on ``msg_resend_req``).  Repeats are acknowledged and handed to
:meth:`SessionEngine._on_repeat` instead of being dispatched again, which is
what makes a request run once however often it is re-sent.  A repeated
*outer* msg_id (a whole packet played again) is still a replay and refused.

References: https://core.telegram.org/mtproto/description,
/mtproto/security_guidelines, /mtproto/service_messages,
/mtproto/service_messages_about_messages.
"""

from __future__ import annotations

import hmac
import logging
import os
import struct
import time
from dataclasses import dataclass
from typing import Callable, ClassVar, Mapping

from ..crypto import message as crypto
from ..errors import DecodeError, EncodeError, LengthError, MessageRejectedError, SessionCheckError
from ..tl import types
from . import wire
from .events import Event, UndecodableMessage
from .msgid import MAX_FUTURE, MAX_PAST, MsgIdGenerator, Side
from .outbox import Batch, Outbox, Outgoing
from .replay import SeenMsgIds

__all__ = ["SessionEngine", "MAX_PAST", "MAX_FUTURE", "Handler"]

log = logging.getLogger("tlruntime.session")

#: Random extra padding blocks (0..15) hide the true length of short messages.
_MAX_EXTRA_PADDING_BLOCKS = 15
#: Randomness is fetched in chunks of this size (one system call serves many packets' padding).
_RANDOM_CHUNK = 4096

_unpack_u32 = struct.Struct("<I").unpack_from
_NO_REPEATS: frozenset[int] = frozenset()

Handler = Callable[[int, bytes, list[Event]], None]
"""A bound handler method: ``(msg_id, body, events)``."""


@dataclass(slots=True)  # not frozen: one per received packet, and a frozen __init__ costs a setattr per field
class Checked:
    """Phase one's verdict on a payload: what phase two may commit."""

    plain: wire.PlainMessage
    messages: tuple[wire.InnerMessage, ...]
    #: Server side: (msg_id, seqno, bad_msg_notification code) for messages refused with a notice.
    refused: tuple[tuple[int, int, int], ...]
    #: Server side: the client opened a session we did not know yet.
    new_session: bool
    #: The outer msg_id and every distinct inner one (recorded in the replay window on commit).
    every_id: list[int]
    #: Inner msg_ids received before (re-sent by the peer): acknowledged, never dispatched again.
    repeats: frozenset[int]


class SessionEngine:
    """The part of an MTProto session both roles share; see :mod:`.client` and :mod:`.server`.

    Persistable state (a driver stores it between runs): :attr:`auth_key`,
    :attr:`server_salt`, :attr:`time_offset`.
    """

    #: Direction constants of MTProto 2.0's key derivation (``x``) for what we send and read.
    X_OUT: ClassVar[int]
    X_IN: ClassVar[int]
    #: Which low bits our msg_ids carry.
    SIDE: ClassVar[Side]
    #: Whether pending acks wait for a packet to ride on (client) or go out at once (server).
    LAZY_ACKS: ClassVar[bool]
    #: constructor id -> name of the handler method (bound per instance in ``__init__``).
    HANDLERS: ClassVar[Mapping[int, str]] = {
        types.MsgsAck.CONSTRUCTOR_ID: "_on_msgs_ack",
        types.MsgsStateReq.CONSTRUCTOR_ID: "_on_msgs_state_req",
        types.MsgResendReq.CONSTRUCTOR_ID: "_on_msg_resend_req",
        types.MsgsStateInfo.CONSTRUCTOR_ID: "_ignore",
        types.MsgsAllInfo.CONSTRUCTOR_ID: "_ignore",
        types.HttpWait.CONSTRUCTOR_ID: "_ignore",
    }

    def __init__(
        self,
        auth_key: bytes,
        *,
        session_id: int | None = None,
        server_salt: int = 0,
        time_offset: int = 0,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        seen_capacity: int = 1024,
        msg_ids: MsgIdGenerator | None = None,
        cipher: crypto.MessageCipher | None = None,
    ) -> None:
        if len(auth_key) != crypto.AUTH_KEY_SIZE:
            raise EncodeError(f"auth_key must be {crypto.AUTH_KEY_SIZE} bytes, got {len(auth_key)}")
        self.auth_key = bytes(auth_key)
        self.server_salt = server_salt
        self._clock = clock
        self._random = random_bytes
        #: A server endpoint shares one cipher among all sessions of a key.
        self._cipher = cipher if cipher is not None else crypto.MessageCipher(self.auth_key)
        self._auth_key_id = self._cipher.auth_key_id
        self._random_pool = b""
        self._random_used = 0
        #: None on a server until the client's first message names the session.
        self.session_id: int | None = session_id
        #: ``msg_ids`` replaces the generator (tests feed a broken numbering to see the peer refuse it).
        self._ids = msg_ids if msg_ids is not None else MsgIdGenerator(clock, side=self.SIDE, time_offset=time_offset)
        self._outbox = Outbox(self._ids, lazy_acks=self.LAZY_ACKS)
        self._seen = SeenMsgIds(seen_capacity)
        self._handlers: dict[int, Handler] = {
            constructor: getattr(self, name) for constructor, name in self.HANDLERS.items()
        }

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

    # --- output -------------------------------------------------------------

    def send_message(self, obj: object, *, content_related: bool = True) -> int:
        """Queue a message that awaits no ``rpc_result`` (``msgs_state_req``, ``msg_resend_req``...)."""
        return self._outbox.enqueue(boxed(obj), content_related=content_related).origin_id

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

    def flush_acks(self) -> None:
        """Send pending acks with the next packet even when there is nothing else to send."""
        self._outbox.flush_requested = True

    def _encrypt(self, batch: Batch) -> bytes:
        if batch.container_id is None:
            only = batch.messages[0]
            msg_id, seqno, body = only.msg_id, only.seqno, only.body
        else:
            entries = [(m.msg_id, m.seqno, m.body) for m in batch.messages]  # plain tuples: no NamedTuple call each
            msg_id, seqno, body = batch.container_id, batch.container_seqno, wire.pack_container(entries)
        if log.isEnabledFor(logging.DEBUG):
            self._log_sent(batch)
        session_id = self.session_id if self.session_id is not None else 0
        extra = self._take_random(1)[0] % (_MAX_EXTRA_PADDING_BLOCKS + 1)
        padding = self._take_random(crypto.padding_length(wire.HEADER_SIZE + len(body), extra))
        plaintext = wire.pack_plaintext(self.server_salt, session_id, msg_id, seqno, body, padding)
        return self._cipher.encrypt(self.X_OUT, plaintext)

    def _log_sent(self, batch: Batch) -> None:
        container = f" in container {batch.container_id}" if batch.container_id is not None else ""
        for out in batch.messages:
            log.debug(
                "sent msg_id=%d seq_no=%d %s (%d bytes)%s%s",
                out.msg_id, out.seqno, wire.name_of(out.body), len(out.body), container,
                f" acks={list(out.acks)}" if out.acks else "",
            )

    def _take_random(self, size: int) -> bytes:
        """``size`` bytes of the injected randomness, fetched ``_RANDOM_CHUNK`` bytes at a time."""
        start = self._random_used
        if start + size > len(self._random_pool):
            self._random_pool = self._random(max(_RANDOM_CHUNK, size))
            start = 0
        self._random_used = start + size
        return self._random_pool[start : start + size]

    def _random_long(self) -> int:
        return int.from_bytes(self._random(8), "little", signed=True)

    # --- input --------------------------------------------------------------

    def receive(self, payload: bytes) -> list[Event]:
        """Process one encrypted payload; returns the events it produced.

        Raises :class:`SessionCheckError` (and changes nothing) when the
        payload fails any check; the caller closes the connection it came on.
        """
        return self._commit(self._check(self._decrypt(payload)))

    def receive_decrypted(self, plaintext: bytes) -> list[Event]:
        """:meth:`receive` for a payload its caller already decrypted and msg_key-checked.

        A server endpoint decrypts once to read the session_id it routes by;
        running the AES and key derivation a second time here would only repeat
        that work.  Every other check runs as in :meth:`receive`.
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
            return self._cipher.decrypt(self.X_IN, payload)
        except MessageRejectedError as exc:
            raise SessionCheckError("msg_key", str(exc)) from None

    def _check(self, plaintext: bytes) -> Checked:
        """Phase one: every check on the authenticated plaintext, no state change."""
        plain = wire.parse_plaintext(plaintext)
        new_session = self._check_session_id(plain)
        if wire.constructor_of(plain.body) == wire.MSG_CONTAINER:
            messages = tuple(wire.parse_container(plain.body, plain.msg_id))
        else:
            messages = (wire.InnerMessage(plain.msg_id, plain.seqno, plain.body),)
        every_id = [plain.msg_id] + [m.msg_id for m in messages if m.msg_id != plain.msg_id]
        repeats = self._check_replays(plain.msg_id, every_id)
        refused = self._check_ids(plain, messages, every_id)
        return Checked(plain, messages, refused, new_session, every_id, repeats)

    def _check_session_id(self, plain: wire.PlainMessage) -> bool:
        """Whether the payload opens a new session (server); raises on a foreign one (client)."""
        raise NotImplementedError

    def _check_ids(
        self, plain: wire.PlainMessage, messages: tuple[wire.InnerMessage, ...], every_id: list[int]
    ) -> tuple[tuple[int, int, int], ...]:
        """Role-specific msg_id checks: raise, or return the messages to refuse with a notice."""
        raise NotImplementedError

    def _check_replays(self, outer_id: int, msg_ids: list[int]) -> frozenset[int]:
        """Refuse a replayed packet; return the inner ids that are repeats of messages already received."""
        # The window is kept across session ids on purpose: msg_ids are unique per
        # auth key, and clearing it on a session switch would let an attacker
        # replay old packets by alternating session ids.
        if len(set(msg_ids)) != len(msg_ids):
            raise SessionCheckError("duplicate_msg_id", "a msg_id repeats inside the payload")
        highest = self._seen.highest
        if highest is None or min(msg_ids) > highest:
            return _NO_REPEATS  # the usual case: every id above all seen ones is new, no search per id
        reason = self._seen.replay_reason(outer_id)
        if reason is not None:
            raise SessionCheckError("duplicate_msg_id", reason, msg_id=outer_id)
        return frozenset(msg_id for msg_id in msg_ids if msg_id != outer_id and self._is_repeat(msg_id))

    def _is_repeat(self, msg_id: int) -> bool:
        """Whether an inner ``msg_id`` names a message we received before."""
        return self._seen.replay_reason(msg_id) is not None

    def _commit(self, checked: Checked) -> list[Event]:
        raise NotImplementedError

    def _log_received(self, checked: Checked) -> None:
        plain = checked.plain
        container = f" in container {plain.msg_id}" if len(checked.messages) > 1 or (
            checked.messages and checked.messages[0].msg_id != plain.msg_id
        ) else ""
        for msg_id, seqno, body in checked.messages:
            repeat = " (repeat)" if msg_id in checked.repeats else ""
            acks = ""
            if wire.constructor_of(body) == types.MsgsAck.CONSTRUCTOR_ID:
                try:
                    acks = f" acks={types.MsgsAck.from_bytes(body).msg_ids}"
                except DecodeError:
                    acks = " acks=<unreadable>"
            log.debug(
                "received msg_id=%d seq_no=%d %s (%d bytes)%s%s%s",
                msg_id, seqno, wire.name_of(body), len(body), container, repeat, acks,
            )

    def _dispatch(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        """Route one message the table does not know directly: ``gzip_packed``, then the fallback."""
        try:
            constructor = _unpack_u32(body, 0)[0] if len(body) >= 4 else 0
            if constructor == wire.GZIP_PACKED:
                body = wire.gunzip_packed(body)
                constructor = wire.constructor_of(body)
                if constructor in (wire.GZIP_PACKED, wire.MSG_CONTAINER):
                    raise LengthError("gzip_packed may not hold another gzip_packed or a container", offset=0)
            handler = self._handlers.get(constructor)
            if handler is None:
                handler = self._on_other
            handler(msg_id, body, events)
        except DecodeError as exc:
            events.append(UndecodableMessage(msg_id, body, exc))
        except RecursionError:
            # Hostile nesting: this message is unreadable, the session carries on.
            events.append(UndecodableMessage(msg_id, body, DecodeError("nested too deeply to decode", offset=0)))

    def _on_other(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        """A message no service handler knows: an update (client) or a request (server)."""
        raise NotImplementedError

    def _on_repeat(self, msg_id: int, events: list[Event]) -> None:
        """The peer sent ``msg_id`` again (it is acknowledged; nothing runs twice)."""

    # --- service messages both roles handle -----------------------------------

    def _on_msgs_ack(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        outbox = self._outbox
        for acked in types.MsgsAck.from_bytes(body).msg_ids:
            out = outbox.find_sent(acked)
            if out is not None:
                out.acked = True

    def _msg_state(self, msg_id: int) -> int:
        """The status byte of ``msgs_state_info`` for a peer message (service_messages_about_messages)."""
        seen = self._seen
        if msg_id in seen:
            return 4  # received
        if seen.highest is None or msg_id > seen.highest:
            return 3  # not received, id too high
        if seen.lowest is not None and msg_id < seen.lowest:
            return 1  # nothing known, id too low
        return 2  # not received, id in the remembered range

    def _on_msgs_state_req(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        states = bytes(self._msg_state(asked) for asked in types.MsgsStateReq.from_bytes(body).msg_ids)
        # Status bytes are at most 4 + 8 + 16 + 32 + 64 < 128, so the TL ``string`` carries them as ASCII.
        reply = types.MsgsStateInfo(req_msg_id=msg_id, info=states.decode("ascii"))._bytes()
        self._outbox.enqueue(reply, content_related=False, response=True)

    def _on_msg_resend_req(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        for wanted in types.MsgResendReq.from_bytes(body).msg_ids:
            self._resend_as_sent(wanted)

    def _resend_as_sent(self, msg_id: int) -> None:
        """``msg_resend_req``: send a message again under the msg_id it was sent with."""
        out = self._outbox.find_sent(msg_id)
        if out is not None:
            self._outbox.queue_again(out)

    def _ignore(self, msg_id: int, body: bytes, events: list[Event]) -> None:
        """Informational service messages we have nothing to do with (and must not surface as updates)."""


def boxed(obj: object) -> bytes:
    """Boxed TL bytes of ``obj`` (a generated object, or bytes already serialized)."""
    to_bytes = getattr(type(obj), "__bytes__", None)  # generated classes (and ``bytes`` itself)
    if to_bytes is not None:
        data = to_bytes(obj)
        return data if type(data) is bytes else bytes(data)
    if isinstance(obj, (bytearray, memoryview)):
        return bytes(obj)
    raise EncodeError(f"{type(obj).__name__} is not a TL object (it has no __bytes__)")


def sorted_by_origin(outs: list[Outgoing]) -> list[Outgoing]:
    return sorted(outs, key=lambda out: out.origin_id)
