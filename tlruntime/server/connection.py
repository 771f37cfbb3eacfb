"""One accepted TCP connection: an :class:`asyncio.Protocol` feeding its sans-IO endpoint connection.

Every protocol decision (transport, handshake, keys, sessions, limits) is the
endpoint's (:mod:`tlruntime.endpoint`); this class only moves bytes and hands
the endpoint's actions to the server.  Speed: a chunk read from the socket is
decoded, decrypted, answered (pings and every synchronous handler run right
here) and the answers written back within the one ``data_received`` callback.
Back-pressure: when the socket's write buffer fills up, reading pauses until
it drains.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

from ..endpoint import Action, EndpointConnection, ServerEndpoint

__all__ = ["ServerConnection", "ActionSink"]


class ActionSink(Protocol):
    """What a connection hands the endpoint's actions to (the server)."""

    endpoint: ServerEndpoint

    def perform(self, actions: list[Action]) -> None: ...

    def track(self, connection: "ServerConnection") -> None: ...

    def untrack(self, connection: "ServerConnection") -> None: ...


class ServerConnection(asyncio.Protocol):
    """Reads from one socket into the endpoint; writes what the endpoint says."""

    def __init__(self, server: ActionSink) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.state: EndpointConnection | None = None
        self.peer: tuple[str, int] | None = None
        self._closed = asyncio.Event()

    @property
    def kind(self) -> str:
        return self.state.kind if self.state is not None else "undetected"

    @property
    def closing(self) -> bool:
        return self.transport is None or self.transport.is_closing()

    # --- asyncio.Protocol -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if peer else None
        state = self.server.endpoint.connect(self.peer)
        state.owner = self
        self.state = state
        if state.refused is not None:
            self.transport.abort()
            return
        self.server.track(self)

    def data_received(self, data: bytes) -> None:
        state = self.state
        if state is not None and not state.closed:
            self.server.perform(state.receive(data))

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.state is not None:
            self.state.lost()
        self.server.untrack(self)
        self._closed.set()

    def pause_writing(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()  # a client that does not read gets no more answers

    def resume_writing(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    # --- driven by the server ---------------------------------------------------------

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    def close(self, graceful: bool = True) -> None:
        transport = self.transport
        if transport is None:
            return
        if graceful:
            transport.close()  # queued bytes (a -404) still reach the client
        else:
            transport.abort()

    def abort(self) -> None:
        """Close the socket at once (tests use this to simulate a dropped connection)."""
        if self.transport is not None:
            self.transport.abort()

    async def wait_closed(self) -> None:
        await self._closed.wait()
