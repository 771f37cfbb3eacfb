"""One TCP connection of the client: an :class:`asyncio.Protocol` feeding a fresh transport codec.

A link never outlives its socket; reconnecting means opening a new link
(with a new codec: obfuscated transports derive their keys per connection).

Why a Protocol and not streams: with ``StreamReader`` every received chunk
wakes a reader task, which then wakes the caller's future, so one round trip
costs several event-loop iterations.  Here the loop's ``data_received``
callback decodes the frames and hands them to the client at once (or, during
the handshake, to a waiter), and a write goes straight to the socket when its
buffer is empty.  ``asyncio`` sets ``TCP_NODELAY`` on TCP transports, so
small packets are not held back by Nagle's algorithm.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import cast

from ..errors import TransportError
from ..telegram.proxy import ProxySetting
from ..transports import Frame, TransportCodec
from .dial import dial

__all__ = ["Link", "FramesHandler", "LostHandler"]

FramesHandler = Callable[[list[bytes]], None]
"""Receives every frame completed by one read, in order."""
LostHandler = Callable[[BaseException], None]
"""Told once why the connection ended (a codec error such as ``-404``, or a reset)."""


class Link(asyncio.Protocol):
    """Frames in, frames out, over one socket.

    Until :meth:`attach` is called, frames queue up for :meth:`receive_one`
    (the handshake is strictly request/answer); afterwards they go to the
    attached handler as they arrive.
    """

    def __init__(self, codec: TransportCodec, frame_timeout: float | None = None) -> None:
        self._codec = codec
        #: Seconds a started frame may go without new bytes before the link counts as broken
        #: (a desynchronised stream can announce a frame that never ends).
        self._frame_timeout = frame_timeout
        self._stall_timer: asyncio.TimerHandle | None = None
        #: Loop time of the last read that left part of a frame buffered.
        self._progress_at = 0.0
        self._transport: asyncio.Transport | None = None
        self._frames: deque[bytes] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._on_frames: FramesHandler | None = None
        self._on_lost: LostHandler | None = None
        self._error: BaseException | None = None
        self.closed = False

    @classmethod
    async def open(
        cls, host: str, port: int, codec: TransportCodec, timeout: float, frame_timeout: float | None = None
    ) -> "Link":
        """Connect directly within ``timeout`` seconds and send the transport's opening bytes."""
        return await cls.connect(
            host, port, proxy=None, dc_id=0, make_codec=lambda: codec, timeout=timeout, frame_timeout=frame_timeout
        )

    @classmethod
    async def connect(
        cls,
        host: str,
        port: int,
        *,
        proxy: ProxySetting | None,
        dc_id: int,
        make_codec: Callable[[], TransportCodec],
        timeout: float,
        frame_timeout: float | None = None,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> "Link":
        """Open a link to DC ``dc_id`` at ``host:port``, through ``proxy`` if given, within ``timeout`` seconds.

        The socket and whatever the route needs first (a SOCKS5/CONNECT
        tunnel, MTProxy's fake-TLS hello) come from :func:`.dial.dial`.
        """
        dialed = await asyncio.wait_for(
            dial(
                host, port, proxy=proxy, dc_id=dc_id, make_codec=make_codec, timeout=timeout,
                clock=clock, random_bytes=random_bytes,
            ),
            timeout,
        )
        try:
            return await cls.adopt(dialed.sock, dialed.codec, frame_timeout, dialed.early_frames)
        except BaseException:
            dialed.sock.close()
            raise

    @classmethod
    async def adopt(
        cls,
        sock: socket.socket,
        codec: TransportCodec,
        frame_timeout: float | None = None,
        early_frames: Iterable[bytes] = (),
    ) -> "Link":
        """Run a link over an already connected socket (see :mod:`.dial`) and send the transport's opening.

        ``early_frames`` are frames that came in with the end of a proxy's answer (before this link).
        """
        loop = asyncio.get_running_loop()
        _, link = await loop.create_connection(lambda: cls(codec, frame_timeout), sock=sock)
        link._frames.extend(early_frames)
        opening = codec.initial_bytes()
        if opening and link._transport is not None:
            link._transport.write(opening)
        return link

    # --- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # create_connection over TCP

    def data_received(self, data: bytes) -> None:
        try:
            events = self._codec.feed(data)
        except TransportError as error:
            self._fail(error)
            return
        if self._frame_timeout is not None:
            self._watch_partial_frame()
        frames = [event.payload for event in events if type(event) is Frame]
        if not frames:
            return
        if self._on_frames is not None:
            self._on_frames(frames)
            return
        self._frames.extend(frames)
        self._wake()

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost reports it

    def connection_lost(self, exc: Exception | None) -> None:
        if self._error is None:
            try:
                self._codec.feed(b"")  # an error held back behind frames of the last chunk
            except TransportError as error:
                self._error = error
        if self._error is None:
            self._error = exc if exc is not None else ConnectionResetError("the server closed the connection")
        self.closed = True
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        self._wake()
        on_lost, self._on_lost = self._on_lost, None
        if on_lost is not None:
            on_lost(self._error)

    # --- client side ------------------------------------------------------------

    def send(self, payload: bytes) -> None:
        """Frame and write one payload (raises :class:`ConnectionResetError` once closed)."""
        if self.closed or self._transport is None:
            raise ConnectionResetError("the connection is closed")
        self._transport.write(self._codec.encode(payload))

    def send_many(self, payloads: list[bytes]) -> None:
        """Frame several payloads and write them with one system call."""
        if self.closed or self._transport is None:
            raise ConnectionResetError("the connection is closed")
        encode = self._codec.encode
        self._transport.write(b"".join([encode(payload) for payload in payloads]))

    async def receive_one(self) -> bytes:
        """The next single frame (handshake phase, before :meth:`attach`).

        Raises the codec's :class:`~tlruntime.errors.TransportError` (for
        example a bare ``-404``) or :class:`ConnectionResetError` when the
        connection ends first.
        """
        while not self._frames:
            if self._error is not None:
                raise self._error
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._frames.popleft()

    def attach(self, on_frames: FramesHandler, on_lost: LostHandler) -> None:
        """From now on hand frames to ``on_frames`` as they arrive; ``on_lost`` hears about the end.

        Frames that arrived before (after the last handshake answer) are
        delivered at once; a link that already ended reports it at once.
        """
        self._on_frames = on_frames
        if self._frames:
            frames = list(self._frames)
            self._frames.clear()
            on_frames(frames)
        if self.closed and self._error is not None:
            on_lost(self._error)
        else:
            self._on_lost = on_lost

    def abort(self) -> None:
        """Drop the connection at once (``connection_lost`` follows on the loop)."""
        self.closed = True
        if self._transport is not None:
            self._transport.abort()

    def detach(self) -> None:
        """Stop reporting to the client (it replaced or closed this link)."""
        self._on_frames = None
        self._on_lost = None

    # --- internals --------------------------------------------------------------

    def _watch_partial_frame(self) -> None:
        """Note progress while part of a frame is buffered; one timer checks it (no timer per read)."""
        if not self._codec.buffered or self.closed or self._frame_timeout is None:
            return
        loop = asyncio.get_running_loop()
        self._progress_at = loop.time()
        if self._stall_timer is None:
            self._stall_timer = loop.call_later(self._frame_timeout, self._stalled)

    def _stalled(self) -> None:
        self._stall_timer = None
        timeout = self._frame_timeout
        if self.closed or timeout is None or not self._codec.buffered:
            return
        waited = asyncio.get_running_loop().time() - self._progress_at
        if waited < timeout:
            self._stall_timer = asyncio.get_running_loop().call_later(timeout - waited, self._stalled)
            return
        self._fail(TransportError(f"a frame stalled for {timeout:g} s (stream out of sync?)"))

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self.abort()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
