"""The sans-IO MTProto server endpoint: bytes in, actions out.

One :class:`ServerEndpoint` owns what outlives a connection: the RSA keys,
the auth keys it created (and their salts), the sessions keyed by
(auth_key_id, session_id), the limits and the clock.  Each accepted
connection gets an :class:`EndpointConnection`; the driver feeds it the bytes
it reads (:meth:`EndpointConnection.receive`) and performs the returned
:mod:`actions <.actions>`: send bytes, close, or deliver a request to the
application, which answers with :meth:`ServerEndpoint.answer` /
:meth:`ServerEndpoint.fail`.  :meth:`ServerEndpoint.poll` enforces the
deadlines (call it every second or so).

Per connection the endpoint decides everything the protocol decides:

* the transport, from the first bytes (within ``header_timeout``); in MTProxy
  mode (``mtproxy=``, an :class:`~.mtproxy.MTProxyGate`) an MTProxy acceptor
  stands there instead: only ``dd``/``ee`` clients with the secret get in, the
  fake-TLS ServerHello is sent before anything else, and the DC id from the
  client's header is kept (:attr:`EndpointConnection.dc_id`);
* unencrypted handshake frames (auth_key_id 0) go to one
  :class:`~tlruntime.auth.ServerHandshake` per connection (at most
  ``max_handshakes`` at once); encrypted frames are looked up by auth key:
  an unknown key gets transport error -404 and the connection closes;
* the payload is decrypted once, the session_id inside it picks the session
  (created on first use, at most ``max_sessions_per_key`` per key, least
  recently used evicted), and the session engine checks and commits it;
* a frame that fails decryption or any check closes its connection: the
  client reconnects at once instead of waiting for timeouts;
* answers go out on the connection the session was last heard on; when a
  session moves to a new connection, answers the client has not acknowledged
  go out again.

Nothing here imports asyncio or socket; the driver is :mod:`tlruntime.server`.
"""

from __future__ import annotations

import logging
import os
import struct
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from ..auth import AuthKeyCreated, ServerHandshake
from ..crypto.message import CLIENT_TO_SERVER, MessageCipher, auth_key_id as key_id_bytes
from ..crypto.rsa import RSAPrivateKey
from ..errors import HandshakeError, MessageRejectedError, TLError, TransportError
from ..session import DisconnectDelay, Request, ServerSession
from ..transports import Frame, TransportCodec, TransportDetector
from ..transports.mtproxy import MTProxyAcceptor
from .actions import Action, Close, Deliver, Send
from .limits import ServerLimits
from .mtproxy import MTProxyGate
from .rejects import RejectLog
from .tempkeys import TempKeyTable

__all__ = ["ServerEndpoint", "EndpointConnection", "SessionSlot", "NO_AUTH_KEY"]

log = logging.getLogger("tlruntime.endpoint")

#: Transport error -404: "auth key not found" (the client must create a new key).
NO_AUTH_KEY = struct.pack("<i", -404)
#: The session_id sits after the 8-byte salt at the start of the plaintext.
_unpack_session_id = struct.Struct("<q").unpack_from
_PLAIN_KEY_ID = b"\x00" * 8
#: auth_key_id (8) + msg_key (16) + at least one AES block.
_MIN_ENCRYPTED = 8 + 16 + 16


def _signed(key_id: bytes) -> int:
    return int.from_bytes(key_id, "little", signed=True)


class SessionSlot:
    """One (auth key, session_id): the session engine and the connection that carries it now."""

    __slots__ = (
        "engine", "auth_key_id", "session_id", "connection", "last_used", "touched", "ever_attached",
        "packets_received", "live",
    )

    def __init__(self, engine: ServerSession, auth_key_id: int, session_id: int, now: float) -> None:
        self.engine = engine
        self.auth_key_id = auth_key_id
        self.session_id = session_id
        self.connection: EndpointConnection | None = None
        self.last_used = now
        self.touched = False
        self.ever_attached = False
        #: Encrypted payloads this session accepted.
        self.packets_received = 0
        #: False once evicted or expired (a connection's cached route must not revive it).
        self.live = True


