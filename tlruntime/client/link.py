"""One TCP connection of the client: a socket plus a fresh transport codec.

A link never outlives its socket; reconnecting means opening a new link
(with a new codec: obfuscated transports derive their keys per connection).
"""

from __future__ import annotations

import asyncio
from collections import deque

from ..transports import Frame, TransportCodec

__all__ = ["Link"]

_READ_SIZE = 1 << 16


class Link:
    """Frames in, frames out, over one socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, codec: TransportCodec) -> None:
        self._reader = reader
        self._writer = writer
        self._codec = codec
        self._frames: deque[bytes] = deque()
        self.closed = False

    @classmethod
    async def open(cls, host: str, port: int, codec: TransportCodec, timeout: float) -> "Link":
        """Connect within ``timeout`` seconds and send the transport's opening bytes."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        link = cls(reader, writer, codec)
        opening = codec.initial_bytes()
        if opening:
            writer.write(opening)
        return link

    def send(self, payload: bytes) -> None:
        if self.closed:
            raise ConnectionResetError("the connection is closed")
        self._writer.write(self._codec.encode(payload))

    async def drain(self) -> None:
        await self._writer.drain()

    async def receive(self) -> list[bytes]:
        """Wait for at least one frame; returns every frame completed by the bytes read.

        Raises :class:`ConnectionResetError` when the peer closes, and the
        codec's :class:`~tlruntime.errors.TransportError` (for example a bare
        ``-404`` as :class:`~tlruntime.errors.TransportCodeError`) as is.
        """
        while not self._frames:
            data = await self._reader.read(_READ_SIZE)
            if not data:
                self.closed = True
                raise ConnectionResetError("the server closed the connection")
            for event in self._codec.feed(data):
                if isinstance(event, Frame):
                    self._frames.append(event.payload)
        frames = list(self._frames)
        self._frames.clear()
        return frames

    async def receive_one(self) -> bytes:
        """The next single frame (the handshake is strictly request/answer)."""
        if not self._frames:
            self._frames.extend(await self.receive())
        return self._frames.popleft()

    def abort(self) -> None:
        self.closed = True
        self._writer.transport.abort()
