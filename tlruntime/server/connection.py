"""One accepted TCP connection of the loopback server.

The first bytes decide the transport (abridged, intermediate, padded
intermediate, full, or obfuscated2 over the first three).  After that each
frame is either an unencrypted handshake message (auth_key_id 0), handled by
a per-connection :class:`~tlruntime.auth.ServerHandshake`, or an encrypted
message routed by (auth_key_id, session_id) to its
:class:`~tlruntime.server.sessions.ServerSession`.

An unknown auth key gets transport error -404 and the connection is closed,
which is how a client learns that it must create a new key.  A message that
fails a session check is dropped silently, as the security guidelines ask.

Speed: the connection is an :class:`asyncio.Protocol`, so a chunk read from
the socket is decoded, decrypted, answered (pings and every synchronous
handler run right here) and the answers written back within the one
``data_received`` callback: no reader task, no stream buffers, no extra
event-loop iteration between a request and its answer.  Back-pressure: when
the socket's write buffer fills up, reading pauses until it drains.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from ..auth import AuthKeyCreated, ServerHandshake
from ..crypto.message import CLIENT_TO_SERVER
from ..errors import HandshakeError, MessageRejectedError, TLError, TransportError
from ..session import DisconnectDelay, Request
from ..transports import Frame, TransportCodec, TransportDetector

if TYPE_CHECKING:
    from .app import LoopbackServer
    from .sessions import ServerSession

__all__ = ["ServerConnection"]

log = logging.getLogger(__name__)

_NO_AUTH_KEY = struct.pack("<i", -404)
#: The session_id sits after the 8-byte salt at the start of the plaintext.
_unpack_session_id = struct.Struct("<q").unpack_from
_PLAIN_KEY_ID = b"\x00" * 8
#: auth_key_id (8) + msg_key (16) + at least one AES block.
_MIN_ENCRYPTED = 8 + 16 + 16


class ServerConnection(asyncio.Protocol):
    """Reads frames from one socket and writes the answers of the sessions it carries."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self._transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] | None = None
        self.kind = "undetected"
        self.closing = False
        self._detector: TransportDetector | None = TransportDetector(
            max_frame_size=server.max_frame_size, random_bytes=server.random_bytes
        )
        self._codec: TransportCodec | None = None
        self._handshake: ServerHandshake | None = None
        self._sessions: set[ServerSession] = set()
        #: Sessions that received something during the current ``data_received``: flushed at its end.
        self._touched: list[ServerSession] = []
        self._disconnect_timer: asyncio.TimerHandle | None = None
        self._closed = asyncio.Event()

    # --- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if peer else None
        self.server.track_connection(self)

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        try:
            if self._codec is None:
                self._detect(data)
            else:
                self._handle_events(self._codec.feed(data))
        except TransportError as error:
            log.info("%s: transport error, closing: %s", self.peer, error)
            self.closing = True
        except Exception:
            log.exception("%s: connection failed", self.peer)
            self.closing = True
        self._flush_touched()
        if self.closing and self._transport is not None and not self._transport.is_closing():
            self._transport.close()  # graceful: a queued -404 still reaches the client

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        if self._disconnect_timer is not None:
            self._disconnect_timer.cancel()
        for session in self._sessions:
            session.detach(self)
        self._sessions.clear()
        self.server.untrack_connection(self)
        self._closed.set()

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._transport.pause_reading()  # a client that does not read gets no more answers

    def resume_writing(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    # --- lifecycle ------------------------------------------------------------

    def abort(self) -> None:
        """Close the socket at once (tests use this to simulate a dropped connection)."""
        self.closing = True
        if self._transport is not None:
            self._transport.abort()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def _detect(self, data: bytes) -> None:
        detector = self._detector
        if detector is None:
            return
        detection = detector.feed(data)
        if detection is None:
            return
        self._detector = None
        self._codec = detection.codec
        self.kind = detection.kind
        log.debug("%s: %s transport", self.peer, self.kind)
        self._handle_events(detection.events)

    def _flush_touched(self) -> None:
        touched, self._touched = self._touched, []
        for session in touched:
            session.flush()

    # --- output ---------------------------------------------------------------

    def send_payload(self, payload: bytes) -> None:
        if self.closing or self._codec is None or self._transport is None:
            return
        self._transport.write(self._codec.encode(payload))

    def send_payloads(self, payloads: list[bytes]) -> None:
        """Several payloads in one write (one system call)."""
        if self.closing or self._codec is None or self._transport is None:
            return
        encode = self._codec.encode
        self._transport.write(b"".join([encode(payload) for payload in payloads]))

    # --- input ----------------------------------------------------------------

    def _handle_events(self, events: Sequence[object]) -> None:
        for event in events:
            if self.closing:
                return
            if type(event) is Frame:
                self._handle_payload(event.payload)

    def _handle_payload(self, payload: bytes) -> None:
        if payload[:8] == _PLAIN_KEY_ID:
            self._handle_plain(payload)
        else:
            self._handle_encrypted(payload)

    def _handle_plain(self, payload: bytes) -> None:
        if self._handshake is None or self._handshake.result is not None:
            self._handshake = ServerHandshake(
                [self.server.private_key],
                random_bytes=self.server.random_bytes,
                clock=self.server.clock,
                key_exists=lambda key_id: self.server.auth_key(_signed(key_id)) is not None,
                dc_id=self.server.dc_id,
            )
        try:
            outcome = self._handshake.receive(payload)
        except (HandshakeError, TLError) as error:
            log.info("%s: handshake refused: %s", self.peer, error)
            self._handshake = None
            self.abort()
            return
        if isinstance(outcome, AuthKeyCreated):
            self.server.add_auth_key(outcome.auth_key, outcome.server_salt)
            self.send_payload(outcome.reply)
        else:
            self.send_payload(outcome)

    def _handle_encrypted(self, payload: bytes) -> None:
        if len(payload) < _MIN_ENCRYPTED:
            log.info("%s: %d-byte payload is too short to be a message; dropped", self.peer, len(payload))
            return
        key_id = _signed(payload[:8])
        server = self.server
        cipher = server.cipher(key_id)
        if cipher is None:
            log.info("%s: unknown auth key %s: -404", self.peer, payload[:8].hex())
            self.send_payload(_NO_AUTH_KEY)
            self.closing = True
            return
        # Decrypted (and msg_key-checked) once, here: routing needs the
        # session_id inside, and the session takes the authenticated plaintext.
        try:
            plaintext = cipher.decrypt(CLIENT_TO_SERVER, payload)
        except MessageRejectedError as error:
            log.info("%s: message dropped: %s", self.peer, error)
            return
        session_id = _unpack_session_id(plaintext, 8)[0]
        session = server.session(key_id, session_id)
        created = session is None
        if session is None:
            auth_key = server.auth_key(key_id)
            if auth_key is None:  # pragma: no cover - a cipher exists only for a known key
                return
            session = server.open_session(key_id, session_id, auth_key)
        try:
            events = session.core.receive_decrypted(plaintext)
        except MessageRejectedError as error:
            log.info("%s: message dropped: %s", self.peer, error)
            if created:
                self.server.forget_session(key_id, session_id)
            return
        session.messages_received += 1
        session.attach(self)
        self._sessions.add(session)
        for event in events:
            kind = type(event)
            if kind is Request:
                session.handle_request(event, self)  # type: ignore[arg-type]
            elif kind is DisconnectDelay:
                self._arm_disconnect(event.seconds)  # type: ignore[attr-defined]
        if session not in self._touched:
            self._touched.append(session)

    def _arm_disconnect(self, seconds: int) -> None:
        """``ping_delay_disconnect``: close unless another ping arrives within ``seconds``."""
        if self._disconnect_timer is not None:
            self._disconnect_timer.cancel()
        self._disconnect_timer = asyncio.get_running_loop().call_later(max(seconds, 1), self.abort)


def _signed(key_id: bytes) -> int:
    return int.from_bytes(key_id, "little", signed=True)