class EndpointConnection:
    """The protocol state of one connection.  ``owner`` is free for the driver (its transport)."""

    def __init__(self, endpoint: ServerEndpoint, peer: object, now: float) -> None:
        self.endpoint = endpoint
        self.peer = peer
        self.owner: Any = None
        self.kind = "undetected"
        self.closed = False
        #: Set when the connection was refused on arrival (too many connections).
        self.refused: str | None = None
        self._detector: TransportDetector | MTProxyAcceptor | None = (
            TransportDetector(max_frame_size=endpoint.limits.max_frame_size, random_bytes=endpoint.random_bytes)
            if endpoint.mtproxy is None
            else endpoint.mtproxy.acceptor()
        )
        self._codec: TransportCodec | None = None
        self._handshake: ServerHandshake | None = None
        self._in_handshake = False
        self.sessions: set[SessionSlot] = set()
        self.opened_at = now
        self.last_frame_at = now
        #: When the frame being received started (None: no partial frame buffered).
        self._partial_since: float | None = None
        self._buffered = 0
        self.disconnect_at: float | None = None
        self.frames = 0
        #: The session this connection's last encrypted frame went to.
        self._route: SessionSlot | None = None

    # --- input ----------------------------------------------------------------

    def receive(self, data: bytes) -> list[Action]:
        """Feed bytes read from the socket; returns what to do (send, close, deliver)."""
        if self.closed:
            return []
        endpoint = self.endpoint
        actions: list[Action] = []
        now = endpoint.clock()
        try:
            codec = self._codec
            if codec is None:
                events = self._detect(data, actions)
                if events is None:
                    self._account(self._detector.buffered if self._detector is not None else 0, now)
                    return actions
                codec = self._codec
            else:
                events = codec.feed(data)
        except TransportError as error:
            if self.endpoint.mtproxy is not None and self._codec is None:
                self.endpoint.mtproxy.refused(error)
                return self._reject(f"MTProxy opening refused: {error}", actions)
            return self._reject(f"transport error: {error}", actions)
        for event in events:
            if type(event) is Frame:
                self.frames += 1
                payload = event.payload
                if payload[:8] == _PLAIN_KEY_ID:
                    self._on_plain(payload, actions)
                else:
                    self._on_encrypted(payload, now, actions)
                if self.closed:
                    break
        if events:
            self.last_frame_at = now
            self._partial_since = None
        if not self.closed and codec is not None:
            buffered = codec.buffered
            if buffered or self._buffered:  # the usual case (whole frames, nothing held) skips the books
                self._account(buffered, now)
            if endpoint.buffered_total > endpoint.limits.max_buffered_bytes:
                self._reject(
                    f"incoming buffers over the process-wide cap of {endpoint.limits.max_buffered_bytes} bytes",
                    actions,
                )
        endpoint.flush_into(actions)
        return actions

    def _detect(self, data: bytes, actions: list[Action]) -> list[Any] | None:
        detector = self._detector
        if detector is None:
            return []
        if isinstance(detector, MTProxyAcceptor):
            acceptance = detector.feed(data)
            if acceptance is None:
                return None
            self._detector = None
            self._codec = acceptance.codec
            self.kind = f"mtproxy-{acceptance.kind}"
            if acceptance.reply:  # the fake-TLS ServerHello flight, raw: it precedes every framed byte
                actions.append(Send(self, acceptance.reply))
            events = acceptance.events
        else:
            detection = detector.feed(data)
            if detection is None:
                return None
            self._detector = None
            self._codec = detection.codec
            self.kind = detection.kind
            events = detection.events
        log.debug("%s: %s transport", self.peer, self.kind)
        return list(events)

    @property
    def dc_id(self) -> int | None:
        """The DC id an obfuscated2 client (plain, ``dd`` or ``ee``) put in its header; None otherwise.

        For a fake-TLS client it is known once its first application-data record arrived.
        A single-DC server accepts any; a multi-DC one can route by it.
        """
        return getattr(self._codec, "dc_id", None)

    def _account(self, buffered: int, now: float) -> None:
        endpoint = self.endpoint
        endpoint.buffered_total += buffered - self._buffered
        self._buffered = buffered
        if buffered and self._partial_since is None:
            self._partial_since = now
        elif not buffered:
            self._partial_since = None

    def _on_plain(self, payload: bytes, actions: list[Action]) -> None:
        endpoint = self.endpoint
        if self._handshake is None or self._handshake.result is not None:
            if endpoint.handshakes_in_progress >= endpoint.limits.max_handshakes:
                self._reject(f"over {endpoint.limits.max_handshakes} handshakes in progress", actions)
                return
            self._handshake = endpoint.new_handshake()
            self._in_handshake = True
            endpoint.handshakes_in_progress += 1
        try:
            outcome = self._handshake.receive(payload)
        except (HandshakeError, TLError) as error:
            self._reject(f"handshake refused: {error}", actions)
            return
        except RecursionError:
            self._reject("handshake refused: a message nested too deeply", actions)
            return
        if isinstance(outcome, AuthKeyCreated):
            self._end_handshake()
            endpoint.add_auth_key(outcome.auth_key, outcome.server_salt, expires_in=outcome.expires_in)
            self.send(outcome.reply, actions)
        else:
            self.send(outcome, actions)

    def _end_handshake(self) -> None:
        if self._in_handshake:
            self._in_handshake = False
            self.endpoint.handshakes_in_progress -= 1

    def _on_encrypted(self, payload: bytes, now: float, actions: list[Action]) -> None:
        endpoint = self.endpoint
        if len(payload) < _MIN_ENCRYPTED:
            self._reject(f"{len(payload)}-byte payload is too short to be a message", actions)
            return
        key_id = _signed(payload[:8])
        cipher = endpoint.cipher(key_id)
        if cipher is not None and endpoint.temp_keys.expires_at and endpoint.temp_keys.expired(key_id, now):
            endpoint.forget_auth_key(key_id)  # a temporary key's time is up: unknown from now on
            cipher = None
        if cipher is None:
            log.info("%s: unknown auth key %s: -404", self.peer, payload[:8].hex())
            self.send(NO_AUTH_KEY, actions)
            self.close("unknown auth key", actions)
            return
        # Decrypted (and msg_key-checked) once, here: routing needs the
        # session_id inside, and the session takes the authenticated plaintext.
        try:
            plaintext = cipher.decrypt(CLIENT_TO_SERVER, payload)
        except MessageRejectedError as error:
            self._reject(f"message refused: {error}", actions)
            return
        session_id = _unpack_session_id(plaintext, 8)[0]
        route = self._route
        if route is not None and route.session_id == session_id and route.auth_key_id == key_id and route.live:
            # The usual case: the session this connection spoke for last (no lookup, no LRU reorder).
            slot, created = route, False
            slot.last_used = now
        else:
            slot, created = endpoint.slot(key_id, session_id, now)
            self._route = slot
        try:
            events = slot.engine.receive_decrypted(plaintext)
        except MessageRejectedError as error:
            if created:
                endpoint.forget_session(slot)
            self._reject(f"message refused: {error}", actions)
            return
        except RecursionError:
            if created:
                endpoint.forget_session(slot)
            self._reject("message refused: nested too deeply", actions)
            return
        slot.packets_received += 1
        if slot.connection is not self:
            endpoint.attach(slot, self)
        for event in events:
            kind = type(event)
            if kind is Request:
                actions.append(Deliver(self, slot, event))  # type: ignore[arg-type]
            elif kind is DisconnectDelay:
                self.disconnect_at = now + max(event.seconds, 1)  # type: ignore[attr-defined]
        if not slot.touched:  # endpoint.touch, inlined: once per frame
            slot.touched = True
            endpoint._touched.append(slot)

    # --- output -----------------------------------------------------------------

    def send(self, payload: bytes, actions: list[Action]) -> None:
        if not self.closed and self._codec is not None:
            actions.append(Send(self, self._codec.encode(payload)))

    def send_many(self, payloads: list[bytes], actions: list[Action]) -> None:
        if not self.closed and self._codec is not None:
            encode = self._codec.encode
            actions.append(Send(self, b"".join([encode(payload) for payload in payloads])))

    def close(self, reason: str, actions: list[Action], *, graceful: bool = True) -> None:
        if not self.closed:
            actions.append(Close(self, reason, graceful))
            self.lost()

    def _reject(self, reason: str, actions: list[Action]) -> list[Action]:
        """Hostile or broken input: one log line (rate-limited), then close."""
        self.endpoint.rejects.reject(self.peer, reason)
        self.close(reason, actions)
        return actions

    def lost(self) -> None:
        """The connection is gone (closed by us, or the driver saw it end): release what it held."""
        if self.closed:
            return
        self.closed = True
        self._end_handshake()
        self.endpoint.release(self)

    # --- deadlines ----------------------------------------------------------------

    def expired(self, now: float) -> str | None:
        """Why this connection must close now, or None."""
        limits = self.endpoint.limits
        if self._codec is None:
            if now - self.opened_at > limits.header_timeout:
                return f"transport header not complete within {limits.header_timeout:g} s"
            return None
        if self._partial_since is not None and now - self._partial_since > limits.frame_timeout:
            return f"frame not complete within {limits.frame_timeout:g} s"
        if now - self.last_frame_at > limits.idle_timeout:
            return f"idle for {limits.idle_timeout:g} s"
        if self.disconnect_at is not None and now >= self.disconnect_at:
            return "ping_delay_disconnect delay passed"
        return None


class ServerEndpoint:
    """Keys, sessions, limits and clock of one server; makes an :class:`EndpointConnection` per socket."""

    def __init__(
        self,
        private_keys: Iterable[RSAPrivateKey],
        *,
        auth_keys: Iterable[bytes] = (),
        on_auth_key: Callable[[bytes], object] | None = None,
        limits: ServerLimits | None = None,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        dc_id: int = 2,
        mtproxy: MTProxyGate | None = None,
    ) -> None:
        self.private_keys = list(private_keys)
        #: MTProxy mode: every connection must open as a dd/ee client with this gate's secret.
        self.mtproxy = mtproxy
        self.limits = limits if limits is not None else ServerLimits()
        self.clock = clock
        self.random_bytes = random_bytes
        self.dc_id = dc_id
        self._on_auth_key = on_auth_key
        self._auth_keys: dict[int, bytes] = {}
        for auth_key in auth_keys:
            self._auth_keys[_signed(key_id_bytes(auth_key))] = auth_key
        self._ciphers: dict[int, MessageCipher] = {}
        self._salts: dict[int, int] = {}
        self._sessions: dict[int, OrderedDict[int, SessionSlot]] = {}
        #: Temporary (PFS) keys: RAM only, forgotten when they expire (see :mod:`.tempkeys`).
        self.temp_keys = TempKeyTable()
        self.connections: set[EndpointConnection] = set()
        self._touched: list[SessionSlot] = []
        self.buffered_total = 0
        self.handshakes_in_progress = 0
        self.handshakes = 0
        """Completed auth key exchanges since start."""
        self.sessions_evicted = 0
        self.rejects = RejectLog(log, clock, burst=self.limits.log_burst, window=self.limits.log_window)

    # --- connections ----------------------------------------------------------------

    def connect(self, peer: object) -> EndpointConnection:
        """A socket was accepted.  Check ``.refused``: when set, close the socket at once."""
        connection = EndpointConnection(self, peer, self.clock())
        if len(self.connections) >= self.limits.max_connections:
            connection.refused = f"over {self.limits.max_connections} connections"
            connection.closed = True
            self.rejects.reject(peer, connection.refused)
            return connection
        self.connections.add(connection)
        return connection

    def release(self, connection: EndpointConnection) -> None:
        self.connections.discard(connection)
        self.buffered_total -= connection._buffered
        connection._buffered = 0
        now = self.clock()
        for slot in connection.sessions:
            if slot.connection is connection:
                slot.connection = None
                slot.last_used = now
        connection.sessions.clear()

    def poll(self) -> list[Action]:
        """Enforce deadlines: close expired connections, drop sessions idle too long."""
        now = self.clock()
        actions: list[Action] = []
        for connection in list(self.connections):
            reason = connection.expired(now)
            if reason is not None:
                connection._reject(reason, actions)
        limit = self.limits.session_idle_timeout
        for key_id, slots in list(self._sessions.items()):
            for session_id, slot in list(slots.items()):
                if slot.connection is None and now - slot.last_used > limit:
                    slot.live = False
                    del slots[session_id]
            if not slots:
                del self._sessions[key_id]
        for key_id in self.temp_keys.expired_ids(now):
            self.forget_auth_key(key_id)
        return actions

    # --- auth keys --------------------------------------------------------------------

    def new_handshake(self) -> ServerHandshake:
        return ServerHandshake(
            self.private_keys,
            random_bytes=self.random_bytes,
            clock=self.clock,
            key_exists=lambda key_id: _signed(key_id) in self._auth_keys,
            dc_id=self.dc_id,
        )

    @property
    def auth_keys(self) -> tuple[bytes, ...]:
        """Every auth key this endpoint knows, oldest first."""
        return tuple(self._auth_keys.values())

    def auth_key(self, auth_key_id: int) -> bytes | None:
        return self._auth_keys.get(auth_key_id)

    def cipher(self, auth_key_id: int) -> MessageCipher | None:
        """The :class:`MessageCipher` of a known auth key (None for a key we never created)."""
        cipher = self._ciphers.get(auth_key_id)
        if cipher is None:
            auth_key = self._auth_keys.get(auth_key_id)
            if auth_key is None:
                return None
            cipher = self._ciphers[auth_key_id] = MessageCipher(auth_key)
        return cipher

    def add_auth_key(self, auth_key: bytes, server_salt: int | None = None, *, expires_in: int | None = None) -> int:
        """Record a key a handshake just created (and its first server salt).

        With ``expires_in`` the key is temporary (PFS): kept in RAM only (never
        handed to ``on_auth_key``, so never stored) and forgotten after that many
        seconds of the server's clock.
        """
        key_id = _signed(key_id_bytes(auth_key))
        self._auth_keys[key_id] = auth_key
        if server_salt is not None:
            self._salts[key_id] = server_salt
        self.handshakes += 1
        if expires_in is not None:
            while len(self.temp_keys) >= self.limits.max_temp_keys:
                self.forget_auth_key(self.temp_keys.oldest())
            self.temp_keys.add(key_id, self.clock() + min(expires_in, self.limits.max_temp_key_lifetime))
        elif self._on_auth_key is not None:
            self._on_auth_key(auth_key)
        log.info(
            "%s auth key %016x created (%d so far)",
            "temporary" if expires_in is not None else "permanent", key_id & ((1 << 64) - 1), self.handshakes,
        )
        return key_id

    def forget_auth_key(self, auth_key_id: int) -> None:
        """Drop a key and its sessions (an expired temporary key): its messages get -404 from now on."""
        self._auth_keys.pop(auth_key_id, None)
        self._ciphers.pop(auth_key_id, None)
        self._salts.pop(auth_key_id, None)
        self.temp_keys.forget(auth_key_id)
        for slot in self._sessions.pop(auth_key_id, {}).values():
            slot.live = False
            if slot.connection is not None:
                slot.connection.sessions.discard(slot)
                slot.connection = None
        log.info("auth key %016x forgotten", auth_key_id & ((1 << 64) - 1))

    def server_salt(self, auth_key_id: int) -> int:
        """The salt sessions of this key accept; a key loaded from storage gets a fresh one.

        A client resuming with an older salt is told the current one by
        ``bad_server_salt`` and re-sends, as with Telegram's rotating salts.
        """
        salt = self._salts.get(auth_key_id)
        if salt is None:
            salt = int.from_bytes(self.random_bytes(8), "little", signed=True)
            self._salts[auth_key_id] = salt
        return salt

    # --- sessions --------------------------------------------------------------------

    def slot(self, auth_key_id: int, session_id: int, now: float) -> tuple[SessionSlot, bool]:
        """The session (auth key, session_id), created on first use; True when it is new."""
        slots = self._sessions.get(auth_key_id)
        if slots is None:
            slots = self._sessions[auth_key_id] = OrderedDict()
        slot = slots.get(session_id)
        if slot is not None:
            slots.move_to_end(session_id)
            slot.last_used = now
            return slot, False
        if len(slots) >= self.limits.max_sessions_per_key:
            _, evicted = slots.popitem(last=False)
            evicted.live = False
            self.sessions_evicted += 1
            log.info("session %d of key %016x evicted (over %d per key)", evicted.session_id,
                     auth_key_id & ((1 << 64) - 1), self.limits.max_sessions_per_key)
            if evicted.connection is not None:
                evicted.connection.sessions.discard(evicted)
        auth_key = self._auth_keys[auth_key_id]
        engine = ServerSession(
            auth_key,
            cipher=self.cipher(auth_key_id),
            server_salt=self.server_salt(auth_key_id),
            clock=self.clock,
            random_bytes=self.random_bytes,
            answer_memory=self.limits.answer_memory,
        )
        slot = SessionSlot(engine, auth_key_id, session_id, now)
        slots[session_id] = slot
        return slot, True

    def forget_session(self, slot: SessionSlot) -> None:
        slots = self._sessions.get(slot.auth_key_id)
        slot.live = False
        if slots is not None and slots.get(slot.session_id) is slot:
            del slots[slot.session_id]

    def session_count(self, auth_key_id: int | None = None) -> int:
        if auth_key_id is not None:
            return len(self._sessions.get(auth_key_id, ()))
        return sum(len(slots) for slots in self._sessions.values())

    def find_session(self, auth_key_id: int, session_id: int) -> SessionSlot | None:
        slots = self._sessions.get(auth_key_id)
        return None if slots is None else slots.get(session_id)

    def attach(self, slot: SessionSlot, connection: EndpointConnection) -> None:
        """Answers of ``slot`` go to ``connection`` from now on (the client spoke on it last)."""
        previous = slot.connection
        if previous is not None:
            previous.sessions.discard(slot)
        slot.connection = connection
        connection.sessions.add(slot)
        if slot.ever_attached:
            # A new connection of a known session: what the client has not acknowledged may be lost.
            resent = slot.engine.resend_unacknowledged()
            if resent:
                log.debug("session %d: %d unacknowledged answers queued again", slot.session_id, resent)
        slot.ever_attached = True

    def touch(self, slot: SessionSlot) -> None:
        if not slot.touched:
            slot.touched = True
            self._touched.append(slot)

    # --- answers --------------------------------------------------------------------------

    def answer(self, slot: SessionSlot, msg_id: int, result: object) -> None:
        """Queue ``result`` (a TL object or its boxed bytes) for the request ``msg_id``; see :meth:`flush`."""
        slot.engine.send_result(msg_id, result)
        self.touch(slot)

    def fail(self, slot: SessionSlot, msg_id: int, code: int, message: str) -> None:
        """Queue ``rpc_error`` for the request ``msg_id``; see :meth:`flush`."""
        slot.engine.send_error(msg_id, code, message)
        self.touch(slot)

    def flush(self) -> list[Action]:
        """The bytes every session touched since the last flush has ready, for its current connection."""
        actions: list[Action] = []
        self.flush_into(actions)
        return actions

    def flush_into(self, actions: list[Action]) -> None:
        touched = self._touched
        if not touched:
            return
        self._touched = []
        for slot in touched:
            slot.touched = False
            connection = slot.connection
            if connection is None or connection.closed:
                continue  # kept in the session until the client comes back
            payloads = slot.engine.outgoing()
            if payloads:
                connection.send_many(payloads, actions)
